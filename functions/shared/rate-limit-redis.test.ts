import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RateLimitDecision, RateLimitRule } from "./rate-limit.ts";
import { RedisRateLimiter } from "./rate-limit-redis.ts";
import { skipWithoutRedis, useRedisServer } from "./testing/redis-server.ts";

// Hour-long windows: a window boundary falling inside a test that lasts milliseconds is negligible.
const fixed: RateLimitRule = { limit: 5, windowSeconds: 3600, algorithm: "fixed" };
const sliding: RateLimitRule = { limit: 5, windowSeconds: 3600, algorithm: "sliding" };

describe.skipIf(skipWithoutRedis("redis rate limiter"))("RedisRateLimiter against redis-server", () => {
  const server = useRedisServer();
  let raw: Redis;
  let clientA: Redis;
  let clientB: Redis;
  let a: RedisRateLimiter;
  let b: RedisRateLimiter;

  beforeAll(() => {
    raw = new Redis(server.url);
    // Two replicas: separate connections, separate limiter instances, one Redis.
    clientA = new Redis(server.url);
    clientB = new Redis(server.url);
    a = new RedisRateLimiter(clientA);
    b = new RedisRateLimiter(clientB);
  });
  afterEach(async () => {
    await raw?.flushall();
  });
  afterAll(async () => {
    await Promise.all([raw?.quit(), clientA?.quit(), clientB?.quit()]);
  });

  async function alternate(key: string, rule: RateLimitRule, n: number): Promise<RateLimitDecision[]> {
    const out: RateLimitDecision[] = [];
    for (let i = 0; i < n; i++) out.push(await (i % 2 === 0 ? a : b).hit(key, rule));
    return out;
  }

  /** The window Redis' clock is in, and the counter key of a window for `key` under `rule`. */
  async function windowOf(rule: RateLimitRule): Promise<number> {
    const [seconds, micros] = await raw.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const windowMs = rule.windowSeconds * 1000;
    return now - (now % windowMs);
  }
  const counterKey = (key: string, rule: RateLimitRule, windowStart: number) =>
    `canary:rl:${rule.algorithm}:${rule.windowSeconds}:${key}:${windowStart}`;

  it.each([fixed, sliding])("two replicas share one $algorithm budget", async (rule) => {
    const decisions = await alternate("client-1", rule, 7);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions.slice(0, 5).map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
    for (const d of decisions) expect(d.limit).toBe(5);
    const refused = decisions[5]!;
    expect(refused.remaining).toBe(0);
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(1);
    // Fixed: the rest of this window. Sliding: these 5 hits weigh on the next window too; one more fits
    // once their weight is 4/5, a fifth of the way into it.
    expect(refused.resetSeconds).toBeLessThanOrEqual(rule.algorithm === "fixed" ? 3600 : 3600 + 720);
  });

  it("keeps keys, algorithms and window lengths apart", async () => {
    await alternate("client-1", fixed, 5);
    expect((await a.hit("client-1", fixed)).allowed).toBe(false);
    expect((await a.hit("client-2", fixed)).allowed).toBe(true);
    expect((await a.hit("client-1", sliding)).allowed).toBe(true);
    expect((await a.hit("client-1", { ...fixed, windowSeconds: 7200 })).allowed).toBe(true);
    const other = new RedisRateLimiter(clientA, "other:");
    expect((await other.hit("client-1", fixed)).allowed).toBe(true);
  });

  it.each([fixed, sliding])(
    "refused $algorithm hits are taken back, so hammering does not extend the limit",
    async (rule) => {
      const start = await windowOf(rule);
      await alternate("hammer", rule, 5 + 20);
      expect(await raw.get(counterKey("hammer", rule, start))).toBe("5");
      const ttl = await raw.pttl(counterKey("hammer", rule, start));
      expect(ttl).toBeGreaterThan(rule.windowSeconds * 1000); // kept into the next window, as its "previous"
      expect(ttl).toBeLessThanOrEqual(2 * rule.windowSeconds * 1000);
    },
  );

  it("sliding weighs the previous window; fixed ignores it", async () => {
    for (const rule of [fixed, sliding]) {
      const start = await windowOf(rule);
      await raw.set(counterKey("busy", rule, start - rule.windowSeconds * 1000), "1000000000", "PX", 60_000);
    }
    const slidingDecision = await b.hit("busy", sliding);
    expect(slidingDecision.allowed).toBe(false);
    expect(slidingDecision.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(slidingDecision.resetSeconds).toBeLessThanOrEqual(3600);
    expect((await b.hit("busy", fixed)).allowed).toBe(true);
  });

  it("a limit of zero refuses everything and stores nothing", async () => {
    const rule: RateLimitRule = { ...fixed, limit: 0 };
    const start = await windowOf(rule);
    expect((await a.hit("none", rule)).allowed).toBe(false);
    expect((await b.hit("none", rule)).allowed).toBe(false);
    expect(Number((await raw.get(counterKey("none", rule, start))) ?? "0")).toBe(0);
  });

  it("concurrent hits from both replicas never exceed the limit", async () => {
    const rule: RateLimitRule = { limit: 10, windowSeconds: 3600, algorithm: "fixed" };
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit("burst", rule)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });
});

describe("RedisRateLimiter failure handling (fake client)", () => {
  it("still refuses when taking the refused hit back fails", async () => {
    const now = 1_700_000_000_000;
    const fake = {
      eval: async () => [now, now - (now % 60_000), 5, 0],
      decr: async () => {
        throw new Error("connection lost");
      },
    };
    const limiter = new RedisRateLimiter(fake as unknown as Redis);
    const decision = await limiter.hit("k", { limit: 5, windowSeconds: 60, algorithm: "fixed" });
    expect(decision.allowed).toBe(false);
  });

  it("lets a failing eval reject, so the middleware can fail open", async () => {
    const fake = {
      eval: async () => {
        throw new Error("down");
      },
    };
    const limiter = new RedisRateLimiter(fake as unknown as Redis);
    await expect(limiter.hit("k", fixed)).rejects.toThrow("down");
  });
});
