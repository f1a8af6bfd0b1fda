// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the runner's variable syntax, not a mistaken template literal.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../tasks/model.ts";
import { type RunCommandOptions, registerRunCommand, runTasks } from "./cli-run.ts";
import { readRunLog } from "./log.ts";
import { tasksFileStore } from "./task-store.ts";
import { subtask, task, tempDir } from "./testing/tasks.ts";

let dir: string;
let tasksFile: string;
beforeEach(() => {
  dir = tempDir();
  tasksFile = join(dir, ".taskmaster/tasks/tasks.json");
});

function writeTasks(tasks: Task[]) {
  mkdirSync(join(dir, ".taskmaster/tasks"), { recursive: true });
  writeFileSync(tasksFile, JSON.stringify({ master: { tasks, metadata: {} } }, null, 2));
}

function savedStatuses(): Record<string, string> {
  const saved = JSON.parse(readFileSync(tasksFile, "utf8")).master.tasks as Task[];
  return Object.fromEntries(
    saved.flatMap((t) => [[String(t.id), t.status], ...t.subtasks.map((s) => [`${t.id}.${s.id}`, s.status])]),
  );
}

/** `canary run` in `dir` with plain output captured; nothing is slept for real. */
async function canaryRun(
  options: Partial<RunCommandOptions> = {},
  io: { env?: NodeJS.ProcessEnv; noWrites?: boolean } = {},
) {
  let stdout = "";
  let stderr = "";
  const fileStore = tasksFileStore(tasksFile);
  const code = await runTasks(
    { file: tasksFile, cwd: dir, concurrency: 2, retries: 0, backoffMs: 10, backoffMaxMs: 100, ...options },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: io.env ?? { PATH: process.env.PATH },
      sleep: async () => {},
      // A store that forgets writes stands for a run whose status updates never reached tasks.json.
      ...(io.noWrites ? { store: { load: fileStore.load, setStatus: async () => {} } } : {}),
    },
  );
  return { code, stdout, stderr };
}

const runLogs = () => (existsSync(join(dir, ".canary/runs")) ? readdirSync(join(dir, ".canary/runs")) : []);

describe("canary run --dry-run", () => {
  it("prints order, parallel groups, commands and cwd, and executes nothing", async () => {
    writeTasks([
      task(1, { title: "Create the marker", command: "touch created" }),
      task(2, { title: "Check it", dependencies: [1], command: "test -f created" }),
      task(3, { title: "Look at the page" }),
    ]);
    const { code, stdout } = await canaryRun({ dryRun: true });
    expect(code).toBe(0);
    expect(existsSync(join(dir, "created"))).toBe(false);
    expect(runLogs()).toEqual([]);
    expect(stdout).toContain("PLAN: 3 steps in 2 parallel groups (run 2, manual 1, done 0)");
    expect(stdout).toContain(`cwd: ${dir}`);
    expect(stdout).toMatch(/group 1 \(2 steps\)\n {2}1 +run +Create the marker\n +\$ touch created/);
    expect(stdout).toMatch(/group 2 \(1 step\)\n {2}2 +run +Check it {2}\(after 1\)/);
    expect(stdout).toMatch(/3 +manual +Look at the page/);
    expect(savedStatuses()).toEqual({ "1": "pending", "2": "pending", "3": "pending" });
  });
});

describe("canary run: variables", () => {
  it("stops before anything runs when a variable has no value, listing each one with its step", async () => {
    writeTasks([
      task(1, { command: "touch first" }),
      task(2, { command: "echo ${CLUSTER} ${REGION}" }),
      task(3, { subtasks: [subtask(1, { command: "kubectl -n ${NAMESPACE_X} get pods" })] }),
    ]);
    const { code, stderr } = await canaryRun();
    expect(code).toBe(1);
    expect(stderr).toContain("2: ${CLUSTER}, ${REGION}");
    expect(stderr).toContain("3.1: ${NAMESPACE_X}");
    expect(stderr).toContain("nothing was run");
    expect(existsSync(join(dir, "first"))).toBe(false);
    expect(runLogs()).toEqual([]);
  });

  it("takes values from .canary/vars.json, the environment and --set, --set winning", async () => {
    mkdirSync(join(dir, ".canary"), { recursive: true });
    writeFileSync(join(dir, ".canary/vars.json"), JSON.stringify({ A: "file", B: "file", C: "file" }));
    writeTasks([task(1, { command: "echo ${A}-${B}-${C} > out" })]);
    const env = { PATH: process.env.PATH, B: "env", C: "env" };
    const { code } = await canaryRun({ set: ["C=set"] }, { env });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("file-env-set\n");
  });
  it("runs with secret values but never prints or logs them", async () => {
    writeTasks([task(1, { command: "echo ${API_TOKEN} > out" })]);
    const { code, stdout } = await canaryRun({ set: ["API_TOKEN=hunter2"] });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("hunter2\n");
    expect(stdout).toContain("echo *** > out");
    const [logName] = runLogs();
    const log = readFileSync(join(dir, ".canary/runs", logName!), "utf8");
    expect(`${stdout}${log}`).not.toContain("hunter2");
  });
});

describe("canary run: execution", () => {
  it("writes statuses back, logs the run as JSONL and prints a recap", async () => {
    writeTasks([
      task(1, { title: "Say hello", command: "echo hello" }),
      task(2, { title: "Break", command: "echo bad; exit 3" }),
      task(3, { title: "Deploy", command: "definitely-not-a-binary-xyz --flag" }),
      task(4, { title: "After the break", dependencies: [2], command: "true" }),
    ]);
    const { code, stdout } = await canaryRun();
    expect(code).toBe(1);
    expect(savedStatuses()).toEqual({ "1": "done", "2": "pending", "3": "blocked", "4": "pending" });

    const [logName] = runLogs();
    const events = readRunLog(join(dir, ".canary/runs", logName!));
    expect(events[0]).toMatchObject({ type: "run-start", steps: ["1", "2", "3", "4"] });
    expect(events.at(-1)).toMatchObject({
      type: "run-end",
      counts: { ok: 1, failed: 1, blocked: 1, skipped: 1 },
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "step-end",
        id: "2",
        outcome: "failed",
        exitCode: 3,
        outputTail: "bad\n",
      }),
    );

    expect(stdout).toContain("[failed] 2 Break: exit 3");
    expect(stdout).toContain("    | bad");
    expect(stdout).toContain("RUN RECAP");
    expect(stdout).toContain("ok=1  failed=1  blocked=1  skipped=1  manual=0  done=0");
    expect(stdout).toMatch(/3 +blocked +0 +- +Deploy — definitely-not-a-binary-xyz not found/);
  });

  it("exits 0 when nothing failed, even with blocked and manual steps", async () => {
    writeTasks([task(1, { command: "definitely-not-a-binary-xyz" }), task(2)]);
    expect((await canaryRun()).code).toBe(0);
  });

  it("does not run again what tasks.json says is done", async () => {
    writeTasks([
      task(1, { command: "echo one >> trace" }),
      task(2, { dependencies: [1], command: "test -f ok" }),
    ]);
    expect((await canaryRun()).code).toBe(1);
    writeFileSync(join(dir, "ok"), "");
    expect((await canaryRun()).code).toBe(0);
    expect(readFileSync(join(dir, "trace"), "utf8")).toBe("one\n");
    expect(savedStatuses()).toEqual({ "1": "done", "2": "done" });
  });

  it("--resume skips the steps the last run finished and keeps its selection", async () => {
    writeTasks([
      task(1, { command: "echo one >> trace" }),
      task(2, { dependencies: [1], command: "test -f ok && echo two >> trace" }),
      task(3, { command: "echo three >> trace" }),
    ]);
    // The first run's status updates are lost, so only its log knows that step 1 succeeded.
    expect((await canaryRun({ task: ["1,2"] }, { noWrites: true })).code).toBe(1);
    writeFileSync(join(dir, "ok"), "");
    const { code, stdout } = await canaryRun({ resume: true });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "trace"), "utf8")).toBe("one\ntwo\n");
    expect(stdout).toMatch(/1 +done +0 +- +Task 1 — done before this run/);
    expect(runLogs()).toHaveLength(2);
    expect(savedStatuses()).toEqual({ "1": "done", "2": "done", "3": "pending" });
  });

  it("--resume names a missing run clearly", async () => {
    writeTasks([task(1, { command: "true" })]);
    expect((await canaryRun({ resume: true })).stderr).toMatch(/no earlier run to resume/);
    expect((await canaryRun({ resume: "nope" })).stderr).toMatch(/no run log .*nope\.jsonl/);
  });

  it("explains a selection that cannot be planned", async () => {
    writeTasks([task(1, { command: "true" })]);
    const { code, stderr } = await canaryRun({ task: ["7"] });
    expect(code).toBe(1);
    expect(stderr).toContain('cannot plan the run:\n  no task or subtask "7"');
  });
});

describe("registerRunCommand", () => {
  it("adds `run` with its options and defaults", () => {
    const program = new Command("canary");
    registerRunCommand(program);
    const run = program.commands.find((c) => c.name() === "run")!;
    const flags = run.options.map((o) => o.long);
    for (const flag of [
      "--file",
      "--phase",
      "--task",
      "--concurrency",
      "--dry-run",
      "--vars",
      "--set",
      "--timeout",
    ]) {
      expect(flags).toContain(flag);
    }
    for (const flag of ["--retries", "--backoff-ms", "--fail-fast", "--resume", "--commands", "--seed"]) {
      expect(flags).toContain(flag);
    }
    run.parseOptions(["--set", "A=1", "--set", "B=2", "--task", "3", "--task", "4.1"]);
    expect(run.opts()).toMatchObject({
      file: ".taskmaster/tasks/tasks.json",
      concurrency: 2,
      retries: 0,
      set: ["A=1", "B=2"],
      task: ["3", "4.1"],
    });
  });
});

describe("canary run through commander", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("parses the command line and sets the exit status", async () => {
    writeTasks([
      task(1, { title: "Setup", phase: { number: 1, title: "Setup" }, command: "touch one" }),
      task(2, { title: "Deploy", phase: { number: 2, title: "Deploy" }, command: "touch two" }),
    ]);
    let stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const program = new Command("canary").exitOverride();
    registerRunCommand(program);
    const argv = [
      "run",
      "-f",
      tasksFile,
      "--cwd",
      dir,
      "--phase",
      "Deploy",
      "--plain",
      "--retries",
      "1",
      "--seed",
      "3",
    ];
    await program.parseAsync(argv, { from: "user" });
    expect(process.exitCode).toBe(0);
    expect(existsSync(join(dir, "two"))).toBe(true);
    expect(existsSync(join(dir, "one"))).toBe(false);
    expect(stdout).toContain("[ok] 2 Deploy");

    let stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    await program.parseAsync(["run", "-f", tasksFile, "--cwd", dir, "--task", "1", "--set", "oops"], {
      from: "user",
    });
    expect(process.exitCode).toBe(1);
    expect(stderr).toBe('canary: expected NAME=value, got "oops"\n');
  });
});
