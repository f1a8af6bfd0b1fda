/** Text a person reads: the dry-run plan, and the recap at the end of a run (after Ansible's PLAY RECAP). */
import type { CommandSource } from "./commands.ts";
import type { PreparedRun, PreparedStep } from "./prepare.ts";
import { OUTCOMES, type RunSummary } from "./run.ts";

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

function clip(text: string, width: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

function describeSource(source: CommandSource | undefined): string {
  if (!source) return "";
  return source.kind === "inline" ? "from the PRD" : `mapped: ${source.tool}`;
}

function planStepLines(step: PreparedStep, idWidth: number): string[] {
  const after = step.dependsOn.length > 0 ? `  (after ${step.dependsOn.join(", ")})` : "";
  const lines = [`  ${step.id.padEnd(idWidth)}  ${step.action.padEnd(6)}  ${clip(step.title, 72)}${after}`];
  const indent = " ".repeat(idWidth + 12);
  if (step.shown !== undefined) {
    lines.push(`${indent}$ ${step.shown}   # ${describeSource(step.commandSource)}`);
  } else if (step.action === "manual" && step.manualReason) lines.push(`${indent}# ${step.manualReason}`);
  if (step.unmet.length > 0)
    lines.push(`${indent}! waits on ${step.unmet.join(", ")}, not done and not in this run`);
  return lines;
}

/** The dry run's output: every step in order, grouped by what could run side by side. */
export function formatPlan(run: PreparedRun): string {
  const byId = new Map(run.steps.map((s) => [s.id, s]));
  const idWidth = Math.max(4, ...run.steps.map((s) => s.id.length));
  const count = (action: string) => run.steps.filter((s) => s.action === action).length;
  const cwds = [...new Set(run.steps.map((s) => s.cwd))];
  const lines = [
    `PLAN: ${run.steps.length} steps in ${run.levels.length} parallel groups` +
      ` (run ${count("run")}, manual ${count("manual")}, done ${count("done")})`,
    ...(cwds.length === 1 ? [`cwd: ${cwds[0]}`] : []),
  ];
  run.levels.forEach((ids, index) => {
    lines.push("", `group ${index + 1} (${ids.length} step${ids.length === 1 ? "" : "s"})`);
    for (const id of ids) {
      const step = byId.get(id)!;
      lines.push(...planStepLines(step, idWidth));
      if (cwds.length > 1) lines.push(`${" ".repeat(idWidth + 12)}cwd: ${step.cwd}`);
    }
  });
  if (run.steps.length === 0) lines.push("", "nothing to run");
  return lines.join("\n");
}

/** Counts, then one row per step with its outcome, attempts and duration. */
export function formatRecap(summary: RunSummary, runId?: string): string {
  const header = `RUN RECAP${runId ? ` ${runId}` : ""}  (${formatDuration(summary.durationMs)})`;
  const counts = OUTCOMES.filter((o) => o !== "interrupted" || summary.counts.interrupted > 0)
    .map((o) => `${o}=${summary.counts[o]}`)
    .join("  ");
  const rows = summary.results.map((r) => [
    r.id,
    r.outcome,
    String(r.attempts),
    r.attempts > 0 ? formatDuration(r.durationMs) : "-",
    clip(r.reason && r.outcome !== "ok" ? `${r.title} — ${r.reason}` : r.title, 90),
  ]);
  const titles = ["step", "outcome", "attempts", "duration", "title"];
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const lines = [`${"*".repeat(3)} ${header} ${"*".repeat(Math.max(3, 60 - header.length))}`, counts];
  if (rows.length > 0) lines.push("", format(titles), ...rows.map(format));
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}
