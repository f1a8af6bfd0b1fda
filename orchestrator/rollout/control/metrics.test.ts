/** The engine's Argo-style rollout series. */
import { describe, expect, it } from "vitest";
import { rolloutMetrics } from "./metrics.ts";
import { canaryStatus } from "./testing/fake-control.ts";

describe("rolloutMetrics", () => {
  it("exposes rollout_info with the phase as a label, and the replica gauges", () => {
    const text = rolloutMetrics([
      canaryStatus({ phase: "Degraded", namespace: "canary" }),
      canaryStatus({ name: 'odd"name', strategy: "blueGreen", replicas: [] }),
    ]);
    expect(text).toContain(
      'rollout_info{name="tinyurl",namespace="canary",phase="Degraded",strategy="canary"} 1\n',
    );
    expect(text).toContain(
      'rollout_info{name="odd\\"name",namespace="default",phase="Paused",strategy="blueGreen"} 1',
    );
    expect(text).toMatch(/^# TYPE rollout_info gauge$/m);
    const desired = canaryStatus().replicas.reduce((sum, r) => sum + r.desired, 0);
    expect(text).toContain(`rollout_info_replicas_desired{name="tinyurl",namespace="canary"} ${desired}`);
    expect(text).toContain('rollout_info_replicas_available{name="odd\\"name",namespace="default"} 0');
  });
});
