import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlExecutor } from "../shared/sql.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import type { LikeEvent, LikeEvents } from "./like-events.ts";
import { Recommender } from "./recommender.ts";
import type { NewsfeedStore } from "./store.ts";
import { entryFixture, memoryStore } from "./testing/fixtures.ts";

const NOW = Date.parse("2026-11-27T12:00:00.000Z");
let db: SqlExecutor;
let store: NewsfeedStore;
let close: () => void;
let now: number;
let feedId: number;

beforeEach(async () => {
  ({ db, store, close } = await memoryStore());
  now = NOW;
  ({
    feed: { id: feedId },
  } = await store.feeds.add({
    url: "https://a.example/rss",
    addedBy: null,
    createdAt: NOW,
    nextCheckAt: NOW,
  }));
});
afterEach(() => close());

async function articles(...keys: string[]): Promise<number[]> {
  const { inserted } = await store.articles.upsert(
    feedId,
    keys.map((k) => entryFixture(k, { published: new Date(NOW - 3_600_000).toISOString() })),
    now,
  );
  return inserted.map((a) => a.id);
}

function recommender(options: Partial<ConstructorParameters<typeof Recommender>[1]> = {}) {
  return new Recommender(store, { log: silentLog, now: () => now, pageSize: 2, ...options });
}

const ids = (list: { itemId: unknown }[]) => list.map((r) => Number(r.itemId));
const forUser = (r: Recommender, user: string) => r.recommend(user, { followedTopics: [], limit: 10 });

describe("Recommender", () => {
  it("builds from the store on first use, a page at a time", async () => {
    const [a, b, c] = await articles("a", "b", "c");
    for (const [user, article] of [
      ["u1", a],
      ["u1", b],
      ["u2", a],
      ["u2", b],
      ["u3", a],
    ] as const) {
      await store.people.like(user, article!, NOW);
    }
    const recs = await forUser(recommender(), "u3");
    expect(recs[0]).toMatchObject({ itemId: b, basis: { kind: "co-liked", itemId: a } });
    expect(ids(recs)).toEqual(expect.arrayContaining([b, c]));
    expect(ids(recs)).not.toContain(a);
  });

  it("replays likes made while it was building, and applies later ones at once", async () => {
    const [a, b] = await articles("a", "b");
    const r = recommender();
    const building = forUser(r, "u1");
    // Not in the store: only the replay can bring it in.
    await r.liked({ op: "like", userId: "u1", articleId: a! });
    expect(ids(await building)).toEqual([b]);
    await r.liked({ op: "unlike", userId: "u1", articleId: a! });
    expect(ids(await forUser(r, "u1")).sort()).toEqual([a, b]);
  });

  it("leaves out what it is told to exclude", async () => {
    const [a, b] = await articles("a", "b");
    const recs = await recommender().recommend("u1", { followedTopics: [], limit: 10, exclude: [a!] });
    expect(ids(recs)).toEqual([b]);
  });

  it("picks up articles ingested here at once, and elsewhere after refreshMs", async () => {
    const [a] = await articles("a");
    const r = recommender({ refreshMs: 1000 });
    expect(ids(await forUser(r, "u1"))).toEqual([a]);
    // Another replica's ingestion: only the store knows.
    const [b] = await articles("b");
    expect(ids(await forUser(r, "u1"))).toEqual([a]);
    // Past the refresh, and past the index's own popularity-pool cache (a minute).
    now += 60_000;
    expect(ids(await forUser(r, "u1")).sort()).toEqual([a, b]);
    // This replica's ingestion tells the recommender directly: no store read needed.
    const [c] = await articles("c");
    await db.run("DELETE FROM articles WHERE id = ?", [c!]);
    r.added([{ ...(await store.articles.get(a!))!, id: c!, title: "only in memory" }]);
    now += 60_000;
    expect(ids(await forUser(r, "u1"))).toContain(c);
  });

  it("ignores new articles before it is built, and rebuilds in the background after rebuildMs", async () => {
    const [a, b] = await articles("a", "b");
    const r = recommender({ rebuildMs: 60_000 });
    r.added([(await store.articles.get(a!))!]);
    expect(ids(await forUser(r, "u1")).sort()).toEqual([a, b]);
    // A like nobody announced (a lost pub/sub message): the rebuild brings it in.
    await store.people.like("u1", a!, NOW);
    expect(ids(await forUser(r, "u1")).sort()).toEqual([a, b]);
    now += 60_000;
    await eventually(
      () => forUser(r, "u1"),
      (recs) => !ids(recs).includes(a!),
      { what: "the rebuilt index to know the like" },
    );
  });

  it("logs a failed rebuild and keeps answering from the old index", async () => {
    const [a] = await articles("a");
    const { log, lines } = captureLog();
    const r = recommender({ log, rebuildMs: 1 });
    expect(ids(await forUser(r, "u1"))).toEqual([a]);
    await db.run("DROP TABLE likes");
    now += 10;
    expect(ids(await forUser(r, "u1"))).toEqual([a]);
    await eventually(
      () => lines.map((l) => l.msg),
      (msgs) => msgs.includes("recommendation index rebuild failed"),
      { what: "the rebuild failure to be logged" },
    );
  });

  it("applies the other replicas' events and publishes its own", async () => {
    const [a, b] = await articles("a", "b");
    let deliver: ((event: LikeEvent) => void) | undefined;
    const sent: LikeEvent[] = [];
    let closed = false;
    const events: LikeEvents = {
      publish: async (event) => {
        sent.push(event);
      },
      subscribe: async (handler) => {
        deliver = handler;
      },
      close: async () => {
        closed = true;
      },
    };
    const r = recommender({ events });
    await r.start();
    await forUser(r, "u1");
    deliver!({ op: "like", userId: "u1", articleId: b! });
    expect(ids(await forUser(r, "u1"))).toEqual([a]);
    await r.liked({ op: "like", userId: "u2", articleId: a! });
    expect(sent).toEqual([{ op: "like", userId: "u2", articleId: a }]);
    await r.close();
    expect(closed).toBe(true);
  });

  it("reuses a user's answer until their own like, new articles or answerTtlMs", async () => {
    const [a, b, c] = await articles("a", "b", "c");
    await store.people.like("u2", a!, NOW);
    await store.people.like("u2", b!, NOW);
    const r = recommender({ answerTtlMs: 60_000 });
    const first = await forUser(r, "u1");
    expect(ids(first).sort()).toEqual([a, b, c]);
    // Another user's like, told to this replica: u1's cached answer may lag it (by up to answerTtlMs).
    await r.liked({ op: "like", userId: "u3", articleId: c! });
    expect(await forUser(r, "u1")).toBe(first);
    // u1's own like drops u1's answer at once.
    await r.liked({ op: "like", userId: "u1", articleId: a! });
    const afterLike = await forUser(r, "u1");
    expect(afterLike[0]).toMatchObject({ itemId: b, basis: { kind: "co-liked", itemId: a } });
    expect(ids(afterLike)).not.toContain(a);
    // Articles ingested here drop every answer (the clock moves past the index's popularity pools too,
    // which alone would not drop a cached answer); other options are another answer.
    now += 60_000;
    r.added([{ ...(await store.articles.get(a!))!, id: 999, title: "new" }]);
    expect(ids(await forUser(r, "u1"))).toContain(999);
    expect(await r.recommend("u1", { followedTopics: [], limit: 1 })).toHaveLength(1);
    // A zero TTL never reuses.
    const uncached = recommender({ answerTtlMs: 0 });
    expect(await forUser(uncached, "u1")).not.toBe(await forUser(uncached, "u1"));
  });

  it("answers the recommendations page: articles, feeds, topics followed and copies of likes left out", async () => {
    const [a, b] = await articles("a", "b");
    // Another feed's copy of "a" (same link): liking "a" must hide it.
    const { feed: other } = await store.feeds.add({
      url: "https://b.example/rss",
      addedBy: null,
      createdAt: NOW,
      nextCheckAt: NOW,
    });
    const { inserted } = await store.articles.upsert(
      other.id,
      [entryFixture("a-copy", { link: "https://news.example/a", published: new Date(NOW).toISOString() })],
      now,
    );
    const copy = inserted[0]!.id;
    await store.people.like("u1", a!, NOW);
    const r = recommender({ answerTtlMs: 60_000 });
    const page = await r.page("u1", 10);
    expect(ids(page.recommendations)).toEqual([b]);
    expect(page.articles.get(b!)?.title).toBe("Story b");
    expect(page.feeds.get(feedId)?.url).toBe("https://a.example/rss");
    expect(await r.page("u1", 10)).toBe(page);
    // The user's own unlike drops the page; the copy comes back too.
    await store.people.unlike("u1", a!);
    await r.liked({ op: "unlike", userId: "u1", articleId: a! });
    expect(ids((await r.page("u1", 10)).recommendations).sort((x, y) => x - y)).toEqual([a, b, copy]);
  });
});
