/** How tasks and subtasks look on the command line: table rows, JSON rows, and the detail view. */
import type { Task } from "../tasks/model.ts";
import { dependencyKeys, itemStatus, type TaskIndex, type WorkItem } from "../tasks/task-index.ts";

export interface ItemJson {
  id: string;
  type: "task" | "subtask";
  parent?: number;
  title: string;
  status: string;
  priority: string;
  /** Resolved ids (`"3"`, `"3.2"`), whatever form the file writes them in. */
  dependencies: string[];
  phase?: string;
  command?: string;
  localCommand?: string;
  source?: string;
}

export function phaseName(task: Task): string | undefined {
  if (!task.phase) return undefined;
  return task.phase.number === undefined
    ? task.phase.title
    : `Phase ${task.phase.number}: ${task.phase.title}`;
}

/** `"1✓, 2"`: dependency ids, ticked when done. */
export function dependencyCell(index: TaskIndex, item: WorkItem): string {
  return dependencyKeys(index, item)
    .map((key) => (index.items.get(key) && itemStatus(index.items.get(key)!) === "done" ? `${key}✓` : key))
    .join(", ");
}

export function itemJson(index: TaskIndex, item: WorkItem): ItemJson {
  const target = item.subtask ?? item.task;
  const json: ItemJson = {
    id: item.id,
    type: item.subtask ? "subtask" : "task",
    title: target.title,
    status: target.status,
    priority: item.task.priority,
    dependencies: dependencyKeys(index, item),
  };
  if (item.subtask) json.parent = item.task.id;
  const phase = phaseName(item.task);
  if (phase) json.phase = phase;
  if (target.command) json.command = target.command;
  if (target.localCommand) json.localCommand = target.localCommand;
  if (target.source) json.source = `${target.source.file}:${target.source.line}`;
  return json;
}

export function itemRow(index: TaskIndex, item: WorkItem): string[] {
  const target = item.subtask ?? item.task;
  const title = item.subtask ? `  └ ${target.title}` : target.title;
  return [item.id, target.status, item.subtask ? "" : item.task.priority, dependencyCell(index, item), title];
}

export const ITEM_HEADERS = ["ID", "Status", "Priority", "Deps", "Title"] as const;

/** The multi-line view used by `show` and `next`. */
export function itemDetails(index: TaskIndex, item: WorkItem): string[] {
  const target = item.subtask ?? item.task;
  const lines = [`${item.subtask ? "Subtask" : "Task"} ${item.id}: ${target.title}`];
  const field = (name: string, value: string | undefined) => {
    if (value) lines.push(`  ${`${name}:`.padEnd(14)}${value}`);
  };
  if (item.subtask) field("parent", `${item.task.id} ${item.task.title}`);
  field("status", target.status);
  field("priority", item.task.priority);
  field("phase", phaseName(item.task));
  field("depends on", dependencyCell(index, item) || "nothing");
  field("command", target.command);
  field("locally", target.localCommand);
  field("source", target.source && `${target.source.file}:${target.source.line}`);
  for (const [name, value] of [
    ["description", target.description],
    ["details", target.details],
    ["test strategy", target.testStrategy],
  ] as const) {
    if (value?.trim())
      lines.push(
        "",
        `  ${name}:`,
        ...value
          .trim()
          .split("\n")
          .map((l) => `    ${l}`),
      );
  }
  return lines;
}
