/**
 * The engine's `/metrics`: the series the Argo Rollouts controller exposes about its rollouts
 * (`rollout_info` with the phase as a label, and the replica gauges), in Prometheus' text format, so the
 * repo's alert on aborted rollouts (k8s/monitoring) works against a local engine as against a cluster.
 */
import type { RolloutStatus } from "../types.ts";

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

export function rolloutMetrics(statuses: readonly RolloutStatus[]): string {
  const out = [
    "# HELP rollout_info Information about a rollout: 1, with its phase as a label.",
    "# TYPE rollout_info gauge",
  ];
  for (const s of statuses)
    out.push(
      `rollout_info${labels({
        name: s.name,
        namespace: s.namespace ?? "default",
        phase: s.phase,
        strategy: s.strategy === "canary" ? "canary" : "blueGreen",
      })} 1`,
    );
  for (const [gauge, help, pick] of [
    [
      "rollout_info_replicas_desired",
      "Replicas the rollout wants.",
      (r: RolloutStatus["replicas"][0]) => r.desired,
    ],
    ["rollout_info_replicas_available", "Replicas ready.", (r: RolloutStatus["replicas"][0]) => r.ready],
  ] as const) {
    out.push(`# HELP ${gauge} ${help}`, `# TYPE ${gauge} gauge`);
    for (const s of statuses) {
      const total = s.replicas.reduce((sum, r) => sum + pick(r), 0);
      out.push(`${gauge}${labels({ name: s.name, namespace: s.namespace ?? "default" })} ${total}`);
    }
  }
  return `${out.join("\n")}\n`;
}
