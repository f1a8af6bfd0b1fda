import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlExecutor } from "../shared/sql.ts";
import { searchTerms } from "./search-query.ts";
import { MARK_END, MARK_START, type NewsfeedStore } from "./store.ts";
import { entryFixture, memoryStore } from "./testing/fixtures.ts";

const NOW = Date.parse("2026-11-27T12:00:00.000Z");
const HOUR = 3_600_000;
let db: SqlExecutor;
let store: NewsfeedStore;
let close: () => void;

beforeEach(async () => {
  ({ db, store, close } = await memoryStore());
});
afterEach(() => close());

async function addFeed(url = "https://news.example/feed.xml") {
  const { feed } = await store.feeds.add({ url, addedBy: "alice", createdAt: NOW, nextCheckAt: NOW });
  return feed.id;
}

const titles = async () =>
  (await db.query<{ title: string }>("SELECT title FROM articles ORDER BY id")).map((r) => r.title);

describe("feeds", () => {
  it("adds a feed once per URL and lists it with its status", async () => {
    const first = await store.feeds.add({
      url: "https://a.example/rss",
      addedBy: "alice",
      createdAt: NOW,
      nextCheckAt: NOW,
    });
    const again = await store.feeds.add({
      url: "https://a.example/rss",
      addedBy: "bob",
      createdAt: NOW + 1,
      nextCheckAt: NOW,
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ feed: first.feed, created: false });
    expect(first.feed).toMatchObject({
      url: "https://a.example/rss",
      status: "active",
      addedBy: "alice",
      lastFetchAt: null,
      lastError: null,
      nextCheckAt: NOW,
      consecutiveFailures: 0,
      entryCount: 0,
    });
    const second = await addFeed("https://b.example/rss");
    expect((await store.feeds.list(10)).map((f) => f.id)).toEqual([first.feed.id, second]);
    expect((await store.feeds.list(10, first.feed.id)).map((f) => f.id)).toEqual([second]);
    expect(await store.feeds.get(999)).toBeUndefined();
  });

  it("records fetch outcomes and answers which feeds are due", async () => {
    const id = await addFeed();
    const other = await addFeed("https://b.example/rss");
    expect((await store.feeds.due(NOW, 10)).map((f) => f.id)).toEqual([id, other]);
    await store.feeds.recordFetch(id, {
      at: NOW,
      error: null,
      status: "active",
      nextCheckAt: NOW + HOUR,
      consecutiveFailures: 0,
      etag: '"v1"',
      lastModified: "Fri, 27 Nov 2026 11:00:00 GMT",
      title: "News",
      siteLink: "https://news.example/",
      format: "rss2",
    });
    expect(await store.feeds.get(id)).toMatchObject({
      lastFetchAt: NOW,
      lastSuccessAt: NOW,
      etag: '"v1"',
      title: "News",
      siteLink: "https://news.example/",
      format: "rss2",
      nextCheckAt: NOW + HOUR,
    });
    expect((await store.feeds.due(NOW, 10)).map((f) => f.id)).toEqual([other]);
    // A failure keeps the validators and the last success, and counts.
    await store.feeds.recordFetch(id, {
      at: NOW + HOUR,
      error: "HTTP 500",
      status: "disabled",
      nextCheckAt: null,
      consecutiveFailures: 3,
    });
    expect(await store.feeds.get(id)).toMatchObject({
      status: "disabled",
      lastError: "HTTP 500",
      lastFetchAt: NOW + HOUR,
      lastSuccessAt: NOW,
      etag: '"v1"',
      consecutiveFailures: 3,
      nextCheckAt: null,
    });
    expect((await store.feeds.due(NOW + 10 * HOUR, 10)).map((f) => f.id)).toEqual([other]);
    await store.feeds.reactivate(id, NOW + 2 * HOUR);
    expect(await store.feeds.get(id)).toMatchObject({
      status: "active",
      consecutiveFailures: 0,
      nextCheckAt: NOW + 2 * HOUR,
    });
  });

  it("reads a feed's newest entry times for its publishing rate", async () => {
    const id = await addFeed();
    await store.articles.upsert(
      id,
      [
        entryFixture("a", { published: "2026-11-20T10:00:00.000Z" }),
        entryFixture("b", { published: null, updated: "2026-11-21T10:00:00.000Z" }),
        entryFixture("c", { published: null }),
      ],
      NOW,
    );
    expect(await store.feeds.recentEntryTimes(id, 2)).toEqual([NOW, Date.parse("2026-11-21T10:00:00.000Z")]);
  });
});

describe("article dedupe", () => {
  it("identifies entries by id, else link, else a hash of title and content", async () => {
    const feed = await addFeed();
    const first = await store.articles.upsert(
      feed,
      [
        entryFixture("guid-1"),
        entryFixture("", { link: "https://news.example/by-link", title: "By link" }),
        entryFixture("", { link: null, title: "Only text", content: "<p>body</p>" }),
        entryFixture("guid-1", { title: "Listed twice: the first one wins" }),
      ],
      NOW,
    );
    expect(first.inserted.map((a) => a.entryKey)).toEqual([
      "guid-1",
      "https://news.example/by-link",
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    ]);
    expect(first.inserted[0]!.title).toBe("Story guid-1");
    // The same entries again (a new guid-less copy of the text entry hashes to the same key): nothing new.
    const again = await store.articles.upsert(
      feed,
      [
        entryFixture("guid-1"),
        entryFixture("", { link: "https://news.example/by-link", title: "By link" }),
        entryFixture("", { link: null, title: "Only text", content: "<p>body</p>" }),
      ],
      NOW + HOUR,
    );
    expect(again).toEqual({ inserted: [], updated: 0, unchanged: 3 });
    expect(await titles()).toEqual(["Story guid-1", "By link", "Only text"]);
    expect((await store.feeds.get(feed))!.entryCount).toBe(3);
  });

  it("updates an entry whose content changed, keeping when it was first seen and its likes", async () => {
    const feed = await addFeed();
    const [article] = (await store.articles.upsert(feed, [entryFixture("x")], NOW)).inserted;
    await store.people.like("alice", article!.id, NOW);
    const result = await store.articles.upsert(
      feed,
      [entryFixture("x", { title: "Corrected", categories: ["Rust"] }), entryFixture("y")],
      NOW + HOUR,
    );
    expect(result.updated).toBe(1);
    expect(result.inserted.map((a) => a.entryKey)).toEqual(["y"]);
    const updated = await store.articles.get(article!.id);
    expect(updated).toMatchObject({
      title: "Corrected",
      topics: ["rust"],
      seenAt: NOW,
      changedAt: NOW + HOUR,
      likeCount: 1,
    });
    expect(updated!.contentHash).not.toBe(article!.contentHash);
    expect((await store.feeds.get(feed))!.entryCount).toBe(2);
  });

  it("keeps the same guid in two feeds apart", async () => {
    const a = await addFeed("https://a.example/rss");
    const b = await addFeed("https://b.example/rss");
    await store.articles.upsert(a, [entryFixture("1")], NOW);
    const other = await store.articles.upsert(b, [entryFixture("1")], NOW);
    expect(other.inserted).toHaveLength(1);
    expect(await titles()).toEqual(["Story 1", "Story 1"]);
  });

  it("derives posted time, duplicate keys, topics and the searchable text", async () => {
    const feed = await addFeed();
    const { inserted } = await store.articles.upsert(
      feed,
      [
        entryFixture("future", { published: "2099-01-01T00:00:00.000Z" }),
        entryFixture("undated", {
          published: null,
          title: "The Undated Story",
          link: "https://www.news.example/a/?utm_source=x#top",
          summary: null,
          content: "<p>Fish &amp; chips&#33;\u0002</p>",
          categories: [" #Machine Learning ", "machine learning", ""],
          enclosures: [{ url: "https://news.example/a.mp3", type: "audio/mpeg", length: 10 }],
        }),
      ],
      NOW,
    );
    const [future, undated] = inserted;
    expect(future!.postedAt).toBe(NOW);
    expect(future!.publishedAt).toBe(Date.parse("2099-01-01T00:00:00.000Z"));
    expect(undated).toMatchObject({
      postedAt: NOW,
      linkKey: "news.example/a",
      titleKey: "the undated story",
      topics: ["machine-learning"],
      summaryText: "Fish & chips!",
      enclosures: [{ url: "https://news.example/a.mp3", type: "audio/mpeg", length: 10 }],
    });
    expect(await store.articles.getMany([undated!.id, undated!.id, 12345])).toHaveLength(1);
    expect(await store.articles.count()).toBe(2);
  });

  it("writes a large feed in one call", async () => {
    const feed = await addFeed();
    const entries = Array.from({ length: 1000 }, (_, i) => entryFixture(`e${i}`, { categories: ["bulk"] }));
    const { inserted } = await store.articles.upsert(feed, entries, NOW);
    expect(inserted).toHaveLength(1000);
    expect((await store.feeds.get(feed))!.entryCount).toBe(1000);
  });
});

describe("search", () => {
  it("finds titles and summaries, keeps the index in step with updates, and marks the match", async () => {
    const feed = await addFeed();
    await store.articles.upsert(
      feed,
      [
        entryFixture("1", { title: "Rust 2.0 released", summary: "<p>The <b>compiler</b> is faster</p>" }),
        entryFixture("2", { title: "Gardening", summary: "<p>Rust on tomato leaves</p>" }),
        entryFixture("3", { title: "Café culture", summary: "<p>Espresso</p>" }),
      ],
      NOW,
    );
    const rust = await store.search(searchTerms("rust"), 10, 0);
    // Title matches weigh more than summary matches.
    expect(rust.map((h) => h.article.entryKey)).toEqual(["1", "2"]);
    expect(rust[0]!.snippet).toContain(`${MARK_START}Rust${MARK_END}`);
    expect((await store.search(searchTerms("cafe"), 10, 0)).map((h) => h.article.entryKey)).toEqual(["3"]);
    expect((await store.search(searchTerms("compil*"), 10, 0)).map((h) => h.article.entryKey)).toEqual(["1"]);
    expect((await store.search(searchTerms("rust"), 1, 1)).map((h) => h.article.entryKey)).toEqual(["2"]);
    expect(await store.search([], 10, 0)).toEqual([]);

    await store.articles.upsert(
      feed,
      [entryFixture("2", { title: "Gardening", summary: "<p>Aphids</p>" })],
      NOW,
    );
    expect((await store.search(searchTerms("rust"), 10, 0)).map((h) => h.article.entryKey)).toEqual(["1"]);
    expect((await store.search(searchTerms("aphids"), 10, 0)).map((h) => h.article.entryKey)).toEqual(["2"]);
    await db.run("DELETE FROM articles WHERE entry_key = '2'");
    expect(await store.search(searchTerms("aphids"), 10, 0)).toEqual([]);
  });

  it("never lets input become FTS5 syntax", async () => {
    const feed = await addFeed();
    await store.articles.upsert(feed, [entryFixture("1", { title: "AND OR NOT near: title" })], NOW);
    for (const q of ["AND (", '"unclosed', "title:x", "NEAR(a b)", "-x", "a OR", "*", "^start", '""', "'"]) {
      await expect(store.search(searchTerms(q), 10, 0), q).resolves.toBeInstanceOf(Array);
    }
    expect((await store.search(searchTerms("near: AND"), 10, 0)).map((h) => h.article.entryKey)).toEqual([
      "1",
    ]);
  });
});
