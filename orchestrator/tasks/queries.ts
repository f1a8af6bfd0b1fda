/**
 * Questions asked of a task list: what is ready, what to do next, where is task `N.M`. Every function
 * builds (or takes) one TaskIndex and then runs in time linear in tasks + dependencies.
 *
 * The other query modules are re-exported so callers have one place to import from.
 */
import type { Priority, Task, TaskStatus } from "./model.ts";
import {
  dependencyKeys,
  indexTasks,
  itemStatus,
  parseItemId,
  type TaskIndex,
  type WorkItem,
} from "./task-index.ts";

export { type DependencyProblem, dependencyGraph, dependencyProblems } from "./dependencies.ts";
export { type PhaseProgress, type ProgressReport, progressByPhase, type StatusCounts } from "./progress.ts";
export { type SetStatusResult, setStatus, TaskNotFoundError } from "./set-status.ts";
export { indexTasks, parseItemId, type TaskIndex, type WorkItem } from "./task-index.ts";

/** Statuses a person (or the runner) can pick up; everything else is finished or parked. */
const ACTIONABLE: ReadonlySet<TaskStatus> = new Set(["pending", "in-progress"]);

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

function asIndex(tasks: readonly Task[] | TaskIndex): TaskIndex {
  return Array.isArray(tasks) ? indexTasks(tasks as readonly Task[]) : (tasks as TaskIndex);
}

/** Every dependency exists and is done (task-master counts only `done`/`completed` as satisfied). */
export function dependenciesDone(index: TaskIndex, item: WorkItem): boolean {
  for (const key of dependencyKeys(index, item)) {
    const dep = index.items.get(key);
    if (!dep || itemStatus(dep) !== "done") return false;
  }
  return true;
}

/**
 * Actionable and unblocked. A subtask additionally needs its parent to be actionable and the parent's
 * own dependencies done: task-master does not check the latter, so it can offer a subtask whose parent
 * is still waiting on other work.
 */
export function isReady(index: TaskIndex, item: WorkItem): boolean {
  if (!ACTIONABLE.has(itemStatus(item)) || !dependenciesDone(index, item)) return false;
  if (!item.subtask) return true;
  const parent = index.items.get(String(item.task.id))!;
  return ACTIONABLE.has(item.task.status) && dependenciesDone(index, parent);
}

export interface ReadyOptions {
  /** Also list ready subtasks (after their parent, in file order). Default false: top-level tasks only. */
  includeSubtasks?: boolean;
}

/** Tasks (and optionally subtasks) that can be worked on now, in file order. */
export function readyTasks(tasks: readonly Task[] | TaskIndex, options: ReadyOptions = {}): WorkItem[] {
  const index = asIndex(tasks);
  const ready: WorkItem[] = [];
  for (const item of index.items.values()) {
    if (item.subtask && !options.includeSubtasks) continue;
    if (isReady(index, item)) ready.push(item);
  }
  return ready;
}

function priorityOf(item: WorkItem): Priority {
  // Subtasks have no priority in task-master's schema; one written by hand wins over the parent's.
  const own = (item.subtask as { priority?: unknown } | undefined)?.priority;
  return typeof own === "string" && own in PRIORITY_RANK ? (own as Priority) : item.task.priority;
}

/** Negative when `a` should be done before `b`: priority, then fewer dependencies, then id. */
function compareCandidates(a: WorkItem, b: WorkItem): number {
  return (
    PRIORITY_RANK[priorityOf(a)] - PRIORITY_RANK[priorityOf(b)] ||
    (a.subtask ?? a.task).dependencies.length - (b.subtask ?? b.task).dependencies.length ||
    a.task.id - b.task.id ||
    (a.subtask?.id ?? 0) - (b.subtask?.id ?? 0)
  );
}

function best(candidates: Iterable<WorkItem>): WorkItem | undefined {
  let chosen: WorkItem | undefined;
  for (const item of candidates) if (!chosen || compareCandidates(item, chosen) < 0) chosen = item;
  return chosen;
}

/**
 * task-master's `next`: first the ready subtasks of in-progress tasks (finish what was started), then
 * ready top-level tasks; within each group by priority (critical > high > medium > low), then fewer
 * dependencies, then lower id. One linear pass per group, no sort.
 */
export function nextTask(tasks: readonly Task[] | TaskIndex): WorkItem | undefined {
  const index = asIndex(tasks);
  const ready = readyTasks(index, { includeSubtasks: true });
  const started = ready.filter((item) => item.subtask && item.task.status === "in-progress");
  return best(started) ?? best(ready.filter((item) => !item.subtask));
}

/** The task or subtask addressed by `id` (`"N"` or `"N.M"`), or undefined. */
export function findTask(tasks: readonly Task[] | TaskIndex, id: string): WorkItem | undefined {
  const parsed = parseItemId(id);
  if (!parsed) return undefined;
  const key = parsed.subtask === undefined ? `${parsed.task}` : `${parsed.task}.${parsed.subtask}`;
  return asIndex(tasks).items.get(key);
}
