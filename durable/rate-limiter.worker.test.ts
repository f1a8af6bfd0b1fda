/** RateLimiterObject on workerd through the durableRateLimiter adapter. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RateLimitRule } from "../functions/shared/rate-limit.ts";
import { durableRateLimiter } from "../functions/shared/rate-limit-durable.ts";

const rule: RateLimitRule = { limit: 3, windowSeconds: 60, algorithm: "fixed" };

describe("durableRateLimiter", () => {
  it("counts each key in its own object, shared by every limiter built on the namespace", async () => {
    const first = durableRateLimiter(env.RATE_LIMITER);
    const second = durableRateLimiter(env.RATE_LIMITER); // as another isolate would
    const key = `test:${crypto.randomUUID()}`;
    expect((await first.hit(key, rule)).remaining).toBe(2);
    expect((await second.hit(key, rule)).remaining).toBe(1);
    expect((await first.hit(key, rule)).allowed).toBe(true);
    const refused = await second.hit(key, rule);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    expect(refused.resetSeconds).toBeGreaterThan(0);
    expect((await first.hit(`test:${crypto.randomUUID()}`, rule)).allowed).toBe(true);
  });
});
