/** Several replicas, one Redis: each due time of each feed is fetched by exactly one scheduler. */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { fetchFeed } from "./feeds/fetch.ts";
import { HostLimiter } from "./feeds/host-limit.ts";
import { parseAllowlist } from "./feeds/ssrf.ts";
import { heldResponses, serveFeed, useFixtureServer } from "./feeds/testing/fixture-server.ts";
import { type DueFeed, FeedScheduler, type FeedSource, RedisFeedLock } from "./scheduler.ts";

const T1 = Date.UTC(2024, 4, 1);
const T2 = T1 + 3_600_000;
const FEEDS = 24;

interface Outcome {
  replica: string;
  status: string;
}

describe.skipIf(skipWithoutRedis("newsfeed scheduler on redis"))("FeedScheduler on Redis", () => {
  const redis = useRedisServer();
  const server = useFixtureServer();
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redis.url);
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    server.reset();
    await connect().flushall();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });

  it("RedisFeedLock: one claimant per key until it expires; only the token's holder can release it", async () => {
    const a = new RedisFeedLock(connect());
    const b = new RedisFeedLock(connect());
    const token = await a.claim("f:1", 60_000);
    expect(token).toEqual(expect.any(String));
    expect(await b.claim("f:1", 60_000)).toBeNull();
    expect(await b.release("f:1", "not the token")).toBe(false);
    expect(await b.claim("f:1", 60_000)).toBeNull();
    expect(await a.release("f:1", token!)).toBe(true);
    expect(await b.claim("f:1", 60_000)).not.toBeNull();
    expect(await a.claim("short", 30)).not.toBeNull();
    await eventually(
      () => b.claim("short", 60_000),
      (t) => t !== null,
      { what: "the claim to expire" },
    );
  });

  /** The store, shared by the replicas: due feeds by next check; a record moves the next check to T2. */
  function sharedTable() {
    const next = new Map(Array.from({ length: FEEDS }, (_, i) => [`feed-${i}`, T1]));
    const records: { id: string; outcome: Outcome; dueAt: number }[] = [];
    const source: FeedSource<DueFeed, Outcome> = {
      async due(now, limit) {
        return [...next]
          .filter(([, at]) => at <= now)
          .slice(0, limit)
          .map(([id, dueAt]) => ({ id, url: server.url(`/feed/${id}`), dueAt }));
      },
      async record(id, outcome) {
        records.push({ id, outcome, dueAt: next.get(id)! });
        next.set(id, next.get(id)! < T2 ? T2 : Number.POSITIVE_INFINITY);
      },
    };
    return { source, records };
  }

  function replica(name: string, source: FeedSource<DueFeed, Outcome>, now: () => number) {
    return new FeedScheduler<DueFeed, Outcome>({
      source,
      check: async (feed, signal) => {
        const result = await fetchFeed(
          feed.url,
          {},
          {
            allowlist: parseAllowlist(["127.0.0.1"]),
            maxBytes: 1024,
            timeoutMs: 10_000,
            signal,
          },
        );
        return { replica: name, status: result.kind };
      },
      lock: new RedisFeedLock(connect()),
      hosts: new HostLimiter(3),
      log: silentLog,
      concurrency: 3,
      intervalMs: 10,
      now,
    });
  }

  const requestsPerFeed = () => {
    const counts = new Map<string, number>();
    for (const r of server.requests) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
    return counts;
  };

  it("two schedulers check each due feed exactly once per due time", async () => {
    const held = heldResponses(serveFeed({ body: "<rss/>" }));
    for (let i = 0; i < FEEDS; i++) server.route(`/feed/feed-${i}`, held.handler);
    const table = sharedTable();
    let clock = T1;
    const a = replica("a", table.source, () => clock);
    const b = replica("b", table.source, () => clock);
    a.start();
    b.start();

    // Each replica holds at most 3 fetches, so 6 held requests means both are working.
    await eventually(
      () => held.held,
      (n) => n === 6,
      { what: "both replicas fetching" },
    );
    // Answers whatever is held until `total` checks are recorded.
    const drain = (total: number) =>
      eventually(
        () => {
          while (held.release()) {}
          return table.records.length;
        },
        (n) => n >= total,
        { what: `${total} recorded checks` },
      );
    await drain(FEEDS);
    const firstRound = table.records.filter((r) => r.dueAt === T1);
    expect(new Set(firstRound.map((r) => r.id)).size).toBe(FEEDS);
    expect(firstRound).toHaveLength(FEEDS);
    expect(new Set(firstRound.map((r) => r.outcome.replica))).toEqual(new Set(["a", "b"]));
    expect([...requestsPerFeed().values()]).toEqual(Array(FEEDS).fill(1));

    clock = T2; // every feed is due again, at a new due time
    await drain(2 * FEEDS);
    await Promise.all([a.stop(), b.stop()]);
    expect(table.records.filter((r) => r.dueAt === T2)).toHaveLength(FEEDS);
    expect(table.records.every((r) => r.outcome.status === "ok")).toBe(true);
    expect([...requestsPerFeed().values()]).toEqual(Array(FEEDS).fill(2));
  });

  it("a replica with a due list read before another recorded the checks fetches nothing", async () => {
    for (let i = 0; i < FEEDS; i++) server.route(`/feed/feed-${i}`, serveFeed({ body: "<rss/>" }));
    const table = sharedTable();
    const stale = await table.source.due(T1, FEEDS);
    const a = replica("a", table.source, () => T1);
    while (table.records.length < FEEDS) {
      await a.tick();
      await eventually(
        () => a.running,
        (n) => n === 0,
      );
    }
    const b = replica("b", { due: async () => stale, record: table.source.record }, () => T1);
    expect(await b.tick()).toBe(0);
    expect(server.requests).toHaveLength(FEEDS);
  });
});
