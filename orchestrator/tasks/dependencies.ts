/**
 * `validate-dependencies`: the task list as a graph of item ids (`"3"`, `"3.2"`), checked by graph.ts,
 * with each problem turned into a sentence that names the ids involved.
 */
import { type Graph, type GraphProblem, graphProblems } from "./graph.ts";
import type { Task } from "./model.ts";
import { dependencyKeys, indexTasks, type TaskIndex } from "./task-index.ts";

export type DependencyProblem = GraphProblem & { message: string };

/** Explicit dependencies only: the "parent's dependencies first" rule for subtasks is not an edge here. */
export function dependencyGraph(tasks: readonly Task[] | TaskIndex): Graph {
  const index = Array.isArray(tasks) ? indexTasks(tasks as readonly Task[]) : (tasks as TaskIndex);
  const graph = new Map<string, string[]>();
  for (const item of index.items.values()) graph.set(item.id, dependencyKeys(index, item));
  return graph;
}

function label(id: string): string {
  return id.includes(".") ? `subtask ${id}` : `task ${id}`;
}

function describe(problem: GraphProblem): string {
  switch (problem.kind) {
    case "missing":
      return `${label(problem.node)} depends on ${problem.target}, which does not exist`;
    case "self":
      return `${label(problem.node)} depends on itself`;
    case "cycle":
      return `dependency cycle: ${problem.cycle.join(" → ")}`;
  }
}

export function dependencyProblems(tasks: readonly Task[] | TaskIndex): DependencyProblem[] {
  return graphProblems(dependencyGraph(tasks)).map((problem) => ({ ...problem, message: describe(problem) }));
}
