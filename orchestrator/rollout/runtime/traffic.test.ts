import { describe, expect, it } from "vitest";
import { histogramQuantile, LATENCY_BUCKETS_MS, TrafficStats } from "./traffic.ts";

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("TrafficStats", () => {
  it("reports each assigned version with zeros before any request, stable first", () => {
    const stats = new TrafficStats({ now: clock().now });
    stats.assign("new", "v2");
    stats.assign("stable", "v1");
    expect(stats.snapshot()).toEqual([
      { version: "v1", role: "stable", rps: 0, errorRate: 0, p95Ms: null, requests: 0, errors: 0 },
      { version: "v2", role: "new", rps: 0, errorRate: 0, p95Ms: null, requests: 0, errors: 0 },
    ]);
  });

  it("counts requests and errors (5xx or no answer) per version", () => {
    const time = clock();
    const stats = new TrafficStats({ now: time.now });
    for (const status of [200, 404, 500, 503, null, 200]) {
      stats.record({ role: "new", version: "v2", status, latencyMs: 10 });
    }
    stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 10 });
    time.advance(2000);
    const [v1, v2] = stats.snapshot();
    expect(v1).toMatchObject({ version: "v1", requests: 1, errors: 0, errorRate: 0 });
    expect(v2).toMatchObject({ version: "v2", requests: 6, errors: 3, errorRate: 0.5 });
  });

  it("computes the rate over the last 10 s, or over the time elapsed when shorter", () => {
    const time = clock(5_000_000);
    const stats = new TrafficStats({ now: time.now });
    // 20 requests per second for 30 s.
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 20; i++) {
        stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 5 });
        time.advance(50);
      }
      if (second === 1) expect(stats.snapshot()[0]!.rps).toBeCloseTo(20, 5);
    }
    const [v1] = stats.snapshot();
    expect(v1!.rps).toBeCloseTo(20, 5);
    expect(v1!.requests).toBe(600);

    // Quiet for 5 s: half the window still holds traffic; after 10 s none does, totals stay.
    time.advance(5000);
    expect(stats.snapshot()[0]!.rps).toBeCloseTo(10, 5);
    // Half a second on, the oldest second is half inside the window: 4.5 s of traffic at 20/s over 10 s.
    time.advance(500);
    expect(stats.snapshot()[0]!.rps).toBeCloseTo(9, 5);
    time.advance(4500);
    expect(stats.snapshot()[0]).toMatchObject({ rps: 0, errorRate: 0, p95Ms: null, requests: 600 });
  });

  it("keeps the error rate to the window", () => {
    const time = clock();
    const stats = new TrafficStats({ now: time.now });
    for (let i = 0; i < 10; i++) stats.record({ role: "new", version: "v2", status: 500, latencyMs: 1 });
    time.advance(11_000);
    for (let i = 0; i < 10; i++) stats.record({ role: "new", version: "v2", status: 200, latencyMs: 1 });
    expect(stats.snapshot()[0]).toMatchObject({ errorRate: 0, requests: 20, errors: 10 });
  });

  it("reports the p95 latency of the window", () => {
    const time = clock();
    const stats = new TrafficStats({ now: time.now });
    // 90 fast requests, 10 slow ones: the 95th lies among the slow ones (the 250–300 ms bucket).
    for (let i = 0; i < 90; i++) stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 3 });
    for (let i = 0; i < 10; i++) stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 280 });
    const p95 = stats.snapshot()[0]!.p95Ms!;
    expect(p95).toBeGreaterThan(200);
    expect(p95).toBeLessThanOrEqual(300);
    // Once the slow second is wholly older than the window, only the fast traffic after it counts.
    time.advance(11_000);
    for (let i = 0; i < 10; i++) stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 3 });
    expect(stats.snapshot()[0]!.p95Ms).toBeLessThanOrEqual(5);
  });

  it("follows a version when the roles swap, and forgets one on request", () => {
    const stats = new TrafficStats({ now: clock().now });
    stats.record({ role: "new", version: "v2", status: 200, latencyMs: 1 });
    stats.record({ role: "stable", version: "v1", status: 200, latencyMs: 1 });
    stats.assign("stable", "v2");
    stats.forget("v1");
    expect(stats.snapshot()).toEqual([
      expect.objectContaining({ version: "v2", role: "stable", requests: 1 }),
    ]);
  });
});

describe("histogramQuantile", () => {
  const counts = (entries: Record<number, number>) =>
    Array.from({ length: LATENCY_BUCKETS_MS.length + 1 }, (_, i) => entries[i] ?? 0);

  it("is null without observations", () => {
    expect(histogramQuantile(0.95, counts({}))).toBeNull();
  });

  it("interpolates inside the bucket holding the rank", () => {
    // All 100 in the first bucket (0–1 ms): p50 at its middle.
    expect(histogramQuantile(0.5, counts({ 0: 100 }))).toBeCloseTo(0.5);
    // Bucket 2 spans 2–5 ms; the 95th of 100 is the 45th of its 50.
    expect(histogramQuantile(0.95, counts({ 1: 50, 2: 50 }))).toBeCloseTo(2 + 3 * (45 / 50));
  });

  it("answers the last finite bound for the open bucket", () => {
    expect(histogramQuantile(0.95, counts({ [LATENCY_BUCKETS_MS.length]: 3 }))).toBe(10_000);
  });
});
