/**
 * `set-status`, with task-master's cascade: marking a task `done` marks its unfinished subtasks `done`
 * too, and marking it `cancelled` cancels its unfinished subtasks. The reverse does not happen: finishing
 * the last subtask leaves the parent as it is (it may have its own acceptance work, e.g. a testStrategy)
 * and the result carries a note suggesting to mark it done.
 */
import type { Task, TaskStatus } from "./model.ts";
import { indexTasks, parseItemId, type WorkItem } from "./task-index.ts";

export class TaskNotFoundError extends Error {
  override name = "TaskNotFoundError";
}

export interface StatusChange {
  id: string;
  from: TaskStatus;
  to: TaskStatus;
  /** Changed because its parent was set, not because it was named. */
  cascaded: boolean;
}

export interface SetStatusResult {
  changes: StatusChange[];
  notes: string[];
}

export interface SetStatusOptions {
  /** Apply the done/cancelled cascade to subtasks (default true). */
  cascade?: boolean;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set(["done", "cancelled"]);

/**
 * Sets `status` on every id in `ids` (`"3"`, `"3.2"`, or a comma list of them). All ids are checked
 * before anything changes, so an unknown id leaves the tasks untouched.
 */
export function setStatus(
  tasks: Task[],
  ids: string | readonly string[],
  status: TaskStatus,
  options: SetStatusOptions = {},
): SetStatusResult {
  const index = indexTasks(tasks);
  const wanted = (typeof ids === "string" ? [ids] : ids)
    .flatMap((id) => id.split(","))
    .map((id) => id.trim());
  const targets: WorkItem[] = [];
  for (const id of wanted.filter((id) => id !== "")) {
    const parsed = parseItemId(id);
    if (!parsed) throw new TaskNotFoundError(`"${id}" is not a task id (expected N or N.M)`);
    const key = parsed.subtask === undefined ? `${parsed.task}` : `${parsed.task}.${parsed.subtask}`;
    const item = index.items.get(key);
    if (item) targets.push(item);
    else if (parsed.subtask !== undefined && index.items.has(`${parsed.task}`)) {
      throw new TaskNotFoundError(`task ${parsed.task} has no subtask ${parsed.subtask}`);
    } else throw new TaskNotFoundError(`no task ${parsed.task}`);
  }
  if (targets.length === 0) throw new TaskNotFoundError("no task id given");

  const result: SetStatusResult = { changes: [], notes: [] };
  const touchedParents = new Set<Task>();
  for (const item of targets) {
    const target = item.subtask ?? item.task;
    result.changes.push({ id: item.id, from: target.status, to: status, cascaded: false });
    target.status = status;
    if (item.subtask) touchedParents.add(item.task);
    else if (options.cascade !== false && FINISHED.has(status)) {
      for (const subtask of item.task.subtasks) {
        if (FINISHED.has(subtask.status)) continue;
        const id = `${item.task.id}.${subtask.id}`;
        result.changes.push({ id, from: subtask.status, to: status, cascaded: true });
        subtask.status = status;
      }
    }
  }
  for (const parent of touchedParents) {
    const allFinished = parent.subtasks.every((s) => FINISHED.has(s.status));
    if (allFinished && !FINISHED.has(parent.status)) {
      result.notes.push(
        `all subtasks of task ${parent.id} are finished; task ${parent.id} is still ${parent.status} ` +
          `(mark it with \`canary set-status ${parent.id} done\`)`,
      );
    }
  }
  return result;
}
