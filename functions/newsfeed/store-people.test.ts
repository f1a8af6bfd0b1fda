import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewsfeedStore } from "./store.ts";
import { entryFixture, memoryStore } from "./testing/fixtures.ts";

const NOW = Date.parse("2026-11-27T12:00:00.000Z");
const HOUR = 3_600_000;
let store: NewsfeedStore;
let close: () => void;

beforeEach(async () => {
  ({ store, close } = await memoryStore());
});
afterEach(() => close());

async function addFeed(url = "https://news.example/feed.xml") {
  const { feed } = await store.feeds.add({ url, addedBy: "alice", createdAt: NOW, nextCheckAt: NOW });
  return feed.id;
}

describe("follows", () => {
  it("follows and unfollows sources and topics, idempotently", async () => {
    const a = await addFeed("https://a.example/rss");
    const b = await addFeed("https://b.example/rss");
    expect(await store.people.followSource("alice", b, NOW)).toBe(true);
    expect(await store.people.followSource("alice", a, NOW + 1)).toBe(true);
    expect(await store.people.followSource("alice", a, NOW + 2)).toBe(false);
    expect(await store.people.followTopic("alice", "rust", NOW)).toBe(true);
    expect(await store.people.followTopic("alice", "rust", NOW)).toBe(false);
    expect(await store.people.follows("alice")).toEqual({ sources: [b, a], topics: ["rust"] });
    expect(await store.people.followCount("alice")).toBe(3);
    expect(await store.people.unfollowSource("alice", b)).toBe(true);
    expect(await store.people.unfollowSource("alice", b)).toBe(false);
    expect(await store.people.unfollowTopic("alice", "rust")).toBe(true);
    expect(await store.people.unfollowTopic("alice", "rust")).toBe(false);
    expect(await store.people.follows("alice")).toEqual({ sources: [a], topics: [] });
    expect(await store.people.follows("nobody")).toEqual({ sources: [], topics: [] });
  });

  it("names the audience of a new article: followers of its feed or of any of its topics", async () => {
    const a = await addFeed("https://a.example/rss");
    const b = await addFeed("https://b.example/rss");
    await store.people.followSource("bob", a, NOW);
    await store.people.followSource("carol", b, NOW);
    await store.people.followTopic("alice", "rust", NOW);
    await store.people.followTopic("bob", "rust", NOW);
    expect(await store.people.audience(a, ["rust", "go"])).toEqual(["alice", "bob"]);
    expect(await store.people.audience(b, [])).toEqual(["carol"]);
  });
});

describe("likes", () => {
  it("likes once per user, unlikes, and keeps the count exact", async () => {
    const feed = await addFeed();
    const [article] = (await store.articles.upsert(feed, [entryFixture("1")], NOW)).inserted;
    const id = article!.id;
    expect(await store.people.like("alice", id, NOW)).toEqual({ changed: true, likes: 1 });
    expect(await store.people.like("alice", id, NOW)).toEqual({ changed: false, likes: 1 });
    expect(await store.people.like("bob", id, NOW)).toEqual({ changed: true, likes: 2 });
    expect(await store.people.likedAmong("alice", [id, 999])).toEqual(new Set([id]));
    expect(await store.people.likedAmong("alice", [])).toEqual(new Set());
    expect(await store.people.unlike("alice", id)).toEqual({ changed: true, likes: 1 });
    expect(await store.people.unlike("alice", id)).toEqual({ changed: false, likes: 1 });
    expect(await store.people.like("alice", 999, NOW)).toBeUndefined();
    expect(await store.people.unlike("alice", 999)).toBeUndefined();
  });

  it("pages through every like in (article, user) order", async () => {
    const feed = await addFeed();
    const { inserted } = await store.articles.upsert(feed, [entryFixture("1"), entryFixture("2")], NOW);
    const [one, two] = inserted.map((a) => a.id);
    for (const [user, article] of [
      ["bob", two],
      ["alice", one],
      ["carol", one],
      ["alice", two],
    ] as const) {
      await store.people.like(user, article!, NOW);
    }
    const first = await store.people.likesPage(3);
    expect(first).toEqual([
      { userId: "alice", articleId: one },
      { userId: "carol", articleId: one },
      { userId: "alice", articleId: two },
    ]);
    expect(await store.people.likesPage(3, first.at(-1))).toEqual([{ userId: "bob", articleId: two }]);
  });
});

describe("candidates", () => {
  it("returns the newest articles plus the most liked of the window, text left out", async () => {
    const a = await addFeed("https://a.example/rss");
    const b = await addFeed("https://b.example/rss");
    const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
    const { inserted } = await store.articles.upsert(
      a,
      [
        entryFixture("old-liked", { published: at(30) }),
        entryFixture("old", { published: at(20) }),
        entryFixture("new", {
          published: at(1),
          categories: ["Rust"],
          link: "https://www.x.example/n?utm_x=1",
        }),
      ],
      NOW,
    );
    await store.articles.upsert(b, [entryFixture("b-new", { published: at(2) })], NOW);
    await store.people.like("alice", inserted[0]!.id, NOW);
    const titles = (list: { title: string | null }[]) => list.map((x) => x.title).sort();

    const global = await store.globalCandidates({ newest: 2, liked: 2, popularSince: NOW - 48 * HOUR });
    expect(titles(global)).toEqual(["Story b-new", "Story new", "Story old-liked"]);
    expect(global.find((c) => c.title === "Story new")).toEqual({
      id: inserted[2]!.id,
      sourceId: a,
      link: "https://www.x.example/n?utm_x=1",
      title: "Story new",
      publishedAt: NOW - HOUR,
      likes: 0,
      topics: ["rust"],
      linkKey: "x.example/n",
      titleKey: null,
    });
    const narrow = await store.globalCandidates({ newest: 2, liked: 2, popularSince: NOW - 24 * HOUR });
    expect(titles(narrow)).toEqual(["Story b-new", "Story new"]);

    await store.people.followSource("bob", b, NOW);
    await store.people.followTopic("bob", "rust", NOW);
    expect(titles(await store.followedCandidates("bob", 10))).toEqual(["Story b-new", "Story new"]);
    await store.people.followSource("carol", a, NOW);
    expect(titles(await store.followedCandidates("carol", 2))).toEqual(["Story new", "Story old"]);
    expect(titles(await store.followedCandidates("carol", 10, NOW - 25 * HOUR))).toEqual([
      "Story new",
      "Story old",
    ]);
    expect(await store.followedCandidates("nobody", 10)).toEqual([]);
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
