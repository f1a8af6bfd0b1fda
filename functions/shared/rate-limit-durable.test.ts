import { describe, expect, it } from "vitest";
import { MemoryRateLimiter, type RateLimitRule } from "./rate-limit.ts";
import { durableRateLimiter } from "./rate-limit-durable.ts";

/** A namespace whose objects are MemoryRateLimiters, recording which object each call went to. */
function fakeNamespace() {
  const objects = new Map<string, MemoryRateLimiter>();
  const calls: string[] = [];
  return {
    calls,
    objects,
    idFromName: (name: string) => `id:${name}`,
    get(id: string) {
      if (!objects.has(id)) objects.set(id, new MemoryRateLimiter());
      const object = objects.get(id)!;
      return {
        hit: (key: string, rule: RateLimitRule) => {
          calls.push(`${id} ${key}`);
          return object.hit(key, rule);
        },
      };
    },
  };
}

describe("durableRateLimiter", () => {
  const rule: RateLimitRule = { limit: 2, windowSeconds: 60, algorithm: "fixed" };

  it("sends each key to the object named after it", async () => {
    const namespace = fakeNamespace();
    const limiter = durableRateLimiter(namespace);
    await limiter.hit("api:1.2.3.4", rule);
    await limiter.hit("api:5.6.7.8", rule);
    await limiter.hit("api:1.2.3.4", rule);
    expect(namespace.calls).toEqual([
      "id:api:1.2.3.4 api:1.2.3.4",
      "id:api:5.6.7.8 api:5.6.7.8",
      "id:api:1.2.3.4 api:1.2.3.4",
    ]);
    expect(namespace.objects.size).toBe(2);
  });

  it("returns the object's decision", async () => {
    const limiter = durableRateLimiter(fakeNamespace());
    expect((await limiter.hit("k", rule)).allowed).toBe(true);
    expect((await limiter.hit("k", rule)).allowed).toBe(true);
    expect(await limiter.hit("k", rule)).toMatchObject({ allowed: false, remaining: 0 });
  });
});
