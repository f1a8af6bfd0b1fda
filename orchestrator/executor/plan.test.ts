import { describe, expect, it } from "vitest";
import { buildPlan, compareStepIds, PlanError } from "./plan.ts";
import { subtask, task } from "./testing/tasks.ts";

const ids = (tasks: Parameters<typeof buildPlan>[0], selection?: Parameters<typeof buildPlan>[1]) =>
  buildPlan(tasks, selection).steps.map((s) => s.id);

describe("buildPlan: selection", () => {
  it("selects everything ready by default: not done, cancelled or deferred, dependencies done or planned", () => {
    const tasks = [
      task(1, { status: "done" }),
      task(2, { dependencies: [1] }),
      task(3, { dependencies: [2] }),
      task(4, { status: "deferred" }),
      task(5, { dependencies: [4] }), // waits on deferred work: not ready
      task(6, { dependencies: [5] }), // and neither is what waits on it
      task(7, { status: "cancelled" }),
      task(8, { status: "blocked" }), // blocked last time: try again
    ];
    expect(ids(tasks)).toEqual(["2", "8", "3"]);
  });

  it("selects by task and subtask id, comma lists included", () => {
    const tasks = [task(1, { subtasks: [subtask(1), subtask(2)] }), task(2), task(3)];
    expect(ids(tasks, { taskIds: ["1"] })).toEqual(["1.1", "1.2"]);
    expect(ids(tasks, { taskIds: ["1.2", "3"] })).toEqual(["1.2", "3"]);
    expect(() => buildPlan(tasks, { taskIds: ["9", "1.7"] })).toThrow(PlanError);
  });

  it("selects a phase by number, title or a unique part of the title", () => {
    const setup = { number: 1, title: "Setup" };
    const release = { number: 2, title: "Canary Release" };
    const tasks = [task(1, { phase: setup }), task(2, { phase: release }), task(3, { phase: release })];
    expect(ids(tasks, { phases: ["2"] })).toEqual(["2", "3"]);
    expect(ids(tasks, { phases: ["Phase 1"] })).toEqual(["1"]);
    expect(ids(tasks, { phases: ["canary release"] })).toEqual(["2", "3"]);
    expect(ids(tasks, { phases: ["release"] })).toEqual(["2", "3"]);
    expect(() => buildPlan(tasks, { phases: ["teardown"] })).toThrow(/no phase matches "teardown"/);
    expect(() => buildPlan(tasks, { phases: ["e"] })).toThrow(/ambiguous/);
  });

  it("leaves out cancelled and deferred work even when named", () => {
    const tasks = [
      task(1, { status: "cancelled" }),
      task(2, { subtasks: [subtask(1, { status: "deferred" }), subtask(2)] }),
    ];
    expect(ids(tasks, { taskIds: ["1", "2"] })).toEqual(["2.2"]);
  });

  it("keeps named steps that are already done, so the run can report them", () => {
    const plan = buildPlan([task(1, { status: "done" }), task(2, { dependencies: [1] })], {
      taskIds: ["1", "2"],
    });
    expect(plan.steps.map((s) => [s.id, s.status])).toEqual([
      ["1", "done"],
      ["2", "pending"],
    ]);
  });

  it("records dependencies outside the selection that are not done, or pulls them in with withDependencies", () => {
    const tasks = [
      task(1),
      task(2, { dependencies: [1] }),
      task(3, { status: "done" }),
      task(4, { dependencies: [2, 3] }),
    ];
    const plan = buildPlan(tasks, { taskIds: ["4"] });
    expect(plan.steps.map((s) => [s.id, s.unmet])).toEqual([["4", ["2"]]]);
    expect(ids(tasks, { taskIds: ["4"], withDependencies: true })).toEqual(["1", "2", "4"]);
  });
});

describe("buildPlan: steps and the DAG", () => {
  it("runs a task's subtasks instead of the task, siblings by id and 'p.s' references", () => {
    const tasks = [
      task(1, { subtasks: [subtask(1), subtask(2, { dependencies: [1] })] }),
      task(2, { subtasks: [subtask(1, { dependencies: ["1.1"] }), subtask(2)] }),
    ];
    const plan = buildPlan(tasks);
    expect(plan.steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ["1.1", []],
      ["2.2", []],
      ["1.2", ["1.1"]],
      ["2.1", ["1.1"]],
    ]);
    expect(plan.levels).toEqual([
      ["1.1", "2.2"],
      ["1.2", "2.1"],
    ]);
  });

  it("makes a task's dependency on another task wait for all of that task's steps", () => {
    const tasks = [task(1, { subtasks: [subtask(1), subtask(2)] }), task(2, { dependencies: [1] })];
    expect(buildPlan(tasks).steps.find((s) => s.id === "2")?.dependsOn).toEqual(["1.1", "1.2"]);
  });

  it("gives subtasks their parent's dependencies too", () => {
    const tasks = [task(1), task(2, { dependencies: [1], subtasks: [subtask(1)] })];
    expect(buildPlan(tasks).steps.find((s) => s.id === "2.1")?.dependsOn).toEqual(["1"]);
  });

  it("runs a parent's own command after its subtasks", () => {
    const tasks = [task(1, { command: "npm test", subtasks: [subtask(1), subtask(2)] })];
    const plan = buildPlan(tasks);
    expect(plan.steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ["1.1", []],
      ["1.2", []],
      ["1", ["1.1", "1.2"]],
    ]);
  });

  it("counts a subtask of a done task as done", () => {
    const tasks = [task(1, { status: "done", subtasks: [subtask(1)] }), task(2, { dependencies: ["1.1"] })];
    expect(ids(tasks)).toEqual(["2"]);
  });

  it("reports missing dependencies and cycles", () => {
    expect(() => buildPlan([task(1, { dependencies: [9] })], { taskIds: ["1"] })).toThrow(
      /1: depends on "9"/,
    );
    const cyclic = [task(1, { dependencies: [2] }), task(2, { dependencies: [1] })];
    expect(() => buildPlan(cyclic, { taskIds: ["1", "2"] })).toThrow(
      /dependency cycle: (1 -> 2 -> 1|2 -> 1 -> 2)/,
    );
  });

  it("orders ids numerically", () => {
    expect(["3.10", "10", "3.2", "3"].sort(compareStepIds)).toEqual(["3", "3.2", "3.10", "10"]);
  });
});
