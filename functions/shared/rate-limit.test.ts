import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decide,
  MemoryRateLimiter,
  type RateLimitRule,
  rollWindow,
  type WindowCounts,
} from "./rate-limit.ts";

const MINUTE = 60_000;
const fixed: RateLimitRule = { limit: 3, windowSeconds: 60, algorithm: "fixed" };
const sliding: RateLimitRule = { limit: 10, windowSeconds: 60, algorithm: "sliding" };

function clock(start = 0) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    set: (ms: number) => {
      t = ms;
    },
  };
}

describe("decide", () => {
  it("fixed window: allows up to the limit, counting down remaining", () => {
    const at = 10 * MINUTE + 15_000;
    const results = [0, 1, 2].map((current) =>
      decide(fixed, { windowStart: 10 * MINUTE, current, previous: 99 }, at),
    );
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    for (const r of results) expect(r).toMatchObject({ limit: 3, resetSeconds: 45 });
  });

  it("fixed window: refuses at the limit until the window resets", () => {
    const d = decide(fixed, { windowStart: 0, current: 3, previous: 0 }, 15_500);
    expect(d).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 45 });
  });

  it("sliding window: weights the previous window by its remaining overlap", () => {
    // Half-way through the window, half of the previous window's 10 still count.
    const half = decide(sliding, { windowStart: 0, current: 2, previous: 10 }, 30_000);
    expect(half).toMatchObject({ allowed: true, remaining: 2 }); // used 2 + 5 = 7, this hit makes 8
    expect(decide(sliding, { windowStart: 0, current: 4, previous: 10 }, 30_000)).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    expect(decide(sliding, { windowStart: 0, current: 5, previous: 10 }, 30_000).allowed).toBe(false);
    // A fixed window would have ignored the previous window entirely.
    expect(
      decide({ ...sliding, algorithm: "fixed" }, { windowStart: 0, current: 5, previous: 10 }, 30_000)
        .allowed,
    ).toBe(true);
  });

  it("sliding window: Retry-After is when the previous window has decayed enough", () => {
    // At the window start 10 previous hits fill the budget; one more fits once their weight is 0.9: 6 s later.
    const d = decide(sliding, { windowStart: 0, current: 0, previous: 10 }, 0);
    expect(d).toMatchObject({ allowed: false, resetSeconds: 6 });
    expect(decide(sliding, { windowStart: 0, current: 0, previous: 10 }, 5_999).allowed).toBe(false);
    expect(decide(sliding, { windowStart: 0, current: 0, previous: 10 }, 6_000).allowed).toBe(true);
  });

  it("sliding window: a full current window waits into the next one", () => {
    // 10 hits in this window: at the next window they are the previous one, at full weight. One more fits
    // once their weight is 0.9, i.e. 6 s into the next window.
    const d = decide(sliding, { windowStart: 0, current: 10, previous: 0 }, 50_000);
    expect(d).toMatchObject({ allowed: false, resetSeconds: 16 });
    const next = rollWindow({ windowStart: 0, current: 10, previous: 0 }, MINUTE, 66_000);
    expect(decide(sliding, next, 66_000).allowed).toBe(true);
    expect(
      decide(sliding, rollWindow({ windowStart: 0, current: 10, previous: 0 }, MINUTE, 65_000), 65_000)
        .allowed,
    ).toBe(false);
  });

  it("never reports less than one second", () => {
    expect(decide(fixed, { windowStart: 0, current: 3, previous: 0 }, 59_999).resetSeconds).toBe(1);
    expect(decide(fixed, { windowStart: 0, current: 0, previous: 0 }, 59_999).resetSeconds).toBe(1);
  });

  it("a zero limit refuses everything", () => {
    for (const rule of [fixed, sliding]) {
      const d = decide({ ...rule, limit: 0 }, { windowStart: 0, current: 0, previous: 0 }, 1000);
      expect(d).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 59 });
    }
  });

  const arbitraryCase = fc.record({
    limit: fc.integer({ min: 1, max: 1000 }),
    windowSeconds: fc.integer({ min: 1, max: 3600 }),
    algorithm: fc.constantFrom("fixed" as const, "sliding" as const),
    current: fc.integer({ min: 0, max: 1200 }),
    previous: fc.integer({ min: 0, max: 5000 }),
    elapsedFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  });

  it("Retry-After is sound: waiting that long (with no other hits) is enough, and never more than needed + 1 s", () => {
    fc.assert(
      fc.property(
        arbitraryCase,
        ({ limit, windowSeconds, algorithm, current, previous, elapsedFraction }) => {
          const rule: RateLimitRule = { limit, windowSeconds, algorithm };
          const windowMs = windowSeconds * 1000;
          const windowStart = 1000 * windowMs;
          const now = windowStart + Math.floor(elapsedFraction * windowMs);
          const counts: WindowCounts = { windowStart, current, previous };
          const d = decide(rule, counts, now);
          expect(d.resetSeconds).toBeGreaterThanOrEqual(1);
          if (d.allowed) return;
          const at = (ms: number) => decide(rule, rollWindow(counts, windowMs, ms), ms).allowed;
          expect(at(now + d.resetSeconds * 1000)).toBe(true);
          if (d.resetSeconds > 1) expect(at(now + (d.resetSeconds - 1) * 1000 - 1)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("remaining is exact: that many more hits now are allowed, and not one more", () => {
    fc.assert(
      fc.property(
        arbitraryCase,
        ({ limit, windowSeconds, algorithm, current, previous, elapsedFraction }) => {
          const rule: RateLimitRule = { limit, windowSeconds, algorithm };
          const windowMs = windowSeconds * 1000;
          const now = Math.floor(elapsedFraction * windowMs);
          const counts: WindowCounts = { windowStart: 0, current, previous };
          const d = decide(rule, counts, now);
          if (!d.allowed) return;
          const after = { ...counts, current: current + 1 + d.remaining };
          expect(decide(rule, { ...counts, current: current + d.remaining }, now).allowed).toBe(true);
          expect(decide(rule, after, now).allowed).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("rollWindow", () => {
  it("starts a key at zero in the window now falls in", () => {
    expect(rollWindow(undefined, MINUTE, 125_000)).toEqual({ windowStart: 120_000, current: 0, previous: 0 });
  });
  it("keeps counts within the same window", () => {
    const counts = { windowStart: 120_000, current: 4, previous: 2 };
    expect(rollWindow(counts, MINUTE, 179_999)).toBe(counts);
  });
  it("moves current to previous in the next window", () => {
    expect(rollWindow({ windowStart: 120_000, current: 4, previous: 2 }, MINUTE, 180_000)).toEqual({
      windowStart: 180_000,
      current: 0,
      previous: 4,
    });
  });
  it("forgets everything after a gap of a whole window", () => {
    expect(rollWindow({ windowStart: 120_000, current: 4, previous: 2 }, MINUTE, 240_000)).toEqual({
      windowStart: 240_000,
      current: 0,
      previous: 0,
    });
  });
});

describe("MemoryRateLimiter", () => {
  it("fixed window: the limit resets with the window", async () => {
    const c = clock(5 * MINUTE);
    const limiter = new MemoryRateLimiter(c.now);
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push((await limiter.hit("ip", fixed)).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
    c.advance(MINUTE);
    expect((await limiter.hit("ip", fixed)).allowed).toBe(true);
  });

  it("refused hits do not count", () => {
    const c = clock(0);
    const limiter = new MemoryRateLimiter(c.now);
    const rule: RateLimitRule = { limit: 2, windowSeconds: 60, algorithm: "sliding" };
    limiter.hitSync("ip", rule);
    limiter.hitSync("ip", rule);
    for (let i = 0; i < 50; i++) expect(limiter.hitSync("ip", rule).allowed).toBe(false);
    // Next window: previous = 2 (not 52). Half-way through, weight 0.5: 1 counts, one more fits.
    c.set(90_000);
    expect(limiter.hitSync("ip", rule).allowed).toBe(true);
    expect(limiter.hitSync("ip", rule).allowed).toBe(false);
  });

  it("sliding window carries the previous window's hits over", () => {
    const c = clock(0);
    const limiter = new MemoryRateLimiter(c.now);
    for (let i = 0; i < 10; i++) expect(limiter.hitSync("ip", sliding).allowed).toBe(true);
    c.set(MINUTE); // weight 1: still full
    const refused = limiter.hitSync("ip", sliding);
    expect(refused).toMatchObject({ allowed: false, resetSeconds: 6 });
    c.advance(refused.resetSeconds * 1000);
    expect(limiter.hitSync("ip", sliding).allowed).toBe(true);
  });

  it("keeps keys, algorithms and window lengths apart", () => {
    const limiter = new MemoryRateLimiter(() => 0);
    const one = { ...fixed, limit: 1 };
    expect(limiter.hitSync("a", one).allowed).toBe(true);
    expect(limiter.hitSync("a", one).allowed).toBe(false);
    expect(limiter.hitSync("b", one).allowed).toBe(true);
    expect(limiter.hitSync("a", { ...one, algorithm: "sliding" }).allowed).toBe(true);
    expect(limiter.hitSync("a", { ...one, windowSeconds: 30 }).allowed).toBe(true);
  });

  it("sweeps keys idle for two windows, at most every 10 s", () => {
    const c = clock(0);
    const limiter = new MemoryRateLimiter(c.now);
    const hour = { ...fixed, windowSeconds: 3600 };
    limiter.hitSync("idle", fixed); // window [0, 60 s): forgettable from 120 s on
    limiter.hitSync("busy", hour);
    c.set(115_000);
    limiter.hitSync("busy", hour); // a sweep runs, too early for "idle"
    expect(limiter.size).toBe(2);
    c.set(121_000);
    limiter.hitSync("busy", hour); // "idle" is forgettable, but the last sweep was 6 s ago
    expect(limiter.size).toBe(2);
    c.set(125_000);
    limiter.hitSync("busy", hour);
    expect(limiter.size).toBe(1);
    expect(limiter.hitSync("idle", fixed)).toMatchObject({ allowed: true, remaining: 2 });
  });
});
