/**
 * Id lookups over a task list, built once per query so that everything downstream is linear: with
 * 10,000 tasks, scanning the list for every dependency would be 10^8 steps.
 *
 * Items are addressed the way task-master prints them: `"3"` for a task, `"3.2"` for subtask 2 of task 3.
 */
import type { DependencyRef, Subtask, Task } from "./model.ts";

/** A task or one of its subtasks, with the id it is addressed by. */
export interface WorkItem {
  id: string;
  task: Task;
  subtask?: Subtask;
}

export interface TaskIndex {
  tasks: readonly Task[];
  items: ReadonlyMap<string, WorkItem>;
}

export function indexTasks(tasks: readonly Task[]): TaskIndex {
  const items = new Map<string, WorkItem>();
  for (const task of tasks) {
    items.set(String(task.id), { id: String(task.id), task });
    for (const subtask of task.subtasks) {
      const id = `${task.id}.${subtask.id}`;
      items.set(id, { id, task, subtask });
    }
  }
  return { tasks, items };
}

export interface ParsedItemId {
  task: number;
  subtask?: number;
}

/** `"3"` → {task: 3}; `"3.2"` → {task: 3, subtask: 2}; anything else → undefined. */
export function parseItemId(text: string): ParsedItemId | undefined {
  const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!match) return undefined;
  return match[2] === undefined
    ? { task: Number(match[1]) }
    : { task: Number(match[1]), subtask: Number(match[2]) };
}

/**
 * The item key a dependency points at. For a task, `3` and `"3"` are task 3 and `"3.2"` a subtask. For
 * a subtask of task P, a bare number k is its sibling `P.k` (task-master's convention); when P has no
 * subtask k but a task k exists, the task is meant. Unresolvable references come back as written so
 * validation can name them.
 */
export function dependencyKey(index: TaskIndex, item: WorkItem, ref: DependencyRef): string {
  const text = String(ref).trim();
  if (text.includes(".")) return text;
  if (!item.subtask) return /^\d+$/.test(text) ? String(Number(text)) : text;
  if (!/^\d+$/.test(text)) return text;
  const sibling = `${item.task.id}.${Number(text)}`;
  if (index.items.has(sibling)) return sibling;
  const task = String(Number(text));
  return index.items.has(task) ? task : sibling;
}

export function dependencyKeys(index: TaskIndex, item: WorkItem): string[] {
  const refs = item.subtask ? item.subtask.dependencies : item.task.dependencies;
  return refs.map((ref) => dependencyKey(index, item, ref));
}

export function itemStatus(item: WorkItem) {
  return item.subtask ? item.subtask.status : item.task.status;
}
