/**
 * Spellings of statuses and priorities found in real tasks.json files and on command lines, mapped onto
 * the canonical values in model.ts. task-master itself writes `completed` as well as `done`.
 */
import { PRIORITIES, type Priority, STATUSES, type TaskStatus } from "./model.ts";

const STATUS_SYNONYMS: Readonly<Record<string, TaskStatus>> = {
  completed: "done",
  complete: "done",
  inprogress: "in-progress",
  "in-progress": "in-progress",
  canceled: "cancelled",
  todo: "pending",
};

/** The canonical status for `value`, or undefined when it is not a status at all. */
export function normalizeStatus(value: unknown): TaskStatus | undefined {
  if (typeof value !== "string") return undefined;
  // "In Progress", "in_progress" and "in-progress" are one status.
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  if ((STATUSES as readonly string[]).includes(key)) return key as TaskStatus;
  return STATUS_SYNONYMS[key] ?? STATUS_SYNONYMS[key.replace(/-/g, "")];
}

export function normalizePriority(value: unknown): Priority | undefined {
  if (typeof value !== "string") return undefined;
  const key = value.trim().toLowerCase();
  return (PRIORITIES as readonly string[]).includes(key) ? (key as Priority) : undefined;
}

export const STATUS_LIST = STATUSES.join(", ");
export const PRIORITY_LIST = PRIORITIES.join(", ");
