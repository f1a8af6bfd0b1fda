import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Task } from "../tasks/model.ts";
import type { RunEvent } from "./log.ts";
import { buildPlan, type Selection } from "./plan.ts";
import { prepareRun } from "./prepare.ts";
import { backoffDelay } from "./retry.ts";
import { type ExecuteOptions, executeRun } from "./run.ts";
import { memoryStore, noCommandMap, subtask, task, tempDir } from "./testing/tasks.ts";

let dir: string;
beforeEach(() => {
  dir = tempDir();
});

const backoff = { baseMs: 100, maxMs: 1000, factor: 2 };
const options = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  concurrency: 2,
  retries: 0,
  backoff,
  failFast: false,
  env: process.env,
  killGraceMs: 200,
  ...overrides,
});

function prepare(tasks: Task[], selection?: Selection) {
  return prepareRun(tasks, buildPlan(tasks, selection), {
    commandMap: noCommandMap,
    variables: {},
    cwd: dir,
  });
}

/** Runs `tasks` with a memory store, a recording sleep (no real waiting) and an in-memory log. */
async function run(tasks: Task[], overrides: Partial<ExecuteOptions> = {}) {
  const store = memoryStore(tasks);
  const sleeps: number[] = [];
  const events: RunEvent[] = [];
  const summary = await executeRun(prepare(tasks), options(overrides), {
    store,
    log: { write: (e) => events.push(e) },
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const result = (id: string) => summary.results.find((r) => r.id === id)!;
  return { summary, store, sleeps, events, result };
}

describe("executeRun: retries", () => {
  it("retries a failing command until it succeeds, waiting longer each time", async () => {
    // Fails on the first two attempts, succeeds on the third (the counter file survives between attempts).
    const flaky = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ "$n" -ge 3 ]';
    const { result, sleeps, store, events } = await run([task(1, { command: flaky })], { retries: 5 });
    expect(result("1")).toMatchObject({ outcome: "ok", attempts: 3 });
    expect(readFileSync(join(dir, "count"), "utf8").trim()).toBe("3");
    expect(sleeps).toEqual([backoffDelay(1, backoff, () => 0.5), backoffDelay(2, backoff, () => 0.5)]);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(
      events.filter((e) => e.type === "step-retry").map((e) => e.type === "step-retry" && e.delayMs),
    ).toEqual(sleeps);
    expect(store.writes).toEqual([
      ["1", "in-progress"],
      ["1", "done"],
    ]);
  });

  it("gives up after the last retry, leaves the task pending and keeps the output tail", async () => {
    const { result, sleeps, store } = await run([task(1, { command: "echo broken; exit 4" })], {
      retries: 2,
    });
    expect(result("1")).toMatchObject({
      outcome: "failed",
      attempts: 3,
      exitCode: 4,
      reason: "exit 4 after 3 attempts",
    });
    expect(result("1").output).toContain("broken");
    expect(sleeps).toHaveLength(2);
    expect(store.status("1")).toBe("pending");
  });

  it("kills a step that runs past its timeout, and counts that as a failure", async () => {
    const { result } = await run([task(1, { command: "sleep 30" })], { timeoutMs: 100 });
    expect(result("1")).toMatchObject({ outcome: "failed", attempts: 1, reason: "timed out after 0.1s" });
  });
});

describe("executeRun: missing programs", () => {
  it("blocks a step whose program is not installed, without running or retrying it", async () => {
    const { result, sleeps, store } = await run(
      [task(1, { command: "definitely-not-a-binary-xyz --flag" })],
      {
        retries: 3,
      },
    );
    expect(result("1")).toMatchObject({
      outcome: "blocked",
      attempts: 0,
      reason: "definitely-not-a-binary-xyz not found",
    });
    expect(sleeps).toEqual([]);
    expect(store.writes).toEqual([["1", "blocked"]]);
  });

  it("blocks on the shell's 'not found' (exit 127) when the scan could not see the program", async () => {
    const { result, sleeps } = await run([task(1, { command: "sh -c 'definitely-not-a-binary-xyz'" })], {
      retries: 3,
    });
    expect(result("1")).toMatchObject({
      outcome: "blocked",
      attempts: 1,
      reason: "definitely-not-a-binary-xyz not found",
    });
    expect(sleeps).toEqual([]);
  });
});

describe("executeRun: scheduling", () => {
  /** Each step appends "+" when it starts and "-" when it ends; the deepest running count is the overlap. */
  const overlapTasks = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      task(i + 1, { command: "echo + >> trace; sleep 0.2; echo - >> trace" }),
    );
  const maxOverlap = () => {
    let running = 0;
    let max = 0;
    for (const mark of readFileSync(join(dir, "trace"), "utf8").trim().split("\n")) {
      running += mark === "+" ? 1 : -1;
      max = Math.max(max, running);
    }
    return max;
  };

  it.each([1, 2, 3])("never runs more than %i steps at once", async (concurrency) => {
    const { summary } = await run(overlapTasks(6), { concurrency });
    expect(summary.counts.ok).toBe(6);
    expect(maxOverlap()).toBeLessThanOrEqual(concurrency);
  });

  it("runs dependencies first", async () => {
    const tasks = [
      task(1, { command: "echo 1 >> order" }),
      task(2, { dependencies: [1], command: "echo 2 >> order" }),
    ];
    tasks.reverse();
    await run(tasks, { concurrency: 4 });
    expect(readFileSync(join(dir, "order"), "utf8")).toBe("1\n2\n");
  });

  it("skips everything downstream of a failure and carries on with the rest", async () => {
    const { result, summary } = await run([
      task(1, { command: "exit 1" }),
      task(2, { dependencies: [1], command: "touch two" }),
      task(3, { dependencies: [2], command: "touch three" }),
      task(4, { command: "true" }),
    ]);
    expect(result("2")).toMatchObject({ outcome: "skipped", reason: "depends on 1 (failed)" });
    expect(result("3")).toMatchObject({ outcome: "skipped", reason: "depends on 2 (skipped)" });
    expect(result("4").outcome).toBe("ok");
    expect(summary.counts).toMatchObject({ ok: 1, failed: 1, skipped: 2 });
  });

  it("starts nothing new after the first failure with failFast", async () => {
    const { result } = await run([task(1, { command: "exit 1" }), task(2, { command: "true" })], {
      concurrency: 1,
      failFast: true,
    });
    expect(result("2")).toMatchObject({
      outcome: "skipped",
      reason: "not started: --fail-fast after 1 failed",
    });
  });

  it("reports a step without a command as manual, never marks it done, and waits on it", async () => {
    const { result, store } = await run([task(1), task(2, { dependencies: [1], command: "true" })]);
    expect(result("1").outcome).toBe("manual");
    expect(result("2")).toMatchObject({ outcome: "skipped", reason: "depends on 1 (manual)" });
    expect(store.writes).toEqual([]);
    expect(store.status("1")).toBe("pending");
  });

  it("moves a parent task along with its subtasks", async () => {
    const tasks = [
      task(1, {
        subtasks: [subtask(1, { command: "true" }), subtask(2, { dependencies: [1], command: "true" })],
      }),
    ];
    const { store } = await run(tasks, { concurrency: 1 });
    expect(store.writes).toEqual([
      ["1.1", "in-progress"],
      ["1", "in-progress"],
      ["1.1", "done"],
      ["1.2", "in-progress"],
      ["1.2", "done"],
      ["1", "done"],
    ]);
  });

  it("puts a parent back when none of its subtasks got done", async () => {
    const tasks = [task(1, { subtasks: [subtask(1, { command: "exit 2" })] })];
    const { store } = await run(tasks);
    expect(store.status("1")).toBe("pending");
    expect(store.status("1.1")).toBe("pending");
  });

  it("stops running steps and starts no more when interrupted", async () => {
    const controller = new AbortController();
    const tasks = [task(1, { command: "sleep 30" }), task(2, { dependencies: [1], command: "true" })];
    const store = memoryStore(tasks);
    setTimeout(() => controller.abort(), 100);
    const summary = await executeRun(prepare(tasks), options({ signal: controller.signal }), { store });
    expect(summary.interrupted).toBe(true);
    expect(summary.results.map((r) => r.outcome)).toEqual(["interrupted", "skipped"]);
    expect(store.status("1")).toBe("pending");
  });

  it("logs start and end of every step with exit code, attempts and output tail", async () => {
    const { events } = await run([task(1, { command: "echo hello" })]);
    expect(events.map((e) => e.type)).toEqual(["step-start", "step-end"]);
    expect(events[1]).toMatchObject({
      id: "1",
      outcome: "ok",
      exitCode: 0,
      attempts: 1,
      outputTail: "hello\n",
    });
  });
});

describe("executeRun: status write failures", () => {
  it("warns and carries on when tasks.json cannot be written", async () => {
    const tasks = [task(1, { command: "true" }), task(2, { dependencies: [1], command: "true" })];
    const warnings: string[] = [];
    const summary = await executeRun(prepare(tasks), options(), {
      store: {
        setStatus: async () => {
          throw new Error("locked");
        },
      },
      reporter: { stepStarted() {}, stepRetrying() {}, stepFinished() {}, warn: (m) => warnings.push(m) },
    });
    expect(summary.counts.ok).toBe(2);
    expect(summary.warnings).toContain("could not set 1 to done: locked");
    expect(warnings).toEqual(summary.warnings);
  });
});
