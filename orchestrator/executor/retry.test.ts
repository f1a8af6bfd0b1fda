import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, seededRandom, sleep } from "./retry.ts";

describe("backoffDelay", () => {
  it("grows exponentially up to the cap, with half of each delay jittered", () => {
    const policy = { baseMs: 100, maxMs: 1000, factor: 2 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("is reproducible with a seeded random source", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const delays = (r: () => number) => [1, 2, 3].map((n) => backoffDelay(n, DEFAULT_BACKOFF, r));
    expect(delays(a)).toEqual(delays(b));
    const values = Array.from({ length: 1000 }, seededRandom(1));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});

describe("sleep", () => {
  it("ends early when its signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await waiting;
    await sleep(60_000, controller.signal); // already aborted: returns at once
  });
});
