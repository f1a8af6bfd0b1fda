import { describe, expect, it } from "vitest";
import { FeedParseError } from "./entry.ts";
import { isJsonFeed, parseJsonFeed } from "./jsonfeed.ts";
import { LINK_REL } from "./sanitize.ts";

const FEED_URL = "https://example.org/feed.json";

const FEED_11 = {
  version: "https://jsonfeed.org/version/1.1",
  title: "  My  Example Feed ",
  home_page_url: "https://example.org/",
  feed_url: "https://example.org/feed.json",
  description: "A <b>plain</b> description",
  language: "en-US",
  authors: [{ name: "Feed Author" }],
  items: [
    {
      id: "2",
      url: "/second-item",
      title: "<Second> item",
      content_html: `<p>Hello, <a href="world" onclick="x()">world</a>!</p><script>x()</script>`,
      summary: "Short & sweet",
      date_published: "2010-02-07T14:04:00-05:00",
      date_modified: "2010-02-08T09:00:00Z",
      authors: [{ name: "Ann" }, { name: "Bob" }, { url: "https://no-name.example/" }],
      tags: ["news", " news ", "", 7, "tech"],
      attachments: [
        { url: "/ep2.mp3", mime_type: "audio/mpeg", size_in_bytes: 89970236 },
        { url: "javascript:alert(1)", mime_type: "audio/mpeg" },
        { mime_type: "no/url" },
        { url: "ep2.m4a", size_in_bytes: -5 },
        "not an object",
      ],
    },
    { id: 1, content_text: "Plain <text>\nwith lines", external_url: "https://elsewhere.example/1" },
    { title: "no id or link" },
    "junk",
    null,
  ],
};

describe("isJsonFeed", () => {
  it("recognises JSON Feed by its version URL", () => {
    expect(isJsonFeed(FEED_11)).toBe(true);
    expect(isJsonFeed({ version: "https://jsonfeed.org/version/1" })).toBe(true);
    expect(isJsonFeed({ version: "1.1" })).toBe(false);
    expect(isJsonFeed({ items: [] })).toBe(false);
    expect(isJsonFeed([])).toBe(false);
    expect(isJsonFeed(null)).toBe(false);
  });
});

describe("parseJsonFeed", () => {
  it("reads the feed", () => {
    expect(parseJsonFeed(FEED_11, FEED_URL)).toMatchObject({
      format: "jsonfeed",
      title: "My Example Feed",
      link: "https://example.org/",
      description: "A <b>plain</b> description", // plain text by the spec: characters, not markup
      language: "en-US",
      updated: null,
    });
  });

  it("reads an item: resolved URLs, sanitised content_html, escaped summary, dates, tags, attachments", () => {
    expect(parseJsonFeed(FEED_11, FEED_URL).entries[0]).toEqual({
      id: "2",
      title: "<Second> item",
      link: "https://example.org/second-item",
      author: "Ann, Bob",
      published: "2010-02-07T19:04:00.000Z",
      updated: "2010-02-08T09:00:00.000Z",
      summary: "Short &amp; sweet",
      content: `<p>Hello, <a href="https://example.org/world" rel="${LINK_REL}">world</a>!</p>`,
      categories: ["news", "tech"],
      enclosures: [
        { url: "https://example.org/ep2.mp3", type: "audio/mpeg", length: 89970236 },
        { url: "https://example.org/ep2.m4a", type: null, length: null },
      ],
    });
  });

  it("takes numeric ids, external_url, content_text, the feed's author, and skips non-object items", () => {
    const [, second, third, ...rest] = parseJsonFeed(FEED_11, FEED_URL).entries;
    expect(second).toMatchObject({
      id: "1",
      link: "https://elsewhere.example/1",
      content: "Plain &lt;text&gt;\nwith lines",
      author: "Feed Author",
    });
    expect(third).toMatchObject({ id: "", title: "no id or link", link: null, content: null, summary: null });
    expect(rest).toEqual([]);
  });

  it("reads JSON Feed 1.0's single author, and resolves against feed_url without a fetch URL", () => {
    const feed = parseJsonFeed(
      {
        version: "https://jsonfeed.org/version/1",
        feed_url: "https://one.example/feed.json",
        author: { name: "Solo" },
        items: [{ id: "a", url: "a.html" }],
      },
      null,
    );
    expect(feed.entries[0]).toMatchObject({ author: "Solo", link: "https://one.example/a.html" });
    expect(feed).toMatchObject({ title: null, link: null, description: null, language: null });
  });

  it("ignores fields of the wrong type", () => {
    const feed = parseJsonFeed(
      {
        version: "https://jsonfeed.org/version/1.1",
        title: 5,
        items: { not: "a list" },
        authors: "x",
        home_page_url: "javascript:alert(1)",
      },
      FEED_URL,
    );
    expect(feed).toMatchObject({ title: null, link: null, entries: [] });
    const [item] = parseJsonFeed(
      {
        version: "https://jsonfeed.org/version/1.1",
        items: [{ id: {}, date_published: 20100207, tags: "x", attachments: {}, content_html: "  " }],
      },
      FEED_URL,
    ).entries;
    expect(item).toMatchObject({ id: "", published: null, categories: [], enclosures: [], content: null });
  });

  it("refuses JSON that is no JSON Feed", () => {
    expect(() => parseJsonFeed({ hello: "world" }, FEED_URL)).toThrow(FeedParseError);
  });
});
