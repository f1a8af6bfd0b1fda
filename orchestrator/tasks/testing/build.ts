/** Small builders for tests: a task or subtask with every required field, overridable. */
import type { Subtask, Task } from "../model.ts";

export function task(id: number, fields: Partial<Task> = {}): Task {
  return {
    id,
    title: `Task ${id}`,
    description: "",
    details: "",
    testStrategy: "",
    status: "pending",
    dependencies: [],
    priority: "medium",
    subtasks: [],
    ...fields,
  };
}

export function subtask(id: number, fields: Partial<Subtask> = {}): Subtask {
  return {
    id,
    title: `Subtask ${id}`,
    description: "",
    details: "",
    status: "pending",
    dependencies: [],
    ...fields,
  };
}
