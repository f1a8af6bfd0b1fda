import { describe, expect, it } from "vitest";
import {
  abortedMessage,
  converge,
  describeSteps,
  formatDuration,
  initialReplicas,
  markReady,
  scaledMs,
  startRun,
} from "./steps.ts";
import { blueGreenSpec, canarySpec, checks, describeAction } from "./steps-testing.ts";
import type { RolloutAction } from "./types.ts";

describe("describeSteps", () => {
  it("puts each canary step in words, as the status and console show them", () => {
    const spec = canarySpec({
      steps: [
        { setWeight: 10 },
        { pause: { durationSeconds: 120 } },
        { pause: {} },
        { analysis: checks },
        { pause: { durationSeconds: 90 } },
      ],
    });
    expect(describeSteps(spec)).toEqual([
      "setWeight 10",
      "pause 2m",
      "pause (until promoted)",
      "analysis success-rate, error-rate",
      "pause 1m30s",
    ]);
  });

  it("has no steps for blue-green", () => {
    expect(describeSteps(blueGreenSpec())).toEqual([]);
  });
});

describe("formatDuration", () => {
  it.each([
    [30, "30s"],
    [60, "1m"],
    [3600, "1h"],
    [3725, "1h2m5s"],
    [0, "0s"],
    [1.5, "1.5s"],
  ])("%s s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("durations and messages", () => {
  it("scales manifest seconds to milliseconds", () => {
    expect(scaledMs(120, { timeScale: 1 })).toBe(120_000);
    expect(scaledMs(120, { timeScale: 0.01 })).toBe(1200);
    expect(scaledMs(30, { timeScale: 2 })).toBe(60_000);
  });

  it("names the revision in Argo's abort message", () => {
    expect(abortedMessage({ timeScale: 1 })).toBe("Rollout aborted update to revision 2");
    expect(abortedMessage({ timeScale: 1, revision: 5 }, "Background analysis phase error/failed")).toBe(
      "Rollout aborted update to revision 5: Background analysis phase error/failed",
    );
  });
});

describe("converge", () => {
  const ops = (out: RolloutAction[]) => out.map(describeAction);

  it("grows roles first, and shrinks the others only once the grown ones are ready", () => {
    const replicas = initialReplicas(4);
    const out: RolloutAction[] = [];
    expect(converge(replicas, { stable: 2, new: 2 }, out)).toBe(false);
    expect(ops(out)).toEqual(["scale new 2"]);
    markReady(replicas, "new");
    expect(converge(replicas, { stable: 2, new: 2 }, out)).toBe(true);
    expect(ops(out)).toEqual(["scale new 2", "scale stable 2"]);
    expect(replicas).toEqual({ stable: { desired: 2, ready: true }, new: { desired: 2, ready: true } });
  });

  it("needs no readiness for a role scaled to 0, and ignores readiness of a role with no replicas", () => {
    const replicas = initialReplicas(2);
    markReady(replicas, "new");
    expect(replicas.new).toEqual({ desired: 0, ready: true });
    const out: RolloutAction[] = [];
    expect(converge(replicas, { stable: 0, new: 0 }, out)).toBe(true);
    expect(ops(out)).toEqual(["scale stable 0"]);
  });
});

describe("startRun", () => {
  it("gives runs unique ids, with Argo's collision counter after the first", () => {
    const counts: Record<string, number> = {};
    const out: RolloutAction[] = [];
    const ids = ["step-2", "step-2", "background", "step-2"].map(
      (base) => startRun(counts, base, "step", checks, out).id,
    );
    expect(ids).toEqual(["step-2", "step-2.1", "background", "step-2.2"]);
    expect(out[0]).toEqual({ type: "startAnalysis", request: { id: "step-2", kind: "step", ref: checks } });
  });
});
