/**
 * The runner's view of tasks.json: load the task list, set one status. Backed by the shared store
 * (orchestrator/tasks/store.ts): every status change is its own locked, atomic read-modify-write, so a
 * person running `canary set-status` during a run loses nothing, and neither does the run.
 */
import type { Task, TaskStatus } from "../tasks/model.ts";
import { DEFAULT_TAG } from "../tasks/model.ts";
import { setStatus } from "../tasks/set-status.ts";
import { readTasksFile, updateTasksFile } from "../tasks/store.ts";
import type { TaskStatusWriter } from "./run.ts";

export interface TaskStore extends TaskStatusWriter {
  load(): Promise<Task[]>;
}

export function tasksFileStore(path: string, tag: string = DEFAULT_TAG): TaskStore {
  return {
    async load() {
      return (await readTasksFile(path, { tag })).data.tasks;
    },
    // task-master has nowhere to keep a note; the runner records it in the run log instead.
    async setStatus(id: string, status: TaskStatus) {
      await updateTasksFile(path, { tag }, (data) => {
        // No cascade: the runner sets exactly the items it ran (and a parent only once all its subtasks are done).
        setStatus(data.tasks, id, status, { cascade: false });
      });
    },
  };
}
