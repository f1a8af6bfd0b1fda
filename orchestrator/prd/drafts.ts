/**
 * What extraction produces from one document, before ids are assigned and dependencies resolved. Drafts
 * keep object identity (a phase knows its tasks), which makes resolution linear: no searching by name.
 */
import type { DependencyRef, Priority, SourceRef } from "../tasks/model.ts";
import type { DepRef } from "./forms.ts";

/** One dependency declaration: the refs on one line, and that line. */
export interface DepClause {
  refs: DepRef[];
  source: SourceRef;
}

export interface SubtaskDraft {
  title: string;
  description: string;
  details: string;
  done: boolean;
  command?: string;
  /** Runs instead of `command` when no Kubernetes cluster is present (`locally: \`…\``). */
  localCommand?: string;
  source: SourceRef;
  /** Explicit dependencies; when there are any, they replace "after the previous item". */
  clauses: DepClause[];
  /** Filled in by resolution: sibling numbers and `"task.subtask"` strings, as task-master writes them. */
  dependencies: DependencyRef[];
}

export interface PhaseDraft {
  file: string;
  number?: number;
  title: string;
  priority?: Priority;
  source: SourceRef;
  /** Dependencies written under the phase heading: they replace "after the previous phase". */
  clauses: DepClause[];
  tasks: TaskDraft[];
}

export interface TaskDraft {
  /** 0 until ids are assigned across all files. */
  id: number;
  explicitId?: number;
  title: string;
  description: string;
  details: string;
  priority?: Priority;
  command?: string;
  localCommand?: string;
  source: SourceRef;
  phase?: PhaseDraft;
  /** A checked `- [x] **TASK_…**` item. */
  checked: boolean;
  clauses: DepClause[];
  subtasks: SubtaskDraft[];
  /** Filled in by resolution. */
  dependencies: number[];
}
