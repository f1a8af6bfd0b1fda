/**
 * Raw JSON from a tasks.json file → the model's Task shapes. Tolerant where task-master is (numeric or
 * string ids, missing optional fields, `completed`), strict where a silent guess would lose data (unknown
 * statuses, non-numeric ids). Fields we do not know are kept on the object so they survive a round-trip.
 */
import type { DependencyRef, Subtask, Task } from "./model.ts";
import { normalizePriority, normalizeStatus, PRIORITY_LIST, STATUS_LIST } from "./status.ts";

/** A tasks file that cannot be used as it is; the message names the file and the offending task. */
export class TasksFileError extends Error {
  override name = "TasksFileError";
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function wholeNumberId(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** A subtask id may be written `2`, `"2"` or, by some tools, `"5.2"` (parent-qualified). */
function subtaskId(value: unknown): number | undefined {
  if (typeof value === "string") {
    const qualified = /^\s*\d+\.(\d+)\s*$/.exec(value);
    if (qualified) return Number(qualified[1]);
  }
  return wholeNumberId(value);
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return String(value);
}

function dependencies(value: unknown, fail: (message: string) => never): DependencyRef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail("dependencies must be a list");
  return value.map((dep) => {
    if (typeof dep === "number" || typeof dep === "string") return dep;
    return fail(`dependency ${JSON.stringify(dep)} is neither a number nor a string`);
  });
}

function status(value: unknown, fail: (message: string) => never) {
  if (value === undefined || value === null || value === "") return "pending";
  return normalizeStatus(value) ?? fail(`invalid status ${JSON.stringify(value)} (expected ${STATUS_LIST})`);
}

function normalizeSubtask(raw: unknown, file: string, parent: number, position: number): Subtask {
  const label = `subtask #${position + 1} of task ${parent}`;
  const fail = (message: string): never => {
    throw new TasksFileError(`${file}: ${label}: ${message}`);
  };
  if (!isRecord(raw)) fail("is not an object");
  const r = raw as Raw;
  const id = subtaskId(r.id) ?? fail(`invalid id ${JSON.stringify(r.id)} (expected a whole number)`);
  const subtask: Subtask = {
    ...r,
    id,
    title: text(r.title),
    description: text(r.description),
    details: text(r.details),
    status: status(r.status, (m) => fail(`(${parent}.${id}) ${m}`)),
    dependencies: dependencies(r.dependencies, (m) => fail(`(${parent}.${id}) ${m}`)),
  };
  if (r.testStrategy !== undefined) subtask.testStrategy = text(r.testStrategy);
  return subtask;
}

export function normalizeTask(raw: unknown, file: string, position: number): Task {
  let label = `task #${position + 1}`;
  const fail = (message: string): never => {
    throw new TasksFileError(`${file}: ${label}: ${message}`);
  };
  if (!isRecord(raw)) fail("is not an object");
  const r = raw as Raw;
  const id = wholeNumberId(r.id) ?? fail(`invalid id ${JSON.stringify(r.id)} (expected a whole number)`);
  label = `task ${id}`;
  if (typeof r.title !== "string" || r.title.trim() === "") fail("missing title");
  const priority =
    r.priority === undefined || r.priority === null || r.priority === ""
      ? "medium"
      : (normalizePriority(r.priority) ??
        fail(`invalid priority ${JSON.stringify(r.priority)} (expected ${PRIORITY_LIST})`));
  if (r.subtasks !== undefined && r.subtasks !== null && !Array.isArray(r.subtasks)) {
    fail("subtasks must be a list");
  }
  const rawSubtasks = Array.isArray(r.subtasks) ? r.subtasks : [];
  const subtasks = rawSubtasks.map((s, i) => normalizeSubtask(s, file, id, i));
  const seen = new Set<number>();
  for (const subtask of subtasks) {
    if (seen.has(subtask.id)) fail(`duplicate subtask id ${id}.${subtask.id}`);
    seen.add(subtask.id);
  }
  return {
    ...r,
    id,
    title: r.title as string,
    description: text(r.description),
    details: text(r.details),
    testStrategy: text(r.testStrategy),
    status: status(r.status, fail),
    dependencies: dependencies(r.dependencies, fail),
    priority,
    subtasks,
  };
}

/** Normalizes one tag's task list, rejecting duplicate task ids (every lookup by id would be ambiguous). */
export function normalizeTaskList(raw: unknown, file: string, where: string): Task[] {
  if (!Array.isArray(raw)) throw new TasksFileError(`${file}: ${where}: "tasks" must be a list`);
  const tasks = raw.map((t, i) => normalizeTask(t, file, i));
  const seen = new Set<number>();
  for (const task of tasks) {
    if (seen.has(task.id)) throw new TasksFileError(`${file}: ${where}: duplicate task id ${task.id}`);
    seen.add(task.id);
  }
  return tasks;
}

export { isRecord };
