/** `canary show <id>` and `canary next`: one task or subtask in detail. */
import type { Command } from "commander";
import { findTask, indexTasks, nextTask } from "../tasks/queries.ts";
import { readTasksFile } from "../tasks/store.ts";
import { ITEM_HEADERS, itemDetails, itemJson, itemRow } from "./describe.ts";
import {
  action,
  print,
  printJson,
  renderTable,
  type TaskFileOptions,
  UsageError,
  withTaskFileOptions,
} from "./shared.ts";

interface ShowOptions extends TaskFileOptions {
  id?: string;
  json?: boolean;
}

export function registerShowCommands(program: Command): void {
  withTaskFileOptions(
    program
      .command("show")
      .description("show one task (N) or subtask (N.M)")
      .argument("[id]", "task id N or subtask id N.M")
      .option("-i, --id <id>", "same as the argument (task-master's spelling)")
      .option("--json", "print JSON"),
  ).action(
    action(async (idArgument: string | undefined, options: ShowOptions) => {
      const id = idArgument ?? options.id;
      if (!id) throw new UsageError("show needs a task id (N or N.M)");
      const { data } = await readTasksFile(options.file, { tag: options.tag });
      const index = indexTasks(data.tasks);
      const item = findTask(index, id);
      if (!item) throw new UsageError(`no task ${id.trim()} in ${options.file}`);
      // The stored fields (description, details, subtasks…) plus the list's view of ids and dependencies.
      if (options.json) return printJson({ ...(item.subtask ?? item.task), ...itemJson(index, item) });
      print(itemDetails(index, item).join("\n"));
      if (!item.subtask && item.task.subtasks.length > 0) {
        const rows = item.task.subtasks.map((s) =>
          itemRow(index, index.items.get(`${item.task.id}.${s.id}`)!),
        );
        print(`\n${renderTable(ITEM_HEADERS, rows)}`);
      }
    }),
  );

  withTaskFileOptions(
    program
      .command("next")
      .description("the next task to work on (task-master's rules; critical ranks above high)")
      .option("--json", "print JSON (null when nothing is ready)"),
  ).action(
    action(async (options: ShowOptions) => {
      const { data } = await readTasksFile(options.file, { tag: options.tag });
      const index = indexTasks(data.tasks);
      const next = nextTask(index);
      if (options.json) return printJson(next ? itemJson(index, next) : null);
      if (!next) {
        const open = data.tasks.filter((t) => t.status === "pending" || t.status === "in-progress").length;
        return print(
          open === 0
            ? "Nothing left to do: no pending or in-progress tasks."
            : `No task is ready: ${open} open task(s) wait on dependencies (see \`canary list\`).`,
        );
      }
      print(itemDetails(index, next).join("\n"));
      print(`\nStart it with: canary set-status ${next.id} in-progress`);
    }),
  );
}
