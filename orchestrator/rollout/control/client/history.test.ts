import { describe, expect, it } from "vitest";
import type { VersionTraffic } from "../../types.ts";
import { TrafficHistory } from "./history.ts";

const traffic = (
  version: string,
  role: "stable" | "new",
  rps: number,
  p95Ms: number | null = 10,
): VersionTraffic => ({
  version,
  role,
  rps,
  errorRate: rps > 0 ? 0.01 : 0,
  p95Ms,
  requests: 0,
  errors: 0,
});

describe("TrafficHistory", () => {
  it("keeps one series per version, in order of appearance, with the latest role", () => {
    const history = new TrafficHistory();
    history.add(1000, [traffic("v1", "stable", 10)]);
    history.add(2000, [traffic("v1", "stable", 12), traffic("v2", "new", 1, null)]);
    history.add(3000, [traffic("v1", "new", 8), traffic("v2", "stable", 3)]);
    const rps = history.series("rps");
    expect(rps.map((s) => [s.version, s.role])).toEqual([
      ["v1", "new"],
      ["v2", "stable"],
    ]);
    expect(rps[0]!.points).toEqual([
      { at: 1000, value: 10 },
      { at: 2000, value: 12 },
      { at: 3000, value: 8 },
    ]);
    expect(history.series("p95Ms")[1]!.points).toEqual([
      { at: 2000, value: null },
      { at: 3000, value: 10 },
    ]);
    expect(history.span()).toEqual([1000, 3000]);
  });

  it("drops samples older than the window, and beyond the sample limit", () => {
    const history = new TrafficHistory(10_000, 3);
    expect(history.span()).toBeNull();
    for (let at = 0; at <= 20_000; at += 5000) history.add(at, [traffic("v1", "stable", at)]);
    expect(history.span()).toEqual([10_000, 20_000]);
    history.add(21_000, []);
    history.add(22_000, []);
    expect(history.size).toBe(3);
    expect(history.span()).toEqual([20_000, 22_000]);
  });

  it("replaces a sample at the same moment and ignores one from the past", () => {
    const history = new TrafficHistory();
    history.add(1000, [traffic("v1", "stable", 1)]);
    history.add(1000, [traffic("v1", "stable", 2)]);
    history.add(500, [traffic("v1", "stable", 3)]);
    expect(history.series("rps")[0]!.points).toEqual([{ at: 1000, value: 2 }]);
  });
});
