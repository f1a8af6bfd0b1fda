/** Task builders and an in-memory store for the runner's tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { Task, TaskStatus } from "../../tasks/model.ts";
import type { CommandMap } from "../commands.ts";
import type { TaskStore } from "../task-store.ts";

export { subtask, task } from "../../tasks/testing/build.ts";

export const noCommandMap: CommandMap = { file: "(none)", rules: [] };

export interface MemoryStore extends TaskStore {
  tasks: Task[];
  /** Every status write, in order: `["3.1", "in-progress"]`. */
  writes: [string, TaskStatus][];
  status(id: string): TaskStatus | undefined;
}

export function memoryStore(tasks: Task[]): MemoryStore {
  const find = (id: string) => {
    const [t, s] = id.split(".").map(Number);
    const parent = tasks.find((x) => x.id === t);
    return s === undefined ? parent : parent?.subtasks.find((x) => x.id === s);
  };
  return {
    tasks,
    writes: [],
    async load() {
      return structuredClone(tasks);
    },
    async setStatus(id, status) {
      this.writes.push([id, status]);
      const item = find(id);
      if (!item) throw new Error(`no ${id}`);
      item.status = status;
    },
    status(id) {
      return find(id)?.status;
    },
  };
}

/** A fresh directory, removed when the current test finishes (call it in a test or a beforeEach). */
export function tempDir(prefix = "canary-run-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
