/** `canary list`: the tasks (and their subtasks) as a table or JSON, filtered by status, phase, readiness. */
import type { Command } from "commander";
import type { Task, TaskStatus } from "../tasks/model.ts";
import { indexTasks, isReady } from "../tasks/queries.ts";
import { readTasksFile } from "../tasks/store.ts";
import { itemStatus, type WorkItem } from "../tasks/task-index.ts";
import { ITEM_HEADERS, itemJson, itemRow, phaseName } from "./describe.ts";
import {
  action,
  parseStatuses,
  print,
  printJson,
  renderTable,
  type TaskFileOptions,
  withTaskFileOptions,
} from "./shared.ts";

interface ListOptions extends TaskFileOptions {
  status?: string;
  phase?: string;
  ready?: boolean;
  subtasks: boolean;
  json?: boolean;
}

/** `--phase 3` matches the phase number; any other text matches within the phase title. */
function phaseMatcher(phase: string): (task: Task) => boolean {
  const wanted = phase.trim().toLowerCase();
  const number = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  return (task) =>
    task.phase !== undefined &&
    (number !== undefined
      ? task.phase.number === number
      : task.phase.title.toLowerCase().includes(wanted) || phaseName(task)!.toLowerCase().includes(wanted));
}

export function registerListCommand(program: Command): void {
  withTaskFileOptions(
    program
      .command("list")
      .description("list tasks and subtasks")
      .option("-s, --status <statuses>", "only these statuses (comma-separated)")
      .option("-p, --phase <phase>", "only tasks of this phase (number, or text in its title)")
      .option("--ready", "only items that can be started now (dependencies done)")
      .option("--no-subtasks", "leave subtasks out")
      .option("--json", "print JSON"),
  ).action(
    action(async (options: ListOptions) => {
      const statuses = options.status ? new Set<TaskStatus>(parseStatuses(options.status)) : undefined;
      const inPhase = options.phase ? phaseMatcher(options.phase) : () => true;
      const { data } = await readTasksFile(options.file, { tag: options.tag });
      const index = indexTasks(data.tasks);
      const shown: WorkItem[] = [];
      for (const item of index.items.values()) {
        if (item.subtask && !options.subtasks) continue;
        if (!inPhase(item.task)) continue;
        if (statuses && !statuses.has(itemStatus(item))) continue;
        if (options.ready && !isReady(index, item)) continue;
        shown.push(item);
      }
      if (options.json) return printJson(shown.map((item) => itemJson(index, item)));
      if (shown.length === 0)
        return print(`No matching tasks in ${options.file} (${data.tasks.length} in all).`);

      // Rows grouped under their phase, in file order.
      const rows: string[][] = [];
      let currentPhase: string | undefined;
      for (const item of shown) {
        const phase = phaseName(item.task);
        if (phase !== currentPhase && phase !== undefined) rows.push(["", "", "", "", `── ${phase} ──`]);
        currentPhase = phase;
        rows.push(itemRow(index, item));
      }
      print(renderTable(ITEM_HEADERS, rows));
      const tasks = shown.filter((i) => !i.subtask).length;
      print(
        `\n${tasks} task(s), ${shown.length - tasks} subtask(s) shown; ${data.tasks.length} task(s) in the file.`,
      );
    }),
  );
}
