import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SqlExecutor } from "../shared/sql.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog } from "../shared/testing/log.ts";
import { FeedPool } from "./feed-pool.ts";
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

const add = async (...keys: string[]) =>
  (
    await store.articles.upsert(
      feedId,
      keys.map((k) => entryFixture(k)),
      NOW,
    )
  ).inserted.map((a) => a.id);
const titles = async (pool: FeedPool) => (await pool.snapshot()).articles.map((a) => a.title).sort();

describe("FeedPool", () => {
  it("keeps the candidates in memory until they are older than ttlMs, then reloads behind a request", async () => {
    await add("a");
    const pool = new FeedPool(store, { now: () => now, ttlMs: 1000 });
    expect(await titles(pool)).toEqual(["Story a"]);
    await add("b");
    expect(await titles(pool)).toEqual(["Story a"]);
    now += 1000;
    // The request that notices serves the old pool; the reload lands for the next one.
    expect(await titles(pool)).toEqual(["Story a"]);
    await eventually(
      () => titles(pool),
      (t) => t.length === 2,
      { what: "the background reload" },
    );
  });

  it("reloads before the next request after new articles were stored here", async () => {
    await add("a");
    const pool = new FeedPool(store, { now: () => now });
    await pool.snapshot();
    await add("b");
    pool.invalidate();
    expect(await titles(pool)).toEqual(["Story a", "Story b"]);
  });

  it("applies this replica's likes in place and re-merges the stories", async () => {
    const [a, b] = await add("a", "b");
    const pool = new FeedPool(store, { now: () => now });
    const before = await pool.snapshot();
    expect(before.stories().map((s) => s.likes)).toEqual([0, 0]);
    pool.liked(a!, 3);
    pool.liked(b!, 0);
    pool.liked(12345, 1);
    const after = await pool.snapshot();
    expect(after.byId.get(a!)!.likes).toBe(3);
    expect(after.stories().find((s) => s.id === a)!.likes).toBe(3);
    new FeedPool(store).liked(a!, 1);
  });

  it("keeps serving the old pool when a reload fails, and says so", async () => {
    await add("a");
    const { log, lines } = captureLog();
    const pool = new FeedPool(store, { now: () => now, ttlMs: 10, log });
    await pool.snapshot();
    await db.run("DROP TABLE articles_fts");
    await db.run("DROP TABLE articles");
    now += 10;
    expect(await titles(pool)).toEqual(["Story a"]);
    await eventually(
      () => lines.map((l) => l.msg),
      (msgs) => msgs.includes("feed pool reload failed"),
      { what: "the failure to be logged" },
    );
  });

  it("caches follows for followsTtlMs, and followed candidates while the follows and articles stay", async () => {
    const [a, b] = await add("a", "b");
    await store.people.followSource("u1", feedId, NOW);
    const cached = new FeedPool(store, { now: () => now });
    const follows = await cached.follows("u1");
    expect(follows).toEqual({ sources: [feedId], topics: [] });
    await store.people.followTopic("u1", "rust", NOW);
    expect(await cached.follows("u1")).toBe(follows);
    // Told of the change (the follow routes do this), the next read is fresh; others' caches stay.
    cached.followsChanged("u1");
    cached.followsChanged("nobody-cached");
    expect((await cached.follows("u1")).topics).toEqual(["rust"]);
    // A zero TTL always reads: the new follow shows.
    const uncached = new FeedPool(store, { now: () => now, followsTtlMs: 0, followedTtlMs: 0 });
    const current = await uncached.follows("u1");
    expect(current.topics).toEqual(["rust"]);

    const extra = await cached.followedCandidates("u1", follows);
    expect(extra.map((c) => c.id).sort()).toEqual([a, b]);
    expect(await cached.followedCandidates("u1", follows)).toBe(extra);
    // A like here reaches the cached copy; other follows, new articles or `since` read again.
    const before = cached.version;
    cached.liked(a!, 7);
    expect(extra.find((c) => c.id === a)?.likes).toBe(7);
    expect(cached.version).toBeGreaterThan(before); // pages merged from the old count are recomputed
    expect(await cached.followedCandidates("u1", current)).not.toBe(extra);
    const [c] = await add("c");
    cached.invalidate();
    expect((await cached.followedCandidates("u1", current)).map((x) => x.id)).toContain(c);
    expect(await cached.followedCandidates("u1", current, NOW + 1)).toEqual([]);
    expect((await uncached.followedCandidates("u1", current)).length).toBe(3);
  });

  it("caches article records and feed names for recordsTtlMs, within maxEntries", async () => {
    const [a, b] = await add("a", "b");
    const pool = new FeedPool(store, { now: () => now, maxEntries: 1 });
    const first = await pool.articles([a!, 999]);
    expect([...first.keys()]).toEqual([a]);
    await db.run("UPDATE articles SET title = 'Edited' WHERE id = ?", [a!]);
    expect((await pool.articles([a!])).get(a!)?.title).toBe("Story a");
    // Past maxEntries the cache starts over: b's read pushes a out.
    expect((await pool.articles([b!])).get(b!)?.title).toBe("Story b");
    expect((await pool.articles([a!])).get(a!)?.title).toBe("Edited");
    expect((await pool.feedRefs([feedId])).get(feedId)?.url).toBe("https://a.example/rss");
    const fresh = new FeedPool(store, { now: () => now, recordsTtlMs: 0 });
    await fresh.articles([a!]);
    await db.run("UPDATE articles SET title = 'Again' WHERE id = ?", [a!]);
    expect((await fresh.articles([a!])).get(a!)?.title).toBe("Again");
  });

  it("keeps its pool and version over a reload that read the same candidates, not over one that did not", async () => {
    const [a] = await add("a");
    const reads = vi.spyOn(store, "globalCandidates");
    const pool = new FeedPool(store, { now: () => now, ttlMs: 1000 });
    /** Serves a request once the pool is stale (it starts a reload behind it) and waits for that reload. */
    const reload = async () => {
      const before = reads.mock.calls.length;
      now += 1000;
      await pool.snapshot();
      await vi.waitFor(() => expect(reads.mock.calls.length).toBeGreaterThan(before));
      await reads.mock.results.at(-1)!.value;
      await new Promise((resolve) => setImmediate(resolve)); // the reload's continuation after the read
    };
    const first = await pool.snapshot();
    const version = pool.version;
    await reload();
    expect(pool.version).toBe(version);
    expect((await pool.snapshot()).articles).toBe(first.articles);
    await db.run("UPDATE articles SET like_count = 5 WHERE id = ?", [a!]);
    await reload();
    expect(pool.version).toBeGreaterThan(version);
    expect((await pool.snapshot()).byId.get(a!)?.likes).toBe(5);
  });

  it("bumps its version when what it ranks changed", async () => {
    const [a] = await add("a");
    const pool = new FeedPool(store, { now: () => now });
    await pool.snapshot();
    const loaded = pool.version;
    pool.liked(a!, 0);
    expect(pool.version).toBe(loaded);
    pool.liked(a!, 3);
    expect(pool.version).toBeGreaterThan(loaded);
    const liked = pool.version;
    pool.invalidate();
    expect(pool.version).toBeGreaterThan(liked);
  });
});
