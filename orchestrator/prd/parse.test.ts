import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Task } from "../tasks/model.ts";
import { parsePrds } from "./index.ts";

const fixture = (name: string) => ({
  file: `fixtures/${name}`,
  text: readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"),
});
const parseFixture = (name: string) => parsePrds([fixture(name)]);
const byId = (tasks: Task[], id: number) => tasks.find((t) => t.id === id)!;

describe("a heading that owns a checklist", () => {
  const { tasks, warnings } = parseFixture("checklists.md");

  it("becomes a task titled by the heading, with its prose as details and first sentence as description", () => {
    expect(warnings).toEqual([]);
    expect(tasks.map((t) => t.title)).toEqual(["Prepare the build", "Verified"]); // "Notes" is a plain list
    const [build] = tasks;
    expect(build).toMatchObject({
      id: 1,
      title: "Prepare the build",
      description: "The build must be green before anything ships.",
      status: "pending",
      priority: "medium",
      dependencies: [],
      testStrategy: "",
      source: { file: "fixtures/checklists.md", line: 5 },
    });
    expect(build!.details).toBe(
      "The build must be green before anything ships. Nothing else matters.\n\n```sh\nnpm ci && npm test\n```",
    );
  });

  it("turns items into subtasks in order; checked items are done; inline code is the command", () => {
    const [build] = tasks;
    expect(build!.subtasks).toEqual([
      {
        id: 1,
        title: "Install dependencies `npm ci`",
        description: "",
        dependencies: [],
        details: "",
        status: "done",
        command: "npm ci",
        source: { file: "fixtures/checklists.md", line: 13 },
      },
      {
        id: 2,
        title: "Run unit tests `npm test`",
        description: "Unit and contract suites, Node project only.",
        dependencies: [1],
        details:
          "Unit and contract suites, Node project only.\n- [ ] fix flaky tests first\n- [x] nested done",
        status: "pending",
        command: "npm test",
        source: { file: "fixtures/checklists.md", line: 14 },
      },
      {
        id: 3,
        title: "Update `wrangler.toml` routes", // a file name in backticks is not a command
        description: "",
        dependencies: [2],
        details: "",
        status: "pending",
        source: { file: "fixtures/checklists.md", line: 18 },
      },
      {
        id: 4,
        title: "Bump the version",
        description: "edit package.json by hand",
        dependencies: [3],
        details: "",
        status: "pending",
        source: { file: "fixtures/checklists.md", line: 19 },
      },
    ]);
  });

  it("marks a task done when all its subtasks are ([x] and [X])", () => {
    expect(tasks[1]).toMatchObject({ title: "Verified", status: "done" });
    expect(tasks[1]!.subtasks.map((s) => s.status)).toEqual(["done", "done"]);
    const upper = parsePrds([{ file: "u.md", text: "## U\n- [X] a\n- [ ] b\n" }]).tasks[0]!;
    expect([upper.status, ...upper.subtasks.map((s) => s.status)]).toEqual(["pending", "done", "pending"]);
  });

  it("writes keys in task-master's order", () => {
    expect(Object.keys(tasks[0]!)).toEqual([
      "id",
      "title",
      "description",
      "status",
      "dependencies",
      "priority",
      "details",
      "testStrategy",
      "subtasks",
      "source",
    ]);
  });
});

describe("phase headings", () => {
  const { tasks } = parseFixture("phases.md");

  it("give each task its phase (number, title, priority) and the phase priority as default", () => {
    expect(tasks.map((t) => [t.id, t.title, t.phase?.number, t.priority])).toEqual([
      [1, "Foundations", 1, "high"], // the phase heading owns a checklist: it is a task itself
      [2, "Build images", 2, "medium"],
      [3, "Push images", 2, "medium"],
      [4, "Runner", 3, "critical"], // "### Phase 3" under "## Phase 2" still starts phase 3
      [5, "Reporter", 3, "critical"],
      [6, "Docs", 4, "medium"],
      [7, "Cleanup", 5, "medium"],
    ]);
    expect(byId(tasks, 4).phase).toEqual({
      number: 3,
      title: "Task Master Execution Engine",
      priority: "critical",
    });
    expect(byId(tasks, 2).phase).toEqual({ number: 2, title: "Services" });
  });

  it("make a phase wait for the last tasks of the previous phase unless it says otherwise", () => {
    expect(tasks.map((t) => [t.id, t.dependencies])).toEqual([
      [1, []],
      [2, [1]], // phase 2's entry waits for phase 1
      [3, [2]], // explicit "Depends on: Build images" replaces the default
      [4, [3]], // phase 2's last task is 3 (2 is depended on within the phase)
      [5, [3]],
      [6, [3]], // "Depends on: Phase 2" = phase 2's last tasks
      [7, []], // "Depends on: none"
    ]);
  });
});

describe("phase scope", () => {
  it("ends at a heading at the phase heading's level or above", () => {
    const text = "## Phase 1: A\n### X\n- [ ] x\n## Appendix\n- [ ] y\n# Phase 2: B\n- [ ] z\n";
    const { tasks } = parsePrds([{ file: "s.md", text }]);
    expect(tasks.map((t) => [t.title, t.phase?.number, t.dependencies])).toEqual([
      ["X", 1, []],
      ["Appendix", undefined, []],
      ["B", 2, [1]],
    ]);
  });

  it("reads a multi-line (setext) heading; code in a heading is a name, not a command", () => {
    const text = "Build the\n`npm run build` bundle\n===\n\n- [ ] ship\n\n## TASK_007: Run `npm run e2e`\n";
    const [plain, explicit] = parsePrds([{ file: "s.md", text }]).tasks;
    expect(plain).toMatchObject({ title: "Build the `npm run build` bundle" });
    expect(plain!.command).toBeUndefined();
    expect(explicit).toMatchObject({ id: 7, title: "Run `npm run e2e`", command: "npm run e2e" });
  });
});

describe("explicit task lines", () => {
  const { tasks } = parseFixture("task-lines.md");

  it("keep their ids, priority, title and description; other tasks get the next free ids", () => {
    expect(tasks.map((t) => [t.id, t.priority, t.title, t.description])).toEqual([
      [1, "medium", "Task Manager", "PRD parsing and task management"],
      [2, "high", "Executor", "runs the task graph"],
      [5, "critical", "Recap", "prints the PLAY RECAP `npm run recap`"],
      [10, "low", "Lint", "biome check"], // two task lines in one paragraph
      [11, "low", "Format", "biome format"],
      [20, "high", "Heading task", "declared in a heading"],
      [3, "medium", "Extras", ""],
    ]);
    expect(tasks.map((t) => t.source?.line)).toEqual([5, 10, 13, 17, 18, 20, 22]);
  });

  it("own the checklist items that follow them or sit under them", () => {
    expect(byId(tasks, 1).subtasks.map((s) => [s.title, s.command])).toEqual([
      ["Parse Markdown `npm run parse`", "npm run parse"],
      ["Write tasks.json", undefined],
    ]);
    expect(byId(tasks, 5).subtasks.map((s) => [s.title, s.status])).toEqual([
      ["Table per host", "pending"],
      ["Totals", "done"],
    ]);
    expect(byId(tasks, 2)).toMatchObject({
      subtasks: [],
      details: "Runs commands with retries.",
      dependencies: [1],
    });
  });

  it("take inline code on the task line as the task's command", () => {
    expect(byId(tasks, 5).command).toBe("npm run recap");
    expect(byId(tasks, 1).command).toBeUndefined();
  });

  it("can be checklist items themselves", () => {
    const { tasks: items } = parsePrds([
      {
        file: "t.md",
        text: "## Work\n- [x] **TASK_004** [LOW]: **Done already**\n- [ ] **TASK_006**: Later `make all`\n",
      },
    ]);
    expect(items.map((t) => [t.id, t.status, t.title, t.command])).toEqual([
      [4, "done", "Done already", undefined],
      [6, "pending", "Later `make all`", "make all"],
    ]);
  });
});

describe("explicit dependencies", () => {
  const { tasks, warnings } = parseFixture("dependencies.md");

  it("(after: …) on a heading and Depends on: under it name tasks by id, TASK_ id or title", () => {
    expect(warnings).toEqual([]);
    expect(tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, "Provision", []],
      [2, "Accounts", []],
      [3, "Deploy", [1, 2]], // (after: 1), plus task 2 passed up from its "Announce" item
      [4, "Observe", [1, 3]], // Depends on: Deploy, TASK_001
      [5, "Independent", [1, 2]], // **Depends on:** Provision and Accounts
    ]);
  });

  it("on items: subtask refs stay subtask refs, task refs go to the parent, and they replace the default", () => {
    expect(byId(tasks, 3).subtasks.map((s) => [s.title, s.dependencies])).toEqual([
      ["Apply manifests", []],
      ["Promote", ["1.2"]], // another task's subtask, as task-master writes it
      ["Verify", [1]], // (after: 3.1) inside task 3 is sibling 1
      ["Announce", []], // "Depends on: Task 2" moved to the parent
    ]);
    expect(byId(tasks, 4).subtasks.map((s) => s.dependencies)).toEqual([["3.4"], [1]]);
    expect(byId(tasks, 5).subtasks.map((s) => s.dependencies)).toEqual([[], []]); // (after: none)
  });

  it("resolve titles across files, preferring the referring file", () => {
    const later = {
      file: "later.md",
      text: "## Later\nDepends on: Provision\n- [ ] x\n\n## Provision\n- [ ] local\n",
    };
    const { tasks: both } = parsePrds([fixture("dependencies.md"), later]);
    expect(both.slice(5).map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [6, "Later", [7]], // the Provision in later.md, not the one in dependencies.md
      [7, "Provision", []],
    ]);
    const other = { file: "other.md", text: "## Other\nDepends on: Accounts, Phase 1\n- [ ] y\n" };
    const phased = { file: "phased.md", text: "## Phase 1: Setup\n- [ ] s\n" };
    const result = parsePrds([fixture("dependencies.md"), phased, other]);
    expect(result.tasks.at(-1)).toMatchObject({ title: "Other", dependencies: [2, 6] });
  });

  it("name phases by number or title, and whole tasks from inside items", () => {
    const text = [
      "## Phase 1: Setup",
      "- [ ] a",
      "## Phase 2: Build",
      "- [ ] b",
      "## Phase 3: Ship",
      "Depends on: Setup",
      "- [ ] c (after: Phase 2)",
      "- [ ] d",
    ].join("\n");
    const { tasks: phased } = parsePrds([{ file: "p.md", text }]);
    expect(phased.map((t) => t.dependencies)).toEqual([[], [1], [1, 2]]);
  });
});
