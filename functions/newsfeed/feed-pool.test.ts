import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
});
