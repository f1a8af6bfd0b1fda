/** Text a person reads: the dry-run plan, and the recap at the end of a run (after Ansible's PLAY RECAP). */
import type { CommandSource } from "./commands.ts";
import type { PreparedRun, PreparedStep } from "./prepare.ts";
import { OUTCOMES, type RunSummary, type StepResult } from "./run.ts";

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
  if (source.kind === "local") return "(local) the PRD's local alternative";
  return source.kind === "inline" ? "from the PRD" : `mapped: ${source.tool}`;
}

/** Which program of a command is missing on this machine now; the run asks again as each step starts. */
export type MissingProgram = (step: PreparedStep) => string | undefined;

/** The command lines of a step: what runs, and its local alternative with when it would run. */
function commandLines(step: PreparedStep, indent: string, missing?: MissingProgram): string[] {
  const alternative = step.localAlternative;
  if (step.shown === undefined) {
    const reason = step.manualReason ? [`${indent}# ${step.manualReason}`] : [];
    return alternative ? [...reason, `${indent}(local) $ ${alternative.shown}`] : reason;
  }
  const program = alternative && step.action === "run" ? missing?.(step) : undefined;
  if (alternative && program) {
    return [
      `${indent}$ ${alternative.shown}   # (local) ${program} not found: the local alternative runs`,
      `${indent}  instead of $ ${step.shown}`,
    ];
  }
  const lines = [`${indent}$ ${step.shown}   # ${describeSource(step.commandSource)}`];
  if (alternative) lines.push(`${indent}(local, if a program is missing) $ ${alternative.shown}`);
  return lines;
}

function planStepLines(step: PreparedStep, idWidth: number, missing?: MissingProgram): string[] {
  const after = step.dependsOn.length > 0 ? `  (after ${step.dependsOn.join(", ")})` : "";
  const lines = [`  ${step.id.padEnd(idWidth)}  ${step.action.padEnd(6)}  ${clip(step.title, 72)}${after}`];
  const indent = " ".repeat(idWidth + 12);
  lines.push(...commandLines(step, indent, missing));
  if (step.unmet.length > 0)
    lines.push(`${indent}! waits on ${step.unmet.join(", ")}, not done and not in this run`);
  return lines;
}

/**
 * The dry run's output: every step in order, grouped by what could run side by side. `missing` tells
 * which steps' commands could not start here, so the plan shows their local alternatives as what runs.
 */
export function formatPlan(run: PreparedRun, missing?: MissingProgram): string {
  const byId = new Map(run.steps.map((s) => [s.id, s]));
  const idWidth = Math.max(4, ...run.steps.map((s) => s.id.length));
  const count = (action: string) => run.steps.filter((s) => s.action === action).length;
  const local = run.steps.filter(
    (s) =>
      s.action === "run" &&
      (s.commandSource?.kind === "local" || (s.localAlternative !== undefined && missing?.(s) !== undefined)),
  ).length;
  const cwds = [...new Set(run.steps.map((s) => s.cwd))];
  const lines = [
    `PLAN: ${run.steps.length} steps in ${run.levels.length} parallel groups` +
      ` (run ${count("run")}${local > 0 ? ` of which ${local} local` : ""}, manual ${count("manual")},` +
      ` done ${count("done")})`,
    ...(cwds.length === 1 ? [`cwd: ${cwds[0]}`] : []),
  ];
  run.levels.forEach((ids, index) => {
    lines.push("", `group ${index + 1} (${ids.length} step${ids.length === 1 ? "" : "s"})`);
    for (const id of ids) {
      const step = byId.get(id)!;
      lines.push(...planStepLines(step, idWidth, missing));
      if (cwds.length > 1) lines.push(`${" ".repeat(idWidth + 12)}cwd: ${step.cwd}`);
    }
  });
  if (run.steps.length === 0) lines.push("", "nothing to run");
  return lines.join("\n");
}

/** What a step's result has to say beyond its outcome: the note (also on `ok`), then the reason. */
export function resultNotes(result: StepResult): string {
  const reason = result.outcome !== "ok" ? result.reason : undefined;
  return [result.note, reason].filter(Boolean).join("; ");
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
    clip(resultNotes(r) ? `${r.title} — ${resultNotes(r)}` : r.title, 90),
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
