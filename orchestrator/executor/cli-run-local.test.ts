/** `canary run --local` and the plan's view of local alternatives, through runTasks and commander. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { beforeEach, describe, expect, it } from "vitest";
import type { Task } from "../tasks/model.ts";
import { type RunCommandOptions, registerRunCommand, runTasks } from "./cli-run.ts";
import { readRunLog } from "./log.ts";
import { task, tempDir } from "./testing/tasks.ts";

const MISSING = "definitely-not-kubectl-xyz";

let dir: string;
let tasksFile: string;
beforeEach(() => {
  dir = tempDir("canary-run-local-");
  tasksFile = join(dir, ".taskmaster/tasks/tasks.json");
});

function writeTasks(tasks: Task[]) {
  mkdirSync(join(dir, ".taskmaster/tasks"), { recursive: true });
  writeFileSync(tasksFile, JSON.stringify({ master: { tasks, metadata: {} } }, null, 2));
}

/** `canary run` in `dir` with plain output captured. */
async function canaryRun(options: Partial<RunCommandOptions> = {}) {
  let stdout = "";
  const code = await runTasks(
    { file: tasksFile, cwd: dir, concurrency: 1, retries: 0, backoffMs: 10, backoffMaxMs: 100, ...options },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stdout += text) },
      env: { PATH: process.env.PATH },
    },
  );
  return { code, stdout };
}

const steps = () => [
  task(1, {
    title: "Promote",
    command: `${MISSING} argo rollouts promote x`,
    localCommand: "touch promoted",
  }),
  task(2, { title: "Check", command: "touch checked", localCommand: "touch checked-locally" }),
  task(3, { title: "Watch", localCommand: "touch watched" }),
  task(4, { title: "Test", command: "touch tested" }),
];

describe("canary run --dry-run with local alternatives", () => {
  it("shows what runs: the command, or the local alternative where the command's program is missing", async () => {
    writeTasks(steps());
    const { code, stdout } = await canaryRun({ dryRun: true });
    expect(code).toBe(0);
    expect(stdout).toContain("PLAN: 4 steps in 1 parallel groups (run 3 of which 1 local, manual 1, done 0)");
    expect(stdout).toMatch(
      new RegExp(
        `1 +run +Promote\\n +\\$ touch promoted {3}# \\(local\\) ${MISSING} not found: the local alternative runs\\n` +
          ` +instead of \\$ ${MISSING} argo rollouts promote x\\n`,
      ),
    );
    expect(stdout).toMatch(
      /2 +run +Check\n +\$ touch checked {3}# from the PRD\n +\(local, if a program is missing\) \$ touch checked-locally\n/,
    );
    expect(stdout).toMatch(
      /3 +manual +Watch\n +# no command for a cluster; its local alternative runs with --local\n +\(local\) \$ touch watched\n/,
    );
    expect(stdout).toMatch(
      /4 +run +Test\n +\$ touch tested {3}# from the PRD\n\ndry run: nothing was executed/, // no alternative
    );
    expect(readdirSync(dir)).toEqual([".taskmaster"]);
  });

  it("marks every local alternative as what runs with --local", async () => {
    writeTasks(steps());
    const { stdout } = await canaryRun({ dryRun: true, local: true });
    expect(stdout).toContain("(run 4 of which 3 local, manual 0, done 0)");
    for (const [id, title, command] of [
      ["1", "Promote", "touch promoted"],
      ["2", "Check", "touch checked-locally"],
      ["3", "Watch", "touch watched"],
    ]) {
      expect(stdout).toMatch(
        new RegExp(`${id} +run +${title}\\n +\\$ ${command} {3}# \\(local\\) the PRD's local alternative\\n`),
      );
    }
    expect(stdout).not.toContain("instead of");
  });
});

describe("canary run --local", () => {
  it("runs the local alternatives in real processes and logs which command ran", async () => {
    writeTasks(steps());
    const { code, stdout } = await canaryRun({ local: true });
    expect(code).toBe(0);
    for (const file of ["promoted", "checked-locally", "watched", "tested"])
      expect(existsSync(join(dir, file))).toBe(true);
    expect(existsSync(join(dir, "checked"))).toBe(false);
    expect(stdout).toMatch(/run \S+: 4 steps, local alternatives first; log /);
    expect(stdout).toContain("[start] 2 Check: (local) touch checked-locally");
    expect(stdout).toContain("[start] 4 Test: touch tested");
    const [log] = readdirSync(join(dir, ".canary/runs"));
    const events = readRunLog(join(dir, ".canary/runs", log!));
    expect(events[0]).toMatchObject({ type: "run-start", local: true });
    const ends = events.filter((e) => e.type === "step-end");
    expect(ends.map((e) => [e.id, e.outcome, e.local])).toEqual([
      ["1", "ok", true],
      ["2", "ok", true],
      ["3", "ok", true],
      ["4", "ok", undefined],
    ]);
  });

  it("without --local, falls back where the program is missing and says so in the lines and the recap", async () => {
    writeTasks(steps());
    const { code, stdout } = await canaryRun();
    expect(code).toBe(0);
    expect(existsSync(join(dir, "promoted"))).toBe(true);
    expect(existsSync(join(dir, "checked"))).toBe(true);
    expect(existsSync(join(dir, "watched"))).toBe(false);
    expect(stdout).toContain("[start] 1 Promote: (local) touch promoted");
    expect(stdout).toMatch(
      new RegExp(`\\[ok\\] 1 Promote: ${MISSING} not found: ran the local alternative \\(`),
    );
    expect(stdout).toMatch(
      new RegExp(`\\n1 +ok +1 +\\S+ +Promote — ${MISSING} not found: ran the local alternative\\n`),
    );
    expect(stdout).toMatch(/\n3 +manual +0 +- +Watch — no command for a cluster/);
  });

  it("stays on when a --local run is resumed", async () => {
    writeTasks([
      task(1, { title: "Flaky", command: "touch main-1", localCommand: "test -f ready" }),
      task(2, { title: "After", dependencies: [1], command: "touch main-2", localCommand: "touch local-2" }),
    ]);
    expect((await canaryRun({ local: true })).code).toBe(1);
    writeFileSync(join(dir, "ready"), "");
    const { code, stdout } = await canaryRun({ resume: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/steps \(resuming \S+\), local alternatives first;/);
    expect(existsSync(join(dir, "local-2"))).toBe(true);
    expect(existsSync(join(dir, "main-1")) || existsSync(join(dir, "main-2"))).toBe(false);
  });

  it("is an option of `canary run`", () => {
    const program = new Command("canary");
    registerRunCommand(program);
    const run = program.commands.find((c) => c.name() === "run")!;
    run.parseOptions(["--local"]);
    expect(run.opts()).toMatchObject({ local: true });
  });
});
