/** `canary progress`: a bar per phase and overall, counting units of work (subtasks, or bare tasks). */
import type { Command } from "commander";
import { type ProgressReport, progressByPhase, type StatusCounts } from "../tasks/queries.ts";
import { readTasksFile } from "../tasks/store.ts";
import {
  action,
  print,
  printJson,
  progressBar,
  type TaskFileOptions,
  withTaskFileOptions,
} from "./shared.ts";

function summary(counts: StatusCounts): string {
  const others = Object.entries(counts.byStatus)
    .filter(([status, n]) => n > 0 && status !== "done")
    .map(([status, n]) => `${n} ${status}`);
  return `${counts.byStatus.done}/${counts.total} done${others.length > 0 ? ` · ${others.join(" · ")}` : ""}`;
}

/** The bars, one line per phase, then the totals: what `canary progress` prints. */
export function formatProgress(report: ProgressReport): string[] {
  const label = (p: { phase: string; number?: number }) =>
    p.number === undefined ? p.phase : `Phase ${p.number}: ${p.phase}`;
  const rows = [
    ...report.phases.map((p) => ({ name: label(p), counts: p.items })),
    { name: "Total", counts: report.total.items },
  ];
  const width = Math.min(48, Math.max(...rows.map((r) => r.name.length)));
  const lines: string[] = [];
  for (const [i, row] of rows.entries()) {
    if (i === rows.length - 1) lines.push("");
    const name = row.name.length > width ? `${row.name.slice(0, width - 1)}…` : row.name.padEnd(width);
    const percent = `${row.counts.percentDone.toFixed(1)}%`.padStart(6);
    lines.push(`${name}  ${progressBar(row.counts.percentDone)} ${percent}  ${summary(row.counts)}`);
  }
  const { tasks, subtasks } = report.total;
  lines.push(`Tasks: ${summary(tasks)}.  Subtasks: ${summary(subtasks)}.`);
  return lines;
}

export function registerProgressCommand(program: Command): void {
  withTaskFileOptions(
    program.command("progress").description("progress per phase and in total").option("--json", "print JSON"),
  ).action(
    action(async (options: TaskFileOptions & { json?: boolean }) => {
      const { data } = await readTasksFile(options.file, { tag: options.tag });
      const report = progressByPhase(data.tasks);
      if (options.json) return printJson(report);
      for (const line of formatProgress(report)) print(line);
    }),
  );
}
