import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Cache } from "./cache.ts";
import { redisCache } from "./cache-redis.ts";
import { createLogger, type Logger } from "./logger.ts";
import { connectRedis, type RedisConnection } from "./redis.ts";
import { eventually } from "./testing/eventually.ts";
import { createGate } from "./testing/gate.ts";
import { captureLog } from "./testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "./testing/redis-server.ts";

const PREFIX = "canary:cache:";

describe.skipIf(skipWithoutRedis("redis cache"))("redisCache against redis-server", () => {
  const server = useRedisServer();
  const silent = createLogger({ service: "test", level: "silent" });
  let raw: Redis;
  let connections: RedisConnection[] = [];
  let caches: Cache[] = [];

  /** One replica: its own command and subscriber connections, its own LRU. */
  async function replica(options: { localTtlSeconds?: number; log?: Logger; redeleteAfterMs?: number } = {}) {
    const connection = connectRedis(server.url, options.log ?? silent);
    connections.push(connection);
    const cache = await redisCache(connection, {
      log: options.log ?? silent,
      localTtlSeconds: options.localTtlSeconds,
      redeleteAfterMs: options.redeleteAfterMs,
    });
    caches.push(cache);
    return { cache, connection };
  }

  beforeAll(() => {
    raw = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.all(caches.map((c) => c.close?.()));
    await Promise.all(connections.map((c) => c.close()));
    caches = [];
    connections = [];
    await raw?.flushall();
  });
  afterAll(async () => {
    await raw?.quit();
  });

  it("stores, reads back and misses", async () => {
    const { cache } = await replica();
    expect(await cache.get("k")).toBeUndefined();
    await cache.set("k", "v", 60);
    expect(await cache.get("k")).toBe("v");
    expect(await raw.get(`${PREFIX}k`)).toBe("v");
    const pttl = await raw.pttl(`${PREFIX}k`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it("another replica reads what one wrote, through Redis", async () => {
    const a = await replica();
    const b = await replica();
    await a.cache.set("shared", "from-a", 60);
    expect(await b.cache.get("shared")).toBe("from-a");
  });

  it("entries expire on both tiers", async () => {
    const a = await replica();
    const b = await replica();
    await a.cache.set("short", "v", 0.2);
    expect(await b.cache.get("short")).toBe("v"); // B's LRU now holds it too, for at most the Redis TTL
    await eventually(
      () => raw.exists(`${PREFIX}short`),
      (n) => n === 0,
      { what: "Redis expiry" },
    );
    await eventually(
      () => a.cache.get("short"),
      (v) => v === undefined,
      { what: "A's local expiry" },
    );
    await eventually(
      () => b.cache.get("short"),
      (v) => v === undefined,
      { what: "B's local expiry" },
    );
  });

  it("serves hot keys from the local LRU without asking Redis", async () => {
    const b = await replica();
    await raw.set(`${PREFIX}hot`, "v1", "PX", 60_000);
    expect(await b.cache.get("hot")).toBe("v1");
    await raw.set(`${PREFIX}hot`, "v2", "PX", 60_000); // changed behind the cache's back, no invalidation
    expect(await b.cache.get("hot")).toBe("v1");
  });

  it("a delete on replica A drops the key from replica B's LRU", async () => {
    const a = await replica();
    const b = await replica();
    await a.cache.set("link:x", "old", 60);
    await a.cache.set("link:y", "keep", 60);
    expect(await b.cache.get("link:x")).toBe("old");
    expect(await b.cache.get("link:y")).toBe("keep");
    // Make B's LRU the only place "old" still lives, so B can only lose it through the message.
    await raw.set(`${PREFIX}link:x`, "old", "PX", 60_000);
    await a.cache.delete("link:x");
    expect(await raw.exists(`${PREFIX}link:x`)).toBe(0);
    await eventually(
      () => b.cache.get("link:x"),
      (v) => v === undefined,
      { what: "invalidation on B" },
    );
    expect(await a.cache.get("link:x")).toBeUndefined();
    expect(await b.cache.get("link:y")).toBe("keep");
  });

  it("deletes again shortly after, removing a stale value a slow reader put back", async () => {
    const a = await replica({ redeleteAfterMs: 50 });
    const b = await replica();
    await a.cache.delete("link:z");
    // A reader that fetched the old row before the write now caches it, after the first delete.
    await b.cache.set("link:z", "stale", 60);
    expect(await raw.get(`${PREFIX}link:z`)).toBe("stale");
    await eventually(
      () => raw.exists(`${PREFIX}link:z`),
      (n) => n === 0,
      { what: "second delete" },
    );
    await eventually(
      () => b.cache.get("link:z"),
      (v) => v === undefined,
      { what: "second invalidation on B" },
    );
  });

  it("after the subscriber reconnects, the LRU is cleared (messages may have been missed) and used again", async () => {
    const a = await replica();
    const b = await replica();
    await a.cache.set("k", "v1", 60);
    expect(await b.cache.get("k")).toBe("v1");
    await raw.set(`${PREFIX}k`, "v2", "PX", 60_000); // as if an invalidation had been missed
    expect(await b.cache.get("k")).toBe("v1");
    await raw.call("CLIENT", "KILL", "TYPE", "pubsub");
    await eventually(
      () => b.cache.get("k"),
      (v) => v === "v2",
      { what: "B to drop its LRU after reconnect" },
    );
    // Once resubscribed, B caches locally again and invalidations reach it again.
    let round = 0;
    let probe = "";
    await eventually(
      async () => {
        probe = `probe${round++}`;
        await raw.set(PREFIX + probe, "cached", "PX", 60_000);
        await b.cache.get(probe);
        await raw.set(PREFIX + probe, "changed", "PX", 60_000);
        return b.cache.get(probe);
      },
      (v) => v === "cached",
      { what: "B's LRU to be in use again" },
    );
    await a.cache.delete(probe);
    await eventually(
      () => b.cache.get(probe),
      (v) => v === undefined,
      { what: "invalidation after reconnect" },
    );
  });

  it("fails soft when Redis is unreachable: reads miss, writes and deletes are logged, never thrown", async () => {
    const { log, lines } = captureLog();
    const { cache, connection } = await replica({ log, redeleteAfterMs: 0 });
    connection.client.disconnect(); // the command connection is gone; commands now fail at once
    await expect(cache.get("k")).resolves.toBeUndefined();
    await expect(cache.set("k", "v", 60)).resolves.toBeUndefined();
    await expect(cache.delete("k")).resolves.toBeUndefined();
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain("redis cache read failed");
    expect(messages).toContain("redis cache write failed");
    expect(lines.find((l) => l.msg === "redis cache invalidation failed; retrying")).toMatchObject({
      level: "error",
      key: "k",
    });
  });
});

/** A RedisConnection whose replies the test controls, to order a read and an invalidation exactly. */
function fakeConnection() {
  const sub = Object.assign(new EventEmitter(), {
    subscribe: async () => 1,
    unsubscribe: async () => 1,
  });
  const store = new Map<string, string>();
  const gate = createGate();
  const client = {
    get: async (key: string) => {
      const value = store.get(key) ?? null;
      await gate.passed();
      return value;
    },
    pttl: async () => 60_000,
    set: async (key: string, value: string) => void store.set(key, value),
    del: async (key: string) => void store.delete(key),
    publish: async (_channel: string, key: string) =>
      void sub.emit("message", "canary:cache:invalidate", key),
  };
  const connection = { client, subscriber: () => sub, close: async () => {} } as unknown as RedisConnection;
  return {
    connection,
    sub,
    store,
    hold: gate.hold,
  };
}

describe("redisCache ordering (fake connection)", () => {
  const log = createLogger({ service: "test", level: "silent" });

  it("does not cache a read that an invalidation overtook", async () => {
    const fake = fakeConnection();
    const cache = await redisCache(fake.connection, { log });
    fake.store.set(`${PREFIX}k`, "old");
    const release = fake.hold();
    const reading = cache.get("k"); // Redis answered "old" …
    fake.sub.emit("message", "canary:cache:invalidate", "k"); // … but the delete's message arrives first
    release();
    expect(await reading).toBe("old");
    fake.store.set(`${PREFIX}k`, "new");
    expect(await cache.get("k")).toBe("new"); // "old" never reached the LRU
  });

  it("caches a read when nothing was invalidated meanwhile", async () => {
    const fake = fakeConnection();
    const cache = await redisCache(fake.connection, { log });
    fake.store.set(`${PREFIX}k`, "old");
    expect(await cache.get("k")).toBe("old");
    fake.store.set(`${PREFIX}k`, "new");
    expect(await cache.get("k")).toBe("old");
  });

  it("ignores messages on other channels and bypasses the LRU while the subscriber is down", async () => {
    const fake = fakeConnection();
    const cache = await redisCache(fake.connection, { log });
    await cache.set("k", "v1", 60);
    fake.sub.emit("message", "some-other-channel", "k");
    fake.store.set(`${PREFIX}k`, "v2");
    expect(await cache.get("k")).toBe("v1");
    fake.sub.emit("close");
    expect(await cache.get("k")).toBe("v2");
    await cache.set("k", "v3", 60);
    fake.store.set(`${PREFIX}k`, "v4");
    expect(await cache.get("k")).toBe("v4"); // v3 was not kept locally while unsubscribed
    fake.sub.emit("ready");
    let round = 0;
    await eventually(
      async () => {
        const key = `probe${round++}`;
        fake.store.set(PREFIX + key, "before");
        await cache.get(key);
        fake.store.set(PREFIX + key, "after");
        return cache.get(key);
      },
      (v) => v === "before",
      { what: "the LRU to be used again after resubscribing" },
    );
    await cache.close?.();
    expect(fake.sub.listenerCount("message")).toBe(0);
  });
});
