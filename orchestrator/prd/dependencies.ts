/**
 * Dependency resolution: refs as written → task ids, plus the defaults.
 *
 * Defaults (explicit dependencies replace them):
 * - the items of a task's checklists run in document order: subtask k depends on subtask k-1;
 * - phases run in order within a file: a task of phase N that declares no dependencies of its own depends
 *   on the *last* tasks of the previous phase that has tasks — those no other task of that phase depends
 *   on. Dependency lines under a phase heading replace this for the phase.
 *
 * `Depends on: Phase 2` means the last tasks of phase 2, by the same rule. Titles and phase numbers are
 * looked up in the same file first, then in all files; more than one match is an error naming each.
 * A subtask that depends on a whole task passes that dependency to its parent (task-master subtasks only
 * reference subtasks); a task that depends on a subtask waits for that subtask's task, with a warning.
 */
import type { DependencyRef, SourceRef } from "../tasks/model.ts";
import type { DepClause, PhaseDraft, SubtaskDraft, TaskDraft } from "./drafts.ts";
import type { PrdProblem } from "./errors.ts";
import { type DepRef, normalizeTitle } from "./forms.ts";

type Target = { task: TaskDraft; subtask?: number } | { phase: PhaseDraft };

export interface Resolution {
  problems: PrdProblem[];
  warnings: PrdProblem[];
  /** Where each explicit edge was written, keyed `"from>to"` with graph keys ("3", "3.2"). */
  edgeSources: Map<string, SourceRef>;
}

/** Fills in `dependencies` on every task and subtask draft. */
export function resolveDependencies(tasks: TaskDraft[], phases: PhaseDraft[]): Resolution {
  return new Resolver(tasks, phases).run();
}

const phaseName = (phase: PhaseDraft) => (phase.number === undefined ? phase.title : `Phase ${phase.number}`);
const located = (items: { source: SourceRef }[]) =>
  items.map(({ source }) => `${source.file}:${source.line}`).join(" and ");

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

class Resolver {
  private readonly result: Resolution = { problems: [], warnings: [], edgeSources: new Map() };
  private readonly byId = new Map<number, TaskDraft>();
  private readonly tasksByTitle = new Map<string, TaskDraft[]>();
  private readonly phasesByTitle = new Map<string, PhaseDraft[]>();
  private readonly phasesByNumber = new Map<number, PhaseDraft[]>();
  private readonly taskDeps = new Map<TaskDraft, Set<number>>();
  private readonly phaseDeps = new Map<PhaseDraft, Map<number, SourceRef>>();
  /** Phase targets wait until every task-to-task edge is known: a phase's last tasks depend on them. */
  private readonly phaseTargets: { phase: PhaseDraft; from: TaskDraft | PhaseDraft; source: SourceRef }[] =
    [];
  private readonly exitsCache = new Map<PhaseDraft, TaskDraft[]>();
  private readonly tasks: TaskDraft[];
  private readonly phases: PhaseDraft[];

  constructor(tasks: TaskDraft[], phases: PhaseDraft[]) {
    this.tasks = tasks;
    this.phases = phases;
    for (const task of tasks) {
      if (!this.byId.has(task.id)) this.byId.set(task.id, task);
      addTo(this.tasksByTitle, normalizeTitle(task.title), task);
    }
    for (const phase of phases) {
      addTo(this.phasesByTitle, normalizeTitle(phase.title), phase);
      if (phase.number !== undefined) addTo(this.phasesByNumber, phase.number, phase);
    }
  }

  run(): Resolution {
    for (const task of this.tasks) {
      for (const clause of task.clauses) this.taskClause(task, clause);
      for (const [i, subtask] of task.subtasks.entries()) this.subtaskClauses(task, subtask, i + 1);
    }
    for (const phase of this.phases) for (const clause of phase.clauses) this.phaseClause(phase, clause);
    for (const { phase, from, source } of this.phaseTargets) {
      for (const exit of this.exits(phase)) this.depend(from, exit.id, source);
    }
    this.phaseDefaults();
    for (const task of this.tasks)
      task.dependencies = [...(this.taskDeps.get(task) ?? [])].sort((a, b) => a - b);
    return this.result;
  }

  private taskClause(task: TaskDraft, clause: DepClause): void {
    const who = `task ${task.id}`;
    for (const target of this.targets(clause, who)) {
      if ("phase" in target) this.dependOnPhase(task, target.phase, task.phase, clause.source, who);
      else if (target.task === task) this.problem(clause.source, `${who} "${task.title}" depends on itself`);
      else {
        if (target.subtask !== undefined) {
          this.warning(
            clause.source,
            `${who} depends on subtask ${target.task.id}.${target.subtask}; tasks wait for whole tasks, so it waits for task ${target.task.id}`,
          );
        }
        this.depend(task, target.task.id, clause.source);
      }
    }
  }

  private subtaskClauses(task: TaskDraft, subtask: SubtaskDraft, k: number): void {
    const who = `subtask ${task.id}.${k}`;
    const deps: DependencyRef[] = subtask.clauses.length === 0 && k > 1 ? [k - 1] : [];
    for (const clause of subtask.clauses) {
      for (const target of this.targets(clause, who)) {
        if ("phase" in target) this.dependOnPhase(task, target.phase, task.phase, clause.source, who);
        else if (target.subtask === undefined) {
          if (target.task === task) this.problem(clause.source, `${who} depends on its own task ${task.id}`);
          else this.depend(task, target.task.id, clause.source);
        } else if (target.task === task && target.subtask === k) {
          this.problem(clause.source, `${who} "${subtask.title}" depends on itself`);
        } else {
          const dep = target.task === task ? target.subtask : `${target.task.id}.${target.subtask}`;
          const key = typeof dep === "number" ? `${task.id}.${dep}` : dep;
          this.result.edgeSources.set(`${task.id}.${k}>${key}`, clause.source);
          if (!deps.includes(dep)) deps.push(dep);
        }
      }
    }
    subtask.dependencies = deps;
  }

  private phaseClause(phase: PhaseDraft, clause: DepClause): void {
    const who = phaseName(phase);
    for (const target of this.targets(clause, who)) {
      if ("phase" in target) this.dependOnPhase(phase, target.phase, phase, clause.source, who);
      else if (target.task.phase === phase) {
        this.problem(clause.source, `${who} depends on task ${target.task.id}, which belongs to it`);
      } else this.depend(phase, target.task.id, clause.source);
    }
  }

  private dependOnPhase(
    from: TaskDraft | PhaseDraft,
    phase: PhaseDraft,
    own: PhaseDraft | undefined,
    source: SourceRef,
    who: string,
  ): void {
    if (phase === own) this.problem(source, `${who} depends on its own phase (${phaseName(phase)})`);
    else if (phase.tasks.length === 0)
      this.warning(source, `${phaseName(phase)} has no tasks; nothing to wait for`);
    else this.phaseTargets.push({ phase, from, source });
  }

  /** Entry tasks of each phase wait for the previous phase, or for what the phase heading names. */
  private phaseDefaults(): void {
    let previous: PhaseDraft | undefined;
    for (const phase of this.phases) {
      if (previous && previous.file !== phase.file) previous = undefined;
      const entries = phase.tasks.filter((task) => task.clauses.length === 0);
      const declared = this.phaseDeps.get(phase);
      for (const task of entries) {
        if (phase.clauses.length > 0)
          for (const [id, source] of declared ?? []) this.depend(task, id, source);
        else if (previous) for (const exit of this.exits(previous)) this.depend(task, exit.id, task.source);
      }
      if (phase.tasks.length > 0) previous = phase;
    }
  }

  /** A phase's last tasks: those no other task of the phase depends on. */
  private exits(phase: PhaseDraft): TaskDraft[] {
    const cached = this.exitsCache.get(phase);
    if (cached) return cached;
    const members = new Set(phase.tasks.map((task) => task.id));
    const inner = new Set<number>();
    for (const task of phase.tasks) {
      for (const id of this.taskDeps.get(task) ?? []) if (members.has(id)) inner.add(id);
    }
    const exits = phase.tasks.filter((task) => !inner.has(task.id));
    // Every task depended on by another means a cycle, reported later; any answer will do meanwhile.
    const result = exits.length > 0 ? exits : phase.tasks;
    this.exitsCache.set(phase, result);
    return result;
  }

  private depend(from: TaskDraft | PhaseDraft, id: number, source: SourceRef): void {
    if ("tasks" in from) {
      const declared = this.phaseDeps.get(from) ?? new Map<number, SourceRef>();
      if (!declared.has(id)) declared.set(id, source);
      this.phaseDeps.set(from, declared);
      return;
    }
    const deps = this.taskDeps.get(from) ?? new Set<number>();
    this.taskDeps.set(from, deps);
    deps.add(id);
    const key = `${from.id}>${id}`;
    if (!this.result.edgeSources.has(key)) this.result.edgeSources.set(key, source);
  }

  private targets(clause: DepClause, who: string): Target[] {
    return clause.refs.flatMap((ref) => this.lookup(ref, clause.source, who));
  }

  private lookup(ref: DepRef, source: SourceRef, who: string): Target[] {
    if (ref.kind === "id") {
      const task = this.byId.get(ref.task);
      if (!task) return this.missing(source, `${who} depends on task ${ref.task}, which does not exist`);
      if (ref.subtask === undefined) return [{ task }];
      if (ref.subtask >= 1 && ref.subtask <= task.subtasks.length) return [{ task, subtask: ref.subtask }];
      return this.missing(
        source,
        `${who} depends on subtask ${ref.task}.${ref.subtask}, which does not exist (task ${ref.task} has ${task.subtasks.length} subtasks)`,
      );
    }
    if (ref.kind === "phase") {
      const phases = this.phasesByNumber.get(ref.number);
      if (!phases) return this.missing(source, `${who} depends on Phase ${ref.number}, which does not exist`);
      const phase = this.pick(phases, source, `Phase ${ref.number}`);
      return phase ? [{ phase }] : [];
    }
    const key = normalizeTitle(ref.title);
    const tasks = this.tasksByTitle.get(key);
    const phases = this.phasesByTitle.get(key);
    if (tasks) {
      const task = this.pick(tasks, source, `"${ref.title}"`);
      return task ? [{ task }] : [];
    }
    if (phases) {
      const phase = this.pick(phases, source, `"${ref.title}"`);
      return phase ? [{ phase }] : [];
    }
    if (ref.parts) return ref.parts.flatMap((part) => this.lookup(part, source, who));
    return this.missing(source, `${who} depends on "${ref.title}", but no task or phase has that title`);
  }

  /** One candidate, preferring the referring file; several is an error naming each. */
  private pick<T extends { source: SourceRef }>(
    candidates: T[],
    source: SourceRef,
    name: string,
  ): T | undefined {
    const local = candidates.filter((c) => c.source.file === source.file);
    const pool = local.length > 0 ? local : candidates;
    if (pool.length === 1) return pool[0];
    this.problem(source, `${name} is ambiguous: it matches ${located(pool)}`);
    return undefined;
  }

  private missing(source: SourceRef, message: string): Target[] {
    this.problem(source, message);
    return [];
  }

  private problem(source: SourceRef, message: string): void {
    this.result.problems.push({ file: source.file, line: source.line, message });
  }

  private warning(source: SourceRef, message: string): void {
    this.result.warnings.push({ file: source.file, line: source.line, message });
  }
}
