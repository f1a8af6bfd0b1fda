import { describe, expect, it } from "vitest";
import {
  blueGreenServices,
  clockTime,
  elapsed,
  formatMs,
  formatPercent,
  formatRps,
  stepState,
} from "./format.ts";

describe("console formats", () => {
  it("writes rates, shares and latencies", () => {
    expect([formatRps(null), formatRps(2.345), formatRps(57.6)]).toEqual(["—", "2.3/s", "58/s"]);
    expect([formatPercent(null), formatPercent(0), formatPercent(0.0123), formatPercent(0.3)]).toEqual([
      "—",
      "0%",
      "1.23%",
      "30%",
    ]);
    expect([formatMs(null), formatMs(12.6)]).toEqual(["—", "13 ms"]);
  });

  it("writes times of day and elapsed times", () => {
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe("03:04:05");
    expect([elapsed(4200), elapsed(42_000), elapsed(185_000), elapsed(7_620_000)]).toEqual([
      "4.2 s",
      "42 s",
      "3 min 05 s",
      "2 h 07 min",
    ]);
  });

  it("says which version each blue-green service shows", () => {
    const base = { stableVersion: "v1", newVersion: "v2", aborted: false };
    expect(blueGreenServices({ ...base, weight: 0 })).toEqual({ active: "v1", preview: "v2" });
    expect(blueGreenServices({ ...base, weight: 100 })).toEqual({ active: "v2", preview: "v2" });
    expect(blueGreenServices({ ...base, weight: 0, aborted: true })).toEqual({ active: "v1", preview: null });
  });

  it("marks steps done, current or pending", () => {
    const at = (
      currentStepIndex: number | null,
      phase: "Healthy" | "Paused" | "Degraded" = "Paused",
      aborted = false,
    ) => [0, 1, 2].map((i) => stepState(i, { currentStepIndex, phase, aborted }));
    expect(at(1)).toEqual(["done", "current", "pending"]);
    expect(at(null, "Healthy")).toEqual(["done", "done", "done"]);
    expect(at(null, "Degraded", true)).toEqual(["pending", "pending", "pending"]);
  });
});
