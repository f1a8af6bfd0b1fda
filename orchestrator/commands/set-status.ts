/** `canary set-status <ids> <status>`: ids `N` or `N.M`, comma-separated; a locked, atomic update. */
import type { Command } from "commander";
import { setStatus } from "../tasks/queries.ts";
import { updateTasksFile } from "../tasks/store.ts";
import {
  action,
  parseStatuses,
  print,
  printJson,
  type TaskFileOptions,
  UsageError,
  withTaskFileOptions,
} from "./shared.ts";

interface SetStatusOptions extends TaskFileOptions {
  id?: string;
  status?: string;
  cascade: boolean;
  json?: boolean;
}

export function registerSetStatusCommand(program: Command): void {
  withTaskFileOptions(
    program
      .command("set-status")
      .description(
        "set the status of tasks or subtasks (marking a task done or cancelled does its subtasks too)",
      )
      .argument("[ids]", "N or N.M, comma-separated")
      .argument("[status]", "pending, in-progress, done, review, blocked, deferred or cancelled")
      .option("-i, --id <ids>", "same as the first argument (task-master's spelling)")
      .option("-s, --status <status>", "same as the second argument (task-master's spelling)")
      .option("--no-cascade", "leave the subtasks of a task marked done or cancelled as they are")
      .option("--json", "print the changes as JSON"),
  ).action(
    action(
      async (
        idsArgument: string | undefined,
        statusArgument: string | undefined,
        options: SetStatusOptions,
      ) => {
        const ids = idsArgument ?? options.id;
        const statusText = statusArgument ?? options.status;
        if (!ids || !statusText)
          throw new UsageError("set-status needs ids and a status, e.g. `set-status 3.1 done`");
        const statuses = parseStatuses(statusText);
        if (statuses.length !== 1) throw new UsageError("set-status takes one status");
        const result = await updateTasksFile(options.file, { tag: options.tag }, (data) =>
          setStatus(data.tasks, ids, statuses[0]!, { cascade: options.cascade }),
        );
        if (options.json) return printJson(result);
        for (const change of result.changes) {
          const kind = change.id.includes(".") ? "subtask" : "task";
          const how = change.cascaded ? " (with its task)" : change.from === change.to ? " (unchanged)" : "";
          print(`${kind} ${change.id}: ${change.from} → ${change.to}${how}`);
        }
        for (const note of result.notes) print(`note: ${note}`);
      },
    ),
  );
}
