import { describe, expect, it } from "vitest";
import type { Task } from "./model.ts";
import {
  dependencyGraph,
  dependencyProblems,
  findTask,
  nextTask,
  progressByPhase,
  readyTasks,
  setStatus,
  TaskNotFoundError,
} from "./queries.ts";
import { subtask, task } from "./testing/build.ts";

const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe("nextTask (task-master's rules)", () => {
  it("finishes subtasks of in-progress tasks before starting anything else", () => {
    const tasks = [
      task(1, {
        status: "in-progress",
        priority: "low",
        subtasks: [subtask(1, { status: "done" }), subtask(2)],
      }),
      task(2, { priority: "critical" }),
    ];
    expect(nextTask(tasks)?.id).toBe("1.2");
  });

  it("ranks critical above high, then fewer dependencies, then lower id", () => {
    const done = task(1, { status: "done" });
    expect(nextTask([done, task(2, { priority: "high" }), task(3, { priority: "critical" })])?.id).toBe("3");
    expect(
      nextTask([
        done,
        task(2, { dependencies: [1] }),
        task(3, { dependencies: [] }),
        task(4, { dependencies: [] }),
      ])?.id,
    ).toBe("3");
    expect(nextTask([task(5), task(4)])?.id).toBe("4");
  });

  it("needs every dependency done (cancelled and in-progress do not count)", () => {
    const tasks = [
      task(1, { status: "cancelled" }),
      task(2, { status: "in-progress" }),
      task(3, { dependencies: [1, 2] }),
    ];
    expect(nextTask(tasks)?.id).toBe("2");
    tasks[1]!.status = "done";
    expect(nextTask(tasks)).toBeUndefined();
  });

  it("offers a subtask only once its parent's dependencies are done", () => {
    // Task 2 was started early: its own dependency (1) is not done yet.
    const tasks = [task(1), task(2, { status: "in-progress", dependencies: [1], subtasks: [subtask(1)] })];
    expect(nextTask(tasks)?.id).toBe("1");
    tasks[0]!.status = "done";
    expect(nextTask(tasks)?.id).toBe("2.1");
  });

  it("follows sibling and cross-task subtask dependencies", () => {
    const tasks = [
      task(1, { status: "in-progress", subtasks: [subtask(1), subtask(2, { dependencies: [1] })] }),
      task(2, { status: "in-progress", subtasks: [subtask(1, { dependencies: ["1.2"] })] }),
    ];
    expect(nextTask(tasks)?.id).toBe("1.1");
    tasks[0]!.subtasks[0]!.status = "done";
    expect(nextTask(tasks)?.id).toBe("1.2");
    tasks[0]!.subtasks[1]!.status = "done";
    expect(nextTask(tasks)?.id).toBe("2.1");
  });

  it("returns undefined when nothing can be done", () => {
    expect(nextTask([])).toBeUndefined();
    expect(nextTask([task(1, { status: "blocked" }), task(2, { status: "done" })])).toBeUndefined();
  });
});

describe("readyTasks and findTask", () => {
  const tasks = [
    task(1, { status: "done" }),
    task(2, { dependencies: ["1"], subtasks: [subtask(1), subtask(2, { dependencies: [1] })] }),
    task(3, { dependencies: [2] }),
    task(4, { status: "deferred" }),
  ];

  it("lists ready tasks, and ready subtasks when asked", () => {
    expect(ids(readyTasks(tasks))).toEqual(["2"]);
    expect(ids(readyTasks(tasks, { includeSubtasks: true }))).toEqual(["2", "2.1"]);
  });

  it("finds tasks and subtasks by id", () => {
    expect(findTask(tasks, "2")?.task.id).toBe(2);
    expect(findTask(tasks, " 2.2 ")?.subtask?.id).toBe(2);
    expect(findTask(tasks, "2.9")).toBeUndefined();
    expect(findTask(tasks, "two")).toBeUndefined();
  });

  it("stays linear over 10,000 tasks", () => {
    // A chain where every task depends on the one before, each with subtasks: quadratic code would take
    // minutes here; the assertion is on the answer only.
    const many: Task[] = Array.from({ length: 10_000 }, (_, i) =>
      task(i + 1, {
        status: i < 5000 ? "done" : "pending",
        dependencies: i === 0 ? [] : [i],
        subtasks: [subtask(1, { status: i < 5000 ? "done" : "pending" }), subtask(2, { dependencies: [1] })],
      }),
    );
    expect(ids(readyTasks(many))).toEqual(["5001"]);
    expect(nextTask(many)?.id).toBe("5001");
    expect(dependencyProblems(many)).toEqual([]);
  });
});

describe("setStatus", () => {
  const fresh = () => [
    task(1, { subtasks: [subtask(1, { status: "done" }), subtask(2), subtask(3, { status: "cancelled" })] }),
    task(2, { subtasks: [subtask(1)] }),
  ];

  it("cascades done and cancelled to unfinished subtasks", () => {
    const tasks = fresh();
    const result = setStatus(tasks, "1", "done");
    expect(result.changes).toEqual([
      { id: "1", from: "pending", to: "done", cascaded: false },
      { id: "1.2", from: "pending", to: "done", cascaded: true },
    ]);
    expect(tasks[0]!.subtasks.map((s) => s.status)).toEqual(["done", "done", "cancelled"]);
    setStatus(tasks, "2", "cancelled");
    expect(tasks[1]!.subtasks[0]!.status).toBe("cancelled");
  });

  it("does not cascade other statuses, or when told not to", () => {
    const tasks = fresh();
    setStatus(tasks, "1", "in-progress");
    setStatus(tasks, "2", "done", { cascade: false });
    expect(tasks[0]!.subtasks[1]!.status).toBe("pending");
    expect(tasks[1]!.subtasks[0]!.status).toBe("pending");
  });

  it("leaves the parent alone when its last subtask is done, with a note", () => {
    const tasks = fresh();
    const result = setStatus(tasks, ["1.2", "2.1"], "done");
    expect(tasks.map((t) => t.status)).toEqual(["pending", "pending"]);
    expect(result.notes).toHaveLength(2);
    expect(result.notes[0]).toMatch(/all subtasks of task 1 are finished; task 1 is still pending/);
  });

  it("takes comma lists and checks every id before changing anything", () => {
    const tasks = fresh();
    expect(ids(setStatus(tasks, "1.2, 2.1", "review").changes)).toEqual(["1.2", "2.1"]);
    expect(() => setStatus(tasks, "2,7", "done")).toThrow(new TaskNotFoundError("no task 7"));
    expect(() => setStatus(tasks, "2.5", "done")).toThrow("task 2 has no subtask 5");
    expect(() => setStatus(tasks, "x", "done")).toThrow(/not a task id/);
    expect(tasks[1]!.status).toBe("pending");
  });
});

describe("progressByPhase", () => {
  it("counts units of work per phase; cancelled work leaves the total", () => {
    const phase1 = { number: 1, title: "Foundation" };
    const report = progressByPhase([
      task(1, { phase: phase1, status: "done" }),
      task(2, {
        phase: phase1,
        subtasks: [subtask(1, { status: "done" }), subtask(2), subtask(3, { status: "cancelled" })],
      }),
      task(3),
    ]);
    expect(report.phases.map((p) => [p.phase, p.number, p.items.total, p.items.percentDone])).toEqual([
      ["Foundation", 1, 4, 66.7],
      ["(no phase)", undefined, 1, 0],
    ]);
    expect(report.total.tasks).toMatchObject({ total: 3, percentDone: 33.3 });
    expect(report.total.subtasks.byStatus).toMatchObject({ done: 1, pending: 1, cancelled: 1 });
  });
});

describe("dependencyProblems", () => {
  it("names the ids in missing targets, self references and cycles", () => {
    const tasks = [
      task(1, { dependencies: [3] }),
      task(2, { dependencies: [1] }),
      task(3, { dependencies: ["2"] }),
      task(4, {
        dependencies: [9, 4],
        subtasks: [subtask(1, { dependencies: [7] }), subtask(2, { dependencies: ["4.2"] })],
      }),
    ];
    expect(dependencyProblems(tasks).map((p) => p.message)).toEqual([
      "task 4 depends on 9, which does not exist",
      "task 4 depends on itself",
      "subtask 4.1 depends on 4.7, which does not exist",
      "subtask 4.2 depends on itself",
      "dependency cycle: 1 → 3 → 2 → 1",
    ]);
  });

  it("reads a bare number in a subtask as its sibling, else as a task", () => {
    const tasks = [
      task(2, {
        subtasks: [subtask(1), subtask(2, { dependencies: [1] }), subtask(3, { dependencies: ["5"] })],
      }),
      task(5),
    ];
    const graph = dependencyGraph(tasks);
    expect([graph.get("2.2"), graph.get("2.3")]).toEqual([["2.1"], ["5"]]);
    expect(dependencyProblems(tasks)).toEqual([]);
  });
});
