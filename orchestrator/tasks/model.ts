/**
 * The task graph, in task-master's vocabulary. `tasks.json` stores exactly these shapes; fields beyond
 * task-master's own (`source`, `command`, `localCommand`, `phase`) are optional extras that task-master
 * ignores.
 */
export const STATUSES = [
  "pending",
  "in-progress",
  "done",
  "review",
  "blocked",
  "deferred",
  "cancelled",
] as const;
export type TaskStatus = (typeof STATUSES)[number];

export const PRIORITIES = ["critical", "high", "medium", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where a task came from: the Markdown file (as given on the command line) and 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface PhaseRef {
  number?: number;
  title: string;
  priority?: Priority;
}

/**
 * A dependency as task-master writes it: a task id (number, or numeric string) for a task's own
 * dependencies; within subtasks, a sibling subtask id (number) or `"<task>.<subtask>"`.
 */
export type DependencyRef = number | string;

export interface Subtask {
  id: number;
  title: string;
  description: string;
  details: string;
  status: TaskStatus;
  dependencies: DependencyRef[];
  testStrategy?: string;
  /** Shell command the runner executes for this step (from inline code in the PRD). */
  command?: string;
  /** What runs instead when no Kubernetes cluster is present (`locally: \`…\`` in the PRD). */
  localCommand?: string;
  source?: SourceRef;
}

export interface Task {
  id: number;
  title: string;
  description: string;
  details: string;
  testStrategy: string;
  status: TaskStatus;
  dependencies: DependencyRef[];
  priority: Priority;
  subtasks: Subtask[];
  command?: string;
  localCommand?: string;
  source?: SourceRef;
  phase?: PhaseRef;
}

/** The tagged file: one task list per tag; `master` is task-master's default tag. */
export interface TagData {
  tasks: Task[];
  metadata: { created?: string; updated?: string; description?: string; [key: string]: unknown };
}

export type TaggedTasksFile = Record<string, TagData>;

export const DEFAULT_TASKS_FILE = ".taskmaster/tasks/tasks.json";
export const DEFAULT_TAG = "master";
