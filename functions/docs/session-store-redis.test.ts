/**
 * RedisSessionStore over a real redis-server and libSQL: the port suite, the keys it keeps, and replicas
 * racing for versions converging. Faults are in session-store-redis.faults.test.ts, pub/sub in
 * session-store-redis.replication.test.ts; the shared setup is testing/redis-docs.ts.
 */
import { describe, expect, it, vi } from "vitest";
import { seededRandom } from "../shared/seeded-random.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { DocumentSession } from "./session.ts";
import { StoreConflictError } from "./session-store.ts";
import { RedisSessionStore } from "./session-store-redis.ts";
import { expectConverged, keys, SEED, typeConcurrently, useRedisDocs } from "./testing/redis-docs.ts";
import { sessionStoreSuite } from "./testing/session-store-suite.ts";

describe.skipIf(skipWithoutRedis("redis session store"))("RedisSessionStore (redis-server + libSQL)", () => {
  const redis = useRedisServer();
  const docs = useRedisDocs(redis);
  const { replica, database } = docs;

  describe("the port suite", () => {
    sessionStoreSuite(async () => {
      await docs.raw.flushall();
      return (await replica(database())).store;
    });
  });

  it("keeps a document's keys under its hash tag, only the recent window, with an expiry", async () => {
    const { store, durable } = await replica(database(), { prefix: "t:", window: 3 });
    await store.create("doc", "");
    for (let v = 0; v < 5; v++) await store.append("doc", v, { op: [v, "x"], src: "a", seq: v });
    expect(store.keys("doc")).toEqual({ state: "t:{doc}:state", log: "t:{doc}:log", channel: "t:{doc}:ops" });
    expect(await docs.raw.hgetall("t:{doc}:state")).toMatchObject({ next: "5", durable: "5" });
    expect(await docs.raw.zcard("t:{doc}:log")).toBe(3);
    expect(await docs.raw.ttl("t:{doc}:log")).toBeGreaterThan(0);
    expect(await store.ops("doc", 0)).toEqual(await durable.ops("doc", 0)); // older than the window: SQL
    expect(await store.ops("doc", 3, 4)).toEqual([{ v: 3, op: [3, "x"], src: "a", seq: 3 }]);
    expect(() => new RedisSessionStore(docs.raw, durable, { window: 0 })).toThrow(RangeError);
  });

  it("two replicas typing concurrently converge on one gap-free log", async () => {
    const url = database();
    const replicas = [await replica(url), await replica(url)];
    const appends = replicas.map((r) => vi.spyOn(r.store, "append"));
    const start = "The quick brown 🦊 jumps";
    await replicas[0]!.registry.create("doc", start);
    await typeConcurrently(replicas, seededRandom(SEED), 40);
    await expectConverged(replicas, start);
    // The replicas did race for versions: some appends lost and were transformed and retried.
    const lost = appends.flatMap((spy) => spy.mock.settledResults).filter((r) => r.type === "rejected");
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((r) => r.value instanceof StoreConflictError)).toBe(true);
  });

  it("the session that loses a version catches up and retries", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "hello");
    const second = await DocumentSession.open("doc", b.store);
    const appends = vi.spyOn(b.store, "append");
    await first.submit({ v: 0, op: [5, " world"], src: "a", seq: 0 });
    expect(await second.submit({ v: 0, op: ["Oh, "], src: "b", seq: 0 })).toEqual({
      version: 2,
      op: ["Oh, "],
    });
    expect(appends.mock.calls.map(([, version]) => version)).toEqual([0, 1]);
    expect(second.text()).toBe("Oh, hello world");
    await first.catchUp();
    expect(first.text()).toBe(second.text());
  });

  it("create clears a removed document's leftovers; remove drops the keys", async () => {
    const { store } = await replica(database());
    await docs.raw.hset(keys.state, "next", 57, "durable", 57);
    await docs.raw.zadd(keys.log, 3, JSON.stringify({ v: 3, op: ["old"], src: "x", seq: 0 }));
    await store.create("doc", "");
    expect(await docs.raw.hgetall(keys.state)).toEqual({ next: "0" });
    expect(await store.ops("doc", 0)).toEqual([]);
    await store.append("doc", 0, { op: ["a"], src: "a", seq: 0 });
    await store.remove("doc");
    expect(await docs.raw.exists(keys.state, keys.log)).toBe(0);
  });
});
