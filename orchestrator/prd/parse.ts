/**
 * Markdown PRDs → task-master tasks, deterministically: the same files in the same order always give the
 * same ids, dependencies and text. Extraction reads each file; ids are assigned across all of them
 * (explicit `TASK_NNN` ids kept, the rest numbered from 1 in document order, skipping taken ids); then
 * dependencies are resolved and checked.
 */
import type { Subtask, Task } from "../tasks/model.ts";
import { cycleProblems } from "./cycles.ts";
import { resolveDependencies } from "./dependencies.ts";
import type { PhaseDraft, TaskDraft } from "./drafts.ts";
import { PrdError, type PrdProblem } from "./errors.ts";
import { extractDocument } from "./extract.ts";

export interface PrdInput {
  /** The path as the user gave it: it is what `source.file` and messages show. */
  file: string;
  text: string;
}

export interface ParsedPrds {
  tasks: Task[];
  /** Things worth telling the author that do not stop parsing (encoding damage, ignored lines). */
  warnings: PrdProblem[];
}

/** @throws PrdError for duplicate ids, missing or ambiguous dependency targets, self references, cycles. */
export function parsePrds(inputs: PrdInput[]): ParsedPrds {
  const tasks: TaskDraft[] = [];
  const phases: PhaseDraft[] = [];
  const warnings: PrdProblem[] = [];
  for (const input of inputs) {
    const document = extractDocument(input.file, input.text);
    tasks.push(...document.tasks);
    phases.push(...document.phases);
    warnings.push(...document.warnings);
  }
  const problems = assignIds(tasks);
  const resolution = resolveDependencies(tasks, phases);
  problems.push(...resolution.problems);
  warnings.push(...resolution.warnings);
  // Cycles are only meaningful once every edge resolved and ids are unique.
  if (problems.length === 0) problems.push(...cycleProblems(tasks, resolution.edgeSources));
  if (problems.length > 0) throw new PrdError(problems);
  return { tasks: tasks.map(toTask), warnings };
}

function assignIds(tasks: TaskDraft[]): PrdProblem[] {
  const problems: PrdProblem[] = [];
  const claimed = new Map<number, TaskDraft>();
  for (const task of tasks) {
    if (task.explicitId === undefined) continue;
    const other = claimed.get(task.explicitId);
    if (other) {
      const name = `TASK_${String(task.explicitId).padStart(3, "0")}`;
      problems.push({
        ...task.source,
        message: `${name} is already defined at ${other.source.file}:${other.source.line}`,
      });
    } else claimed.set(task.explicitId, task);
    task.id = task.explicitId;
  }
  let next = 1;
  for (const task of tasks) {
    if (task.explicitId !== undefined) continue;
    while (claimed.has(next)) next++;
    task.id = next++;
  }
  return problems;
}

/** Keys in task-master's order, so tasks.json diffs read naturally; our extras come last. */
function toTask(draft: TaskDraft): Task {
  const subtasks = draft.subtasks.map((sub, i): Subtask => {
    const subtask: Subtask = {
      id: i + 1,
      title: sub.title,
      description: sub.description,
      dependencies: sub.dependencies,
      details: sub.details,
      status: sub.done ? "done" : "pending",
    };
    if (sub.command) subtask.command = sub.command;
    if (sub.localCommand) subtask.localCommand = sub.localCommand;
    subtask.source = sub.source;
    return subtask;
  });
  const done = draft.checked || (subtasks.length > 0 && subtasks.every((s) => s.status === "done"));
  const task: Task = {
    id: draft.id,
    title: draft.title,
    description: draft.description,
    status: done ? "done" : "pending",
    dependencies: draft.dependencies,
    priority: draft.priority ?? draft.phase?.priority ?? "medium",
    details: draft.details,
    testStrategy: "",
    subtasks,
  };
  if (draft.command) task.command = draft.command;
  if (draft.localCommand) task.localCommand = draft.localCommand;
  task.source = draft.source;
  if (draft.phase) {
    const { number, title, priority } = draft.phase;
    task.phase = { ...(number === undefined ? {} : { number }), title, ...(priority ? { priority } : {}) };
  }
  return task;
}
