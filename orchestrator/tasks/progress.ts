/** `progress`: status counts per phase and overall, for tasks and subtasks separately. */
import { STATUSES, type Task, type TaskStatus } from "./model.ts";

export interface StatusCounts {
  total: number;
  byStatus: Record<TaskStatus, number>;
  /** Share of the work that is done, in percent. Cancelled items are not work: they leave the total. */
  percentDone: number;
}

export interface PhaseProgress {
  /** The phase title, or `(no phase)` for tasks the PRD did not put in a phase. */
  phase: string;
  number?: number;
  tasks: StatusCounts;
  subtasks: StatusCounts;
  /** The units of work: each subtask, and each task that has no subtasks. What a progress bar shows. */
  items: StatusCounts;
}

export interface ProgressReport {
  phases: PhaseProgress[];
  total: { tasks: StatusCounts; subtasks: StatusCounts; items: StatusCounts };
}

export const NO_PHASE = "(no phase)";

function emptyCounts(): StatusCounts {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  return { total: 0, byStatus, percentDone: 0 };
}

function count(counts: StatusCounts, status: TaskStatus): void {
  counts.total++;
  counts.byStatus[status]++;
}

function finish(counts: StatusCounts): StatusCounts {
  const work = counts.total - counts.byStatus.cancelled;
  counts.percentDone =
    work > 0 ? Math.round((counts.byStatus.done / work) * 1000) / 10 : counts.total > 0 ? 100 : 0;
  return counts;
}

/** Phases in the order they first appear in the file; tasks without a phase come last. */
export function progressByPhase(tasks: readonly Task[]): ProgressReport {
  const phases = new Map<string, PhaseProgress>();
  const total = { tasks: emptyCounts(), subtasks: emptyCounts(), items: emptyCounts() };
  for (const task of tasks) {
    const name = task.phase?.title ?? NO_PHASE;
    const key = `${task.phase?.number ?? ""}\u0000${name}`;
    let phase = phases.get(key);
    if (!phase) {
      phase = { phase: name, tasks: emptyCounts(), subtasks: emptyCounts(), items: emptyCounts() };
      if (task.phase?.number !== undefined) phase.number = task.phase.number;
      phases.set(key, phase);
    }
    count(phase.tasks, task.status);
    count(total.tasks, task.status);
    if (task.subtasks.length === 0) {
      count(phase.items, task.status);
      count(total.items, task.status);
    }
    for (const subtask of task.subtasks) {
      for (const counts of [phase.subtasks, total.subtasks, phase.items, total.items])
        count(counts, subtask.status);
    }
  }
  const ordered = [...phases.values()].sort(
    (a, b) => Number(a.phase === NO_PHASE) - Number(b.phase === NO_PHASE),
  );
  for (const counts of [...ordered, total].flatMap((p) => [p.tasks, p.subtasks, p.items])) finish(counts);
  return { phases: ordered, total };
}
