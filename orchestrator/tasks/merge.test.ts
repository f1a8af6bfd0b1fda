import { describe, expect, it } from "vitest";
import { appendParsedTasks, mergeParsedTasks } from "./merge.ts";
import type { Task } from "./model.ts";
import { subtask, task } from "./testing/build.ts";

const at = (line: number, file = "PRD.md") => ({ source: { file, line } });

/** A parse of PRD.md: setup (2 steps) → deploy → verify. */
function firstParse(): Task[] {
  return [
    task(1, {
      title: "Setup",
      ...at(3),
      subtasks: [
        subtask(1, { title: "Install", ...at(4), command: "npm ci" }),
        subtask(2, { title: "Build", ...at(5), dependencies: [1] }),
      ],
    }),
    task(2, { title: "Deploy", ...at(8), dependencies: [1] }),
    task(3, { title: "Verify", ...at(12), dependencies: [2] }),
  ];
}

function progressed(): Task[] {
  const tasks = mergeParsedTasks([], firstParse()).tasks;
  tasks[0]!.status = "in-progress";
  tasks[0]!.subtasks[0]!.status = "done";
  tasks[1]!.status = "review";
  (tasks[1] as Task & { complexity?: number }).complexity = 5; // a field only task-master knows
  return tasks;
}

describe("mergeParsedTasks", () => {
  it("into an empty list keeps the parser's ids", () => {
    const parsed = [
      task(7, { title: "Seven", ...at(1) }),
      task(9, { title: "Nine", dependencies: [7], ...at(2) }),
    ];
    const { tasks, report } = mergeParsedTasks([], parsed);
    expect(tasks.map((t) => t.id)).toEqual([7, 9]);
    expect(report).toEqual({ kept: [], added: ["7", "9"], cancelled: [] });
  });

  it("keeps statuses, ids and unknown fields when lines shift", () => {
    const reparsed = firstParse().map((t) => ({
      ...t,
      source: { file: "PRD.md", line: t.source!.line + 10 },
    }));
    reparsed[1]!.description = "now with a description";
    const { tasks, report } = mergeParsedTasks(progressed(), reparsed);
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [1, "in-progress"],
      [2, "review"],
      [3, "pending"],
    ]);
    expect(tasks[0]!.subtasks.map((s) => s.status)).toEqual(["done", "pending"]);
    expect(tasks[1]).toMatchObject({
      description: "now with a description",
      complexity: 5,
      source: { line: 18 },
    });
    expect(report).toEqual({ kept: ["1", "2", "3"], added: [], cancelled: [] });
  });

  it("adds new tasks after the highest id, with dependencies renumbered", () => {
    const reparsed = [
      task(1, { title: "Prepare", ...at(1) }), // new, first in the file: the parser numbered it 1
      ...firstParse().map((t) => ({
        ...t,
        id: t.id + 1,
        dependencies: t.dependencies.map((d) => Number(d) + 1),
      })),
    ];
    reparsed[1]!.dependencies = [1];
    reparsed[2]!.dependencies = [2, "2.2"];
    const { tasks, report } = mergeParsedTasks(progressed(), reparsed);
    expect(report.added).toEqual(["4"]);
    expect(tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, "Setup", [4]],
      [2, "Deploy", [1, "1.2"]],
      [3, "Verify", [2]],
      [4, "Prepare", []],
    ]);
  });

  it("marks vanished tasks and subtasks cancelled, never deletes, keeps done work done", () => {
    const existing = progressed();
    existing.push(task(4, { title: "Hand-written", status: "in-progress" }));
    existing.push(task(5, { title: "From the guide", ...at(3, "docs/guide.md") }));
    const reparsed = firstParse().filter((t) => t.title !== "Deploy");
    reparsed[0]!.subtasks = [reparsed[0]!.subtasks[1]!]; // "Install" (done) and nothing else vanished
    reparsed[0]!.subtasks.push(subtask(3, { title: "Lint", ...at(6) }));
    const { tasks, report } = mergeParsedTasks(existing, reparsed, { files: ["PRD.md"] });
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [1, "in-progress"],
      [2, "cancelled"],
      [3, "pending"],
      [4, "in-progress"], // no source: not ours to cancel
      [5, "pending"], // another PRD, not parsed this time
    ]);
    expect(tasks[0]!.subtasks.map((s) => [s.id, s.title, s.status])).toEqual([
      [1, "Install", "done"],
      [2, "Build", "pending"],
      [3, "Lint", "pending"],
    ]);
    expect(report).toEqual({ kept: ["1", "3"], added: [], cancelled: ["2"] });
  });

  it("cancels the unfinished subtasks of a vanished task", () => {
    const existing = progressed();
    const { tasks } = mergeParsedTasks(existing, firstParse().slice(1));
    expect(tasks[0]!.status).toBe("cancelled");
    expect(tasks[0]!.subtasks.map((s) => s.status)).toEqual(["done", "cancelled"]);
  });

  it("tells apart two tasks with the same title by the nearest line", () => {
    const existing = mergeParsedTasks(
      [],
      [task(1, { title: "Check", ...at(10) }), task(2, { title: "Check", ...at(50) })],
    ).tasks;
    existing[1]!.status = "done";
    const shifted = [task(1, { title: "Check", ...at(15) }), task(2, { title: "Check", ...at(57) })];
    expect(mergeParsedTasks(existing, shifted).tasks.map((t) => t.status)).toEqual(["pending", "done"]);
    // Order in the new parse does not matter either.
    expect(mergeParsedTasks(existing, shifted.reverse()).tasks.map((t) => [t.id, t.status])).toEqual([
      [1, "pending"],
      [2, "done"],
    ]);
  });

  it("falls back to the title for a task that moved to another parsed PRD, or was written by hand", () => {
    const existing = progressed();
    existing.push(task(4, { title: "Rollback", status: "done" })); // hand-written: no source
    const reparsed = firstParse();
    reparsed[1]!.source = { file: "./docs/guide.md", line: 3 }; // "Deploy" moved to the guide
    reparsed.push(task(4, { title: "rollback ", ...at(20) }));
    const { tasks, report } = mergeParsedTasks(existing, reparsed, { files: ["PRD.md", "docs/guide.md"] });
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [1, "in-progress"],
      [2, "review"],
      [3, "pending"],
      [4, "done"],
    ]);
    expect(tasks[1]!.source!.file).toBe("./docs/guide.md");
    expect(report).toEqual({ kept: ["1", "2", "3", "4"], added: [], cancelled: [] });
  });

  it("never takes over a task from a PRD that is not being parsed", () => {
    const existing = [task(1, { title: "Prerequisites", status: "done", ...at(2, "docs/setup-guide.md") })];
    const { tasks, report } = mergeParsedTasks(existing, [task(1, { title: "Prerequisites", ...at(5) })]);
    expect(tasks.map((t) => [t.id, t.status, t.source!.file])).toEqual([
      [1, "done", "docs/setup-guide.md"],
      [2, "pending", "PRD.md"],
    ]);
    expect(report).toEqual({ kept: [], added: ["2"], cancelled: [] });
  });

  it("treats ./PRD.md and an absolute path to it as the same file", () => {
    const absolute = firstParse().map((t) => ({
      ...t,
      source: { file: `${process.cwd()}/PRD.md`, line: t.source!.line },
    }));
    const { report } = mergeParsedTasks(progressed(), absolute);
    expect(report).toEqual({ kept: ["1", "2", "3"], added: [], cancelled: [] });
  });

  it("takes a ticked checkbox as progress, but lets the tasks file win otherwise", () => {
    const reparsed = firstParse();
    reparsed[0]!.subtasks[1]!.status = "done"; // Build: pending → ticked
    reparsed[1]!.status = "done"; // Deploy: review in the file, stays review
    const { tasks } = mergeParsedTasks(progressed(), reparsed);
    expect(tasks[0]!.subtasks[1]!.status).toBe("done");
    expect(tasks[1]!.status).toBe("review");
  });

  it("drops a command the PRD no longer has", () => {
    const reparsed = firstParse();
    delete reparsed[0]!.subtasks[0]!.command;
    const { tasks } = mergeParsedTasks(progressed(), reparsed);
    expect(tasks[0]!.subtasks[0]).not.toHaveProperty("command");
  });

  it("keeps the local alternative in step with the PRD, like the command", () => {
    const withLocal = firstParse();
    withLocal[0]!.subtasks[0]!.localCommand = "npm ci --offline";
    withLocal[1]!.localCommand = "npx canary rollout run --file k8s/canary/tinyurl.yaml";
    const added = mergeParsedTasks(progressed(), withLocal).tasks;
    expect(added[0]!.subtasks[0]).toMatchObject({ status: "done", localCommand: "npm ci --offline" });
    expect(added[1]).toMatchObject({ status: "review", localCommand: withLocal[1]!.localCommand });
    const changed = firstParse();
    changed[0]!.subtasks[0]!.localCommand = "npm ci --prefer-offline";
    const { tasks } = mergeParsedTasks(added, changed);
    expect(tasks[0]!.subtasks[0]!.localCommand).toBe("npm ci --prefer-offline");
    expect(tasks[1]).not.toHaveProperty("localCommand");
  });
});

describe("appendParsedTasks", () => {
  it("numbers every parsed task after the existing ones", () => {
    const { tasks, report } = appendParsedTasks(progressed(), [
      task(1, { title: "A", subtasks: [subtask(1), subtask(2, { dependencies: [1, "2.1"] })] }),
      task(2, { title: "B", dependencies: [1, "1.2"] }),
    ]);
    expect(report.added).toEqual(["4", "5"]);
    expect(tasks.slice(3).map((t) => [t.id, t.dependencies])).toEqual([
      [4, []],
      [5, [4, "4.2"]],
    ]);
    expect(tasks[3]!.subtasks[1]!.dependencies).toEqual([1, "5.1"]);
    expect(tasks.slice(0, 3)).toEqual(progressed());
  });
});
