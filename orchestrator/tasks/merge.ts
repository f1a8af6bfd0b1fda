/**
 * Folding a fresh parse of the PRDs into an existing task list without losing progress.
 *
 * Matching, for tasks and (within a matched task) for subtasks:
 *   1. source anchor: same source file and same title (whitespace and case ignored); among several, the
 *      one whose line is nearest, so lines moving up or down in the file do not break the match;
 *   2. then title alone, for items that moved between the parsed files or were written without a source.
 * A matched item keeps its id, its status and any fields we do not know; what the PRD says (title,
 * description, details, priority, command, localCommand, source, phase, dependencies) is taken from the
 * new parse. A PRD checkbox ticked since the last parse moves a `pending` item to `done`.
 * New items get fresh ids after the highest existing one (into an empty list, the parser's ids are kept).
 * Items that came from one of the parsed files and are gone from it are marked `cancelled` (unless already
 * done): never deleted.
 *
 * A parse only touches tasks from the files it parses, plus hand-written ones (no source) it matches by
 * title: tasks from a PRD left out of this run are neither matched nor cancelled, so parsing one guide
 * never takes over or cancels another guide's tasks. (The flip side: after renaming a PRD its tasks come
 * in as new ones and the old ones stay as they were.) Files are compared as absolute paths, so `PRD.md`,
 * `./PRD.md` and `/repo/PRD.md` are one file.
 */
import { resolve } from "node:path";
import type { DependencyRef, SourceRef, Subtask, Task, TaskStatus } from "./model.ts";

export interface MergeReport {
  /** Ids (in the merged list) of existing tasks matched by the parse. */
  kept: string[];
  added: string[];
  cancelled: string[];
}

export interface MergeResult {
  tasks: Task[];
  report: MergeReport;
}

export interface MergeOptions {
  /** The PRD files that were parsed; only items from these can vanish. Default: the parsed tasks' files. */
  files?: readonly string[];
}

type Item = Task | Subtask;

const normalizeFile = (file: string) => resolve(file);
const normalizeTitle = (title: string) => title.trim().replace(/\s+/g, " ").toLowerCase();
const anchorKey = (source: SourceRef, title: string) =>
  `${normalizeFile(source.file)}\u0000${normalizeTitle(title)}`;

function bucket<T extends Item>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const buckets = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = buckets.get(k);
    if (list) list.push(item);
    else buckets.set(k, [item]);
  }
  return buckets;
}

/**
 * Pairs each parsed item with at most one existing item: anchors first, then titles among the existing
 * items `titleMatchable` allows.
 */
function matchItems<T extends Item>(
  existing: readonly T[],
  parsed: readonly T[],
  titleMatchable: (item: T) => boolean = () => true,
): Map<T, T> {
  const matches = new Map<T, T>();
  const used = new Set<T>();
  const nearest = (candidates: readonly T[] | undefined, line: number | undefined) => {
    let chosen: T | undefined;
    let distance = Number.POSITIVE_INFINITY;
    for (const candidate of candidates ?? []) {
      if (used.has(candidate)) continue;
      const d = line === undefined || !candidate.source ? 0 : Math.abs(candidate.source.line - line);
      if (d < distance) [chosen, distance] = [candidate, d];
    }
    return chosen;
  };
  const passes: [(item: T) => string | undefined, readonly T[]][] = [
    [(item) => (item.source ? anchorKey(item.source, item.title) : undefined), existing],
    [(item) => normalizeTitle(item.title), existing.filter(titleMatchable)],
  ];
  for (const [key, candidates] of passes) {
    const buckets = bucket(candidates, key);
    for (const item of parsed) {
      const k = key(item);
      if (matches.has(item) || k === undefined) continue;
      const match = nearest(buckets.get(k), item.source?.line);
      if (match) {
        matches.set(item, match);
        used.add(match);
      }
    }
  }
  return matches;
}

/** A ticked checkbox in the PRD is progress too; anything else the tasks file says wins. */
function mergedStatus(existing: TaskStatus, parsed: TaskStatus): TaskStatus {
  return existing === "pending" && parsed === "done" ? "done" : existing;
}

/** Takes the PRD-owned fields from `parsed` onto `existing`; unknown fields of `existing` survive. */
function takeContent<T extends Item>(existing: T, parsed: T): T {
  const merged = { ...existing, ...parsed };
  for (const field of ["command", "localCommand", "source", "phase"] as const) {
    if (!(field in parsed)) delete (merged as Partial<Task>)[field];
  }
  return merged;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set(["done", "cancelled"]);

class IdMapper {
  readonly tasks = new Map<number, number>();
  readonly subtasks = new Map<number, Map<number, number>>(); // parsed task id → parsed sub id → merged

  /** Rewrites a dependency written against parsed ids; `parent` is set for a subtask's dependencies. */
  dependency(ref: DependencyRef, parent?: Task): DependencyRef {
    const text = String(ref).trim();
    const qualified = /^(\d+)\.(\d+)$/.exec(text);
    if (qualified) {
      const task = Number(qualified[1]);
      const sub = Number(qualified[2]);
      return `${this.tasks.get(task) ?? task}.${this.subtasks.get(task)?.get(sub) ?? sub}`;
    }
    if (!/^\d+$/.test(text)) return ref;
    const n = Number(text);
    const siblings = parent ? this.subtasks.get(parent.id) : undefined;
    const mapped = siblings?.has(n) ? siblings.get(n)! : (this.tasks.get(n) ?? n);
    return typeof ref === "number" ? mapped : String(mapped);
  }
}

function cancelVanished<T extends Item>(
  item: T,
  id: string,
  files: ReadonlySet<string>,
  report: MergeReport,
): T {
  if (!item.source || !files.has(normalizeFile(item.source.file)) || FINISHED.has(item.status)) return item;
  report.cancelled.push(id);
  return { ...item, status: "cancelled" };
}

function maxId(items: readonly Item[]): number {
  return items.reduce((max, item) => Math.max(max, item.id), 0);
}

export function mergeParsedTasks(
  existing: readonly Task[],
  parsed: readonly Task[],
  options: MergeOptions = {},
): MergeResult {
  const files = new Set(
    (options.files ?? parsed.flatMap((t) => (t.source ? [t.source.file] : []))).map(normalizeFile),
  );
  const report: MergeReport = { kept: [], added: [], cancelled: [] };
  const ours = (item: Item) => !item.source || files.has(normalizeFile(item.source.file));
  const taskMatches = matchItems(existing, parsed, ours);
  const ids = new IdMapper();

  // Ids first (dependencies may point forward), then content. Into an empty list the parser's own ids
  // (e.g. TASK_007 → 7) are kept.
  const keepParsedIds = existing.length === 0;
  let nextTaskId = maxId(existing) + 1;
  const subtaskMatches = new Map<Task, Map<Subtask, Subtask>>();
  for (const task of parsed) {
    const match = taskMatches.get(task);
    ids.tasks.set(task.id, match ? match.id : keepParsedIds ? task.id : nextTaskId++);
    const subIds = new Map<number, number>();
    if (match) {
      const subMatches = matchItems(match.subtasks, task.subtasks);
      subtaskMatches.set(task, subMatches);
      let nextSubId = maxId(match.subtasks) + 1;
      for (const sub of task.subtasks) subIds.set(sub.id, subMatches.get(sub)?.id ?? nextSubId++);
    } else {
      for (const sub of task.subtasks) subIds.set(sub.id, sub.id);
    }
    ids.subtasks.set(task.id, subIds);
  }

  const mergedByExisting = new Map<Task, Task>();
  const added: Task[] = [];
  for (const task of parsed) {
    const id = ids.tasks.get(task.id)!;
    const subIds = ids.subtasks.get(task.id)!;
    const match = taskMatches.get(task);
    const subMatches = subtaskMatches.get(task) ?? new Map<Subtask, Subtask>();
    const matchedSubs = new Set(subMatches.values());
    const subtasks: Subtask[] = [];
    // Existing subtasks keep their place; vanished ones stay, cancelled.
    for (const old of match?.subtasks ?? []) {
      if (!matchedSubs.has(old)) subtasks.push(cancelVanished(old, `${id}.${old.id}`, files, report));
    }
    for (const sub of task.subtasks) {
      const old = subMatches.get(sub);
      const merged: Subtask = {
        ...(old ? takeContent(old, sub) : sub),
        id: subIds.get(sub.id)!,
        status: old ? mergedStatus(old.status, sub.status) : sub.status,
        dependencies: sub.dependencies.map((ref) => ids.dependency(ref, task)),
      };
      subtasks.push(merged);
    }
    subtasks.sort((a, b) => a.id - b.id);
    const merged: Task = {
      ...(match ? takeContent(match, task) : task),
      id,
      status: match ? mergedStatus(match.status, task.status) : task.status,
      dependencies: task.dependencies.map((ref) => ids.dependency(ref)),
      subtasks,
    };
    if (match) {
      mergedByExisting.set(match, merged);
      report.kept.push(String(id));
    } else {
      added.push(merged);
      report.added.push(String(id));
    }
  }

  const tasks = existing.map((task) => {
    const merged = mergedByExisting.get(task);
    if (merged) return merged;
    const cancelled = cancelVanished(task, String(task.id), files, report);
    if (cancelled === task) return task;
    // A vanished task's unfinished subtasks go with it.
    const subtasks = task.subtasks.map((s) =>
      FINISHED.has(s.status) ? s : { ...s, status: "cancelled" as const },
    );
    return { ...cancelled, subtasks };
  });
  return { tasks: [...tasks, ...added], report };
}

/** `parse-prd --append`: every parsed task is new, numbered after the existing ones. */
export function appendParsedTasks(existing: readonly Task[], parsed: readonly Task[]): MergeResult {
  const ids = new IdMapper();
  let nextId = maxId(existing) + 1;
  for (const task of parsed) {
    ids.tasks.set(task.id, nextId++);
    ids.subtasks.set(task.id, new Map(task.subtasks.map((s) => [s.id, s.id])));
  }
  const added = parsed.map((task) => ({
    ...task,
    id: ids.tasks.get(task.id)!,
    dependencies: task.dependencies.map((ref) => ids.dependency(ref)),
    subtasks: task.subtasks.map((sub) => ({
      ...sub,
      dependencies: sub.dependencies.map((ref) => ids.dependency(ref, task)),
    })),
  }));
  return {
    tasks: [...existing, ...added],
    report: { kept: [], added: added.map((t) => String(t.id)), cancelled: [] },
  };
}
