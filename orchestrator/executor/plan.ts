/**
 * What a run executes: tasks selected from tasks.json, expanded into steps (a task with subtasks runs its
 * subtasks), wired into a DAG and grouped into levels that could run side by side.
 *
 * Step ids follow task-master's addressing: `"3"` for a task, `"3.2"` for its second subtask. A task with
 * subtasks has no step of its own unless it also carries a `command` or a `localCommand`; then that step
 * runs after all of its subtasks (a final check over the task's work).
 */
import { graphProblems, topologicalOrder } from "../tasks/graph.ts";
import type { Task, TaskStatus } from "../tasks/model.ts";
import { dependencyKeys, indexTasks } from "../tasks/task-index.ts";

export interface Selection {
  /** Phase numbers (`3`, `Phase 3`) or titles (case-insensitive; a unique substring is enough). */
  phases?: string[];
  /** Task ids (`"3"`: every step of task 3) or subtask ids (`"3.2"`). */
  taskIds?: string[];
  /** Pull in dependencies that are not done yet, instead of leaving the selected steps waiting on them. */
  withDependencies?: boolean;
}

/** What a task or subtask contributes to a plan. */
interface StepSource {
  id: string;
  taskId: number;
  title: string;
  description: string;
  /** Status in tasks.json when the plan was made (a subtask of a done task counts as done). */
  status: TaskStatus;
  /** Inline command from the PRD, if any. */
  command?: string;
  /** Local alternative from the PRD (`locally: \`…\``), for machines without a Kubernetes cluster. */
  localCommand?: string;
}

export interface Step extends StepSource {
  /** Steps of this plan that must end `ok` (or be done already) first. */
  dependsOn: string[];
  /** Dependencies outside the plan that are not done: this step cannot run in this run. */
  unmet: string[];
  /** Parallel group: 0 for steps with no dependency in the plan, else 1 + the deepest dependency. */
  level: number;
}

export interface Plan {
  /** In execution order: by level, then by id. */
  steps: Step[];
  levels: string[][];
}

export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "PlanError";
  }
}

const INACTIVE: ReadonlySet<TaskStatus> = new Set(["done", "cancelled", "deferred"]);

interface Unit extends StepSource {
  /** Unit ids this unit waits for; ids not in the universe are reported as missing. */
  deps: string[];
}

export function compareStepIds(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A task with subtasks is a step of its own too when it carries a command (or a local alternative). */
export function hasOwnCommand(task: Task): boolean {
  return task.command !== undefined || task.localCommand !== undefined;
}

/** Every executable unit of the task list, keyed by step id, with dependencies as unit ids. */
function buildUnits(tasks: readonly Task[]): Map<string, Unit> {
  const index = indexTasks(tasks);
  const byId = new Map(tasks.map((t) => [String(t.id), t]));
  // A dependency key (task-index.ts decides what a reference means) as the units it stands for: a
  // subtask is one unit; a task is all of its units; an unknown key stays as written (reported missing).
  const unitsOf = (key: string): string[] => {
    const task = byId.get(key);
    if (!task) return [key];
    const subs = task.subtasks.map((s) => `${task.id}.${s.id}`);
    return subs.length === 0 || hasOwnCommand(task) ? [...subs, key] : subs;
  };

  const units = new Map<string, Unit>();
  for (const task of tasks) {
    const taskItem = index.items.get(String(task.id))!;
    const inherited = dependencyKeys(index, taskItem).flatMap(unitsOf);
    const parentInactive = INACTIVE.has(task.status);
    for (const sub of task.subtasks) {
      const id = `${task.id}.${sub.id}`;
      const own = dependencyKeys(index, index.items.get(id)!).flatMap(unitsOf);
      units.set(id, {
        id,
        taskId: task.id,
        title: sub.title,
        description: sub.description,
        status: sub.status !== "done" && parentInactive ? task.status : sub.status,
        command: sub.command,
        localCommand: sub.localCommand,
        deps: [...own, ...inherited],
      });
    }
    if (task.subtasks.length === 0 || hasOwnCommand(task)) {
      units.set(String(task.id), {
        id: String(task.id),
        taskId: task.id,
        title: task.title,
        description: task.description,
        status: task.status,
        command: task.command,
        localCommand: task.localCommand,
        deps: [...task.subtasks.map((s) => `${task.id}.${s.id}`), ...inherited],
      });
    }
  }
  return units;
}

function phaseMatcher(tasks: readonly Task[], query: string): (task: Task) => boolean {
  const number = /^(?:phase\s*)?(\d+)$/i.exec(query.trim());
  if (number) {
    const n = Number(number[1]);
    if (tasks.some((t) => t.phase?.number === n)) return (t) => t.phase?.number === n;
  }
  const q = query.trim().toLowerCase();
  const titles = [
    ...new Set(tasks.flatMap((t) => (typeof t.phase?.title === "string" ? [t.phase.title] : []))),
  ];
  const exact = titles.filter((t) => t.toLowerCase() === q);
  const partial = titles.filter((t) => t.toLowerCase().includes(q));
  const chosen = exact.length > 0 ? exact : partial;
  if (chosen.length === 1) return (t) => t.phase?.title === chosen[0];
  const known = titles.map((t) => `"${t}"`).join(", ") || "none";
  throw new PlanError([
    chosen.length === 0
      ? `no phase matches "${query}" (phases: ${known})`
      : `phase "${query}" is ambiguous: ${chosen.map((t) => `"${t}"`).join(", ")}`,
  ]);
}

function explicitSelection(tasks: readonly Task[], units: Map<string, Unit>, selection: Selection): string[] {
  const chosen: string[] = [];
  const problems: string[] = [];
  for (const id of selection.taskIds ?? []) {
    if (units.has(id)) chosen.push(id);
    else if (/^\d+$/.test(id) && tasks.some((t) => t.id === Number(id))) {
      chosen.push(...[...units.values()].filter((u) => u.taskId === Number(id)).map((u) => u.id));
    } else problems.push(`no task or subtask "${id}"`);
  }
  for (const phase of selection.phases ?? []) {
    try {
      const inPhase = phaseMatcher(tasks, phase);
      const ids = new Set(tasks.filter(inPhase).map((t) => t.id));
      chosen.push(...[...units.values()].filter((u) => ids.has(u.taskId)).map((u) => u.id));
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new PlanError(problems);
  // Cancelled and deferred work is never run, even when named.
  return chosen.filter((id) => {
    const status = units.get(id)!.status;
    return status !== "cancelled" && status !== "deferred";
  });
}

/** Everything not done, cancelled or deferred whose dependencies are done or also selected. */
function readySelection(units: Map<string, Unit>): string[] {
  const selected = new Set([...units.values()].filter((u) => !INACTIVE.has(u.status)).map((u) => u.id));
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of selected) {
      const ok = units.get(id)!.deps.every((d) => selected.has(d) || units.get(d)?.status === "done");
      if (!ok) {
        selected.delete(id);
        changed = true;
      }
    }
  }
  return [...selected];
}

export function buildPlan(tasks: readonly Task[], selection: Selection = {}): Plan {
  const units = buildUnits(tasks);
  const explicit = (selection.taskIds?.length ?? 0) > 0 || (selection.phases?.length ?? 0) > 0;
  const selected = new Set(explicit ? explicitSelection(tasks, units, selection) : readySelection(units));

  if (selection.withDependencies) {
    const queue = [...selected];
    while (queue.length > 0) {
      for (const dep of units.get(queue.pop()!)!.deps) {
        const unit = units.get(dep);
        if (unit && !selected.has(dep) && !INACTIVE.has(unit.status)) {
          selected.add(dep);
          queue.push(dep);
        }
      }
    }
  }

  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  const unmet = new Map<string, string[]>();
  for (const id of [...selected].sort(compareStepIds)) {
    const unit = units.get(id)!;
    const inPlan: string[] = [];
    const outside: string[] = [];
    for (const dep of new Set(unit.deps)) {
      if (selected.has(dep)) inPlan.push(dep);
      else if (!units.has(dep)) problems.push(`${id}: depends on "${dep}", which does not exist`);
      else if (units.get(dep)!.status !== "done") outside.push(dep);
    }
    graph.set(id, inPlan);
    unmet.set(id, outside);
  }
  for (const problem of graphProblems(graph)) {
    if (problem.kind === "self") problems.push(`${problem.node}: depends on itself`);
    else if (problem.kind === "cycle") problems.push(`dependency cycle: ${problem.cycle.join(" -> ")}`);
  }
  if (problems.length > 0) throw new PlanError(problems);

  const level = new Map<string, number>();
  const steps: Step[] = topologicalOrder(graph).map((id) => {
    const unit = units.get(id)!;
    const dependsOn = graph.get(id)!;
    level.set(
      id,
      dependsOn.reduce((max, d) => Math.max(max, level.get(d)! + 1), 0),
    );
    return {
      id,
      taskId: unit.taskId,
      title: unit.title,
      description: unit.description,
      status: unit.status,
      ...(unit.command !== undefined ? { command: unit.command } : {}),
      ...(unit.localCommand !== undefined ? { localCommand: unit.localCommand } : {}),
      dependsOn,
      unmet: unmet.get(id)!,
      level: level.get(id)!,
    };
  });
  steps.sort((a, b) => a.level - b.level || compareStepIds(a.id, b.id));
  const levels: string[][] = [];
  for (const step of steps) {
    levels[step.level] ??= [];
    levels[step.level]!.push(step.id);
  }
  return { steps, levels };
}
