/** `canary rollout status` as a person reads it. */
import { describe, expect, it } from "vitest";
import { canaryStatus } from "./control/testing/fake-control.ts";
import { describeStatus } from "./status-text.ts";

describe("describeStatus", () => {
  it("shows a canary's phase, versions, steps with the current one marked, replicas, analysis and traffic", () => {
    const status = canaryStatus();
    const text = describeStatus(status);
    expect(text).toContain(`Name:         ${status.name}`);
    expect(text).toContain("Strategy:     Canary");
    expect(text).toMatch(/Status: +॥ Paused/);
    expect(text).toContain(`Weight:       ${status.weight}% to ${status.newVersion}`);
    const current = status.steps[status.currentStepIndex!]!;
    expect(text).toContain(`  → ${String(current.index).padStart(2)} ${current.description}`);
    for (const run of status.analysisRuns) expect(text).toContain(`Analysis:     ${run.id} ${run.phase}`);
    for (const r of status.replicas)
      expect(text).toContain(`${r.role} ${r.version} ${r.ready}/${r.desired} ready`);
    expect(text.split("\n").filter((l) => l.startsWith("Traffic:"))).toHaveLength(status.traffic.length);
  });

  it("shows which version a blue-green rollout serves, and a finished canary as done", () => {
    const blueGreen = describeStatus(
      canaryStatus({ strategy: "blueGreen", weight: 100, phase: "Healthy", message: "", steps: [] }),
    );
    expect(blueGreen).toContain("Strategy:     BlueGreen");
    expect(blueGreen).toContain("Active:       v2");
    expect(blueGreen).toContain("Status:       ✔ Healthy\n");
    const done = describeStatus(canaryStatus({ currentStepIndex: null, phase: "Healthy" }));
    expect(done).toContain("Step:         done");
    expect(done).not.toContain("  → ");
  });
});
