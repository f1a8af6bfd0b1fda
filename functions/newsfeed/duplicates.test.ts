import { describe, expect, it } from "vitest";
import {
  compareIds,
  DUPLICATE_WINDOW_MS,
  type FeedArticle,
  HOUR_MS,
  linkKey,
  mergeDuplicates,
  titleKey,
} from "./duplicates.ts";

const T0 = Date.UTC(2025, 0, 1);

function article(over: Partial<FeedArticle> & Pick<FeedArticle, "id">): FeedArticle {
  return { sourceId: "s1", link: null, title: null, publishedAt: T0, likes: 0, topics: [], ...over };
}

describe("linkKey", () => {
  it("drops tracking params, fragment, default port, trailing slashes, scheme and www.", () => {
    const plain = linkKey("https://example.com/news/story");
    expect(plain).toBe("example.com/news/story");
    for (const variant of [
      "https://example.com/news/story/",
      "https://example.com/news/story//",
      "http://example.com/news/story",
      "https://www.example.com/news/story",
      "https://EXAMPLE.com:443/news/story",
      "http://example.com:80/news/story",
      "https://example.com/news/story#comments",
      "https://example.com/news/story?utm_source=rss&utm_medium=feed&UTM_Campaign=x",
      "https://example.com/news/story?fbclid=abc&gclid=def&mc_cid=1&msclkid=2",
      "  https://example.com/news/story/?utm_source=a#top  ",
    ]) {
      expect(linkKey(variant), variant).toBe(plain);
    }
  });

  it("keeps meaningful params (sorted), non-default ports and path case", () => {
    expect(linkKey("https://example.com/a?b=2&a=1&utm_source=x")).toBe("example.com/a?a=1&b=2");
    expect(linkKey("https://example.com/a?b=0&a=2&a=1")).toBe("example.com/a?a=2&a=1&b=0");
    expect(linkKey("https://example.com/a?x=2&x=1")).toBe("example.com/a?x=2&x=1");
    expect(linkKey("https://example.com/a?a=1&c=3&b=2")).toBe("example.com/a?a=1&b=2&c=3");
    expect(linkKey("https://example.com:8443/A")).toBe("example.com:8443/A");
    expect(linkKey("https://example.com/")).toBe("example.com");
    expect(linkKey("https://example.com/a")).not.toBe(linkKey("https://example.com/A"));
  });

  it("is null for no link, an unparsable one or another scheme", () => {
    expect(linkKey(null)).toBeNull();
    expect(linkKey("")).toBeNull();
    expect(linkKey("not a url")).toBeNull();
    expect(linkKey("ftp://example.com/file")).toBeNull();
    expect(linkKey("javascript:alert(1)")).toBeNull();
  });
});

describe("titleKey", () => {
  it("ignores case, accents, punctuation, quotes and spacing", () => {
    const key = titleKey("Café opens in “Paris” — today!");
    expect(key).toBe("cafe opens in paris today");
    expect(titleKey('cafe  OPENS in "Paris": today')).toBe(key);
    expect(titleKey("Rust 1.80 released")).toBe("rust 1 80 released");
  });

  it("is null for titles too short to tell stories apart", () => {
    expect(titleKey(null)).toBeNull();
    expect(titleKey("")).toBeNull();
    expect(titleKey("Open thread!")).toBeNull();
    expect(titleKey("— … —")).toBeNull();
  });
});

describe("compareIds", () => {
  it("orders numbers numerically, before strings, and strings by code unit", () => {
    const ids = ["b", 10, "a", 2, "B", 1];
    expect(ids.sort(compareIds)).toEqual([1, 2, 10, "B", "a", "b"]);
    expect(compareIds("x", "x")).toBe(0);
  });
});

describe("mergeDuplicates", () => {
  it("merges the same link across sources: most-liked representative, likes added, earliest time", () => {
    const stories = mergeDuplicates([
      article({
        id: "a1",
        sourceId: "s1",
        link: "https://ex.com/story?utm_source=s1",
        likes: 2,
        topics: ["rust"],
      }),
      article({ id: "b1", sourceId: "s2", link: "https://other.org/unrelated", publishedAt: T0 + HOUR_MS }),
      article({
        id: "a2",
        sourceId: "s2",
        link: "http://www.ex.com/story/#top",
        likes: 5,
        publishedAt: T0 + 3 * HOUR_MS,
        topics: ["news", "rust"],
      }),
    ]);
    expect(stories.map((story) => story.id)).toEqual(["a2", "b1"]);
    const [merged] = stories;
    expect(merged).toMatchObject({
      id: "a2",
      duplicateIds: ["a1"],
      sourceIds: ["s2", "s1"],
      likes: 7,
      publishedAt: T0,
      topics: ["news", "rust"],
    });
    expect(merged!.representative.id).toBe("a2");
  });

  it("merges near-identical titles within the window, not beyond it", () => {
    const stories = mergeDuplicates([
      article({ id: "x1", sourceId: "s1", title: "Big News: Rust 2.0 ships", link: "https://a.com/1" }),
      article({
        id: "x2",
        sourceId: "s2",
        title: "big news — rust 2.0 ships",
        link: "https://b.com/2",
        publishedAt: T0 + DUPLICATE_WINDOW_MS,
      }),
      article({
        id: "x3",
        sourceId: "s3",
        title: "BIG NEWS: RUST 2.0 SHIPS",
        publishedAt: T0 + 3 * DUPLICATE_WINDOW_MS,
      }),
    ]);
    // x1 and x2 are exactly one window apart (merged); x3 is two windows after x2 (a story of its own).
    expect(stories.map((story) => [story.id, story.duplicateIds])).toEqual([
      ["x1", ["x2"]],
      ["x3", []],
    ]);
  });

  it("merges copies that share both link and title once", () => {
    const copy = { link: "https://ex.com/same", title: "The very same story" };
    const stories = mergeDuplicates([
      article({ id: "1", ...copy }),
      article({ id: "2", sourceId: "s2", ...copy }),
      article({ id: "3", sourceId: "s3", ...copy }),
    ]);
    expect(stories.map((story) => [story.id, story.duplicateIds])).toEqual([["1", ["2", "3"]]]);
  });

  it("takes the window from the options", () => {
    const copies = [
      article({ id: "1", title: "Three word title" }),
      article({ id: "2", title: "Three word title", publishedAt: T0 + 2 * HOUR_MS }),
    ];
    expect(mergeDuplicates(copies, { windowMs: HOUR_MS })).toHaveLength(2);
    expect(mergeDuplicates(copies)).toHaveLength(1);
  });

  it("closes the relation: A~B by link and B~C by title make one story", () => {
    const stories = mergeDuplicates([
      article({ id: "c", sourceId: "s3", title: "Quantum chip unveiled today", publishedAt: T0 + HOUR_MS }),
      article({ id: "a", sourceId: "s1", link: "https://ex.com/q" }),
      article({
        id: "b",
        sourceId: "s2",
        link: "https://ex.com/q?gclid=1",
        title: "Quantum chip unveiled today!",
      }),
    ]);
    expect(stories).toHaveLength(1);
    // All at 0 likes: the earliest copies (a, b at T0) win over c; between a and b the smaller id.
    expect(stories[0]).toMatchObject({ id: "a", duplicateIds: ["b", "c"], sourceIds: ["s1", "s2", "s3"] });
  });

  it("breaks representative ties by time, then id (numbers too)", () => {
    const byTime = mergeDuplicates([
      article({ id: 9, link: "https://ex.com/t", publishedAt: T0 + HOUR_MS }),
      article({ id: 10, link: "https://ex.com/t", publishedAt: T0 }),
    ]);
    expect(byTime[0]).toMatchObject({ id: 10, duplicateIds: [9] });
    const byId = mergeDuplicates([
      article({ id: 10, link: "https://ex.com/t" }),
      article({ id: 9, link: "https://ex.com/t" }),
      article({ id: 2, link: "https://ex.com/t" }),
    ]);
    expect(byId[0]).toMatchObject({ id: 2, duplicateIds: [9, 10] });
  });

  it("uses keys computed at ingestion when given (null means: no key)", () => {
    const stories = mergeDuplicates([
      article({ id: "1", link: "https://a.com/x", linkKey: "shared" }),
      article({ id: "2", link: "https://b.com/y", linkKey: "shared" }),
      article({ id: "3", link: "https://a.com/x", linkKey: null, title: "Same long title", titleKey: null }),
      article({ id: "4", title: "Same long title" }),
    ]);
    expect(stories.map((story) => story.id)).toEqual(["1", "3", "4"]);
    expect(stories[0]!.duplicateIds).toEqual(["2"]);
  });

  it("keeps a lone article as it is and an empty input empty", () => {
    expect(mergeDuplicates([])).toEqual([]);
    const lone = article({ id: "z", sourceId: "s9", likes: 3, topics: ["a", "b"] });
    expect(mergeDuplicates([lone])).toEqual([
      {
        id: "z",
        representative: lone,
        duplicateIds: [],
        sourceIds: ["s9"],
        likes: 3,
        publishedAt: T0,
        topics: ["a", "b"],
      },
    ]);
  });
});
