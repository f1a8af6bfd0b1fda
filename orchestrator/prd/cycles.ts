/**
 * Cycle detection over the resolved drafts, with file:line for each step. The graph is task-master's
 * (`"3"` a task, `"3.2"` a subtask) plus the two waits the runner also honours: a task waits for its own
 * subtasks, and a subtask with no sibling to wait for waits for its parent's dependencies. Without them a
 * subtask of task A depending on a subtask of task B, while B depends on A, would pass and then deadlock.
 */
import { graphProblems } from "../tasks/graph.ts";
import type { SourceRef } from "../tasks/model.ts";
import type { TaskDraft } from "./drafts.ts";
import type { PrdProblem } from "./errors.ts";

/** Long cycles are cut in the message; the first steps are enough to find it. */
const MAX_STEPS_SHOWN = 12;

export function cycleProblems(tasks: TaskDraft[], edgeSources: ReadonlyMap<string, SourceRef>): PrdProblem[] {
  const graph = new Map<string, string[]>();
  const nodes = new Map<string, { name: string; source: SourceRef }>();
  for (const task of tasks) {
    const id = String(task.id);
    const deps = task.dependencies.map(String);
    const subtaskKeys = task.subtasks.map((_, i) => `${id}.${i + 1}`);
    graph.set(id, [...deps, ...subtaskKeys]);
    nodes.set(id, { name: `task ${id}`, source: task.source });
    for (const [i, subtask] of task.subtasks.entries()) {
      const key = subtaskKeys[i]!;
      const own = subtask.dependencies.map((dep) => (typeof dep === "number" ? `${id}.${dep}` : dep));
      const waitsForParent = !subtask.dependencies.some((dep) => typeof dep === "number");
      graph.set(key, waitsForParent ? [...own, ...deps] : own);
      nodes.set(key, { name: `subtask ${key}`, source: subtask.source });
    }
  }
  const problems: PrdProblem[] = [];
  const seen = new Set<string>();
  for (const problem of graphProblems(graph)) {
    // Missing targets and self references were reported, with their lines, while resolving.
    if (problem.kind !== "cycle") continue;
    // The waits above give one task-level cycle several paths (3 → 2 and 3 → 2.1 → 2's deps): one report.
    const tasksInCycle = [...new Set(problem.cycle.map((key) => key.split(".")[0]))].sort().join(",");
    if (seen.has(tasksInCycle)) continue;
    seen.add(tasksInCycle);
    // Point at the first step the author wrote down; structural waits have no line of their own.
    const from = problem.cycle[0]!;
    const written = problem.cycle.slice(1).map((to, i) => edgeSources.get(`${problem.cycle[i]}>${to}`));
    const at = written.find(Boolean) ?? nodes.get(from)!.source;
    const steps = problem.cycle.slice(0, -1).map((key) => {
      const node = nodes.get(key)!;
      return `${node.name} (${node.source.file}:${node.source.line})`;
    });
    const shown = steps.length > MAX_STEPS_SHOWN ? [...steps.slice(0, MAX_STEPS_SHOWN), "…"] : steps;
    problems.push({ ...at, message: `dependency cycle: ${[...shown, nodes.get(from)!.name].join(" → ")}` });
  }
  return problems;
}
