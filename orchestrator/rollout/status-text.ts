/** A rollout's status as `canary rollout status` prints it: close to `kubectl argo rollouts get rollout`. */
import type { RolloutStatus } from "./types.ts";

const ICONS: Record<RolloutStatus["phase"], string> = {
  Healthy: "✔",
  Progressing: "◌",
  Paused: "॥",
  Degraded: "✖",
};

export function describeStatus(status: RolloutStatus): string {
  const lines = [
    `Name:         ${status.name}`,
    `Service:      ${status.service}`,
    `Strategy:     ${status.strategy === "canary" ? "Canary" : "BlueGreen"}`,
    `Status:       ${ICONS[status.phase]} ${status.phase}${status.message ? ` (${status.message})` : ""}`,
    `Versions:     stable ${status.stableVersion}, new ${status.newVersion}`,
  ];
  if (status.strategy === "canary") {
    const step =
      status.currentStepIndex === null ? "done" : `${status.currentStepIndex}/${status.steps.length}`;
    lines.push(`Step:         ${step}`, `Weight:       ${status.weight}% to ${status.newVersion}`);
    for (const s of status.steps)
      lines.push(
        `  ${s.index === status.currentStepIndex ? "→" : " "} ${String(s.index).padStart(2)} ${s.description}`,
      );
  } else {
    lines.push(`Active:       ${status.weight === 100 ? status.newVersion : status.stableVersion}`);
  }
  const ports = Object.entries(status.ports).map(([name, port]) => `${name} :${port}`);
  if (ports.length > 0) lines.push(`Ports:        ${ports.join(", ")}`);
  for (const r of status.replicas)
    lines.push(`Replicas:     ${r.role} ${r.version} ${r.ready}/${r.desired} ready`);
  for (const run of status.analysisRuns) {
    lines.push(`Analysis:     ${run.id} ${run.phase} (${run.templates.join(", ")})`);
    for (const m of run.metrics)
      lines.push(
        `  ${m.name}: ${m.phase}, ${m.successful} ok / ${m.failed} failed / ${m.inconclusive} inconclusive / ${m.error} errors`,
      );
  }
  for (const t of status.traffic)
    lines.push(
      `Traffic:      ${t.version} ${t.rps.toFixed(1)} req/s, ${(t.errorRate * 100).toFixed(1)}% errors, p95 ${t.p95Ms === null ? "—" : `${t.p95Ms.toFixed(0)} ms`}`,
    );
  return `${lines.join("\n")}\n`;
}
