// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the runner's variable syntax, not a mistaken template literal.
/** Local alternatives (`localCommand`): chosen with preferLocal, or run when the command's program is missing. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Task } from "../tasks/model.ts";
import { parseCommandMap, resolveLocalCommand } from "./commands.ts";
import type { RunEvent } from "./log.ts";
import { buildPlan } from "./plan.ts";
import { LOCAL_ONLY, type PrepareOptions, prepareRun } from "./prepare.ts";
import { type ExecuteOptions, executeRun } from "./run.ts";
import { memoryStore, noCommandMap, subtask, task, tempDir } from "./testing/tasks.ts";

const MISSING = "definitely-not-kubectl-xyz";

let dir: string;
beforeEach(() => {
  dir = tempDir("canary-local-");
});

function prepare(tasks: Task[], options: Partial<PrepareOptions> = {}) {
  return prepareRun(tasks, buildPlan(tasks), {
    commandMap: noCommandMap,
    variables: {},
    cwd: dir,
    ...options,
  });
}

const execute: ExecuteOptions = {
  concurrency: 1,
  retries: 0,
  backoff: { baseMs: 1, maxMs: 1, factor: 2 },
  failFast: false,
  env: process.env,
  killGraceMs: 200,
};

async function run(tasks: Task[], preferLocal = false) {
  const store = memoryStore(tasks);
  const events: RunEvent[] = [];
  const options = preferLocal ? { ...execute, noCluster: true } : execute;
  const summary = await executeRun(prepare(tasks, { preferLocal }), options, {
    store,
    log: { write: (e) => events.push(e) },
  });
  return { summary, store, events, result: (id: string) => summary.results.find((r) => r.id === id)! };
}

describe("planning and preparing local alternatives", () => {
  it("gives a task with subtasks its own step when it has only a local alternative", () => {
    const tasks = [task(1, { localCommand: "npm run demo", subtasks: [subtask(1, { command: "true" })] })];
    const plan = buildPlan(tasks);
    expect(plan.steps.map((s) => [s.id, s.localCommand])).toEqual([
      ["1.1", undefined],
      ["1", "npm run demo"],
    ]);
    expect(prepareRun(tasks, plan, { commandMap: noCommandMap, variables: {}, cwd: dir }).parents).toEqual([
      { id: "1", status: "pending", subtasks: { "1.1": "pending" }, ownStep: true },
    ]);
  });

  it("prefers the local alternative with preferLocal, else keeps it for a missing program", () => {
    const tasks = [task(1, { command: "kubectl get ro", localCommand: "npx canary rollout status x" })];
    expect(prepare(tasks, { preferLocal: true }).steps[0]).toMatchObject({
      action: "run",
      shell: "npx canary rollout status x",
      commandSource: { kind: "local" },
    });
    const [step] = prepare(tasks).steps;
    expect(step).toMatchObject({
      shell: "kubectl get ro",
      commandSource: { kind: "inline" },
      localAlternative: { shell: "npx canary rollout status x", shown: "npx canary rollout status x" },
    });
  });

  it("leaves a step with only a local alternative to a person when a cluster is used", () => {
    const [step] = prepare([task(1, { localCommand: "npm run demo" })]).steps;
    expect(step).toMatchObject({ action: "manual", manualReason: LOCAL_ONLY });
    expect(step).not.toHaveProperty("shell");
  });

  it("needs the alternative's variables too, and masks secrets in it", () => {
    const tasks = [task(1, { command: "kubectl apply", localCommand: "deploy ${API_TOKEN} ${REGION_X}" })];
    const prepared = prepare(tasks, { variables: { API_TOKEN: "hunter2" } });
    expect(prepared.unresolved).toEqual([{ stepId: "1 (local)", names: ["REGION_X"] }]);
    expect(prepared.steps[0]!.localAlternative).toEqual({
      shell: "deploy hunter2 ${REGION_X}",
      shown: "deploy *** ${REGION_X}",
    });
  });

  it("gives no alternative to a step a manual rule leaves to a person, nor a blank one", () => {
    const map = parseCommandMap(
      { rules: [{ pattern: "second terminal", manual: true, reason: "keeps running" }] },
      "map.json",
    );
    const serve = { title: "In a second terminal, serve", description: "", localCommand: "npm start" };
    expect(resolveLocalCommand(serve, map)).toBeUndefined();
    expect(resolveLocalCommand({ title: "x", description: "", localCommand: "  " }, map)).toBeUndefined();
    expect(resolveLocalCommand({ ...serve, title: "Serve" }, map)).toEqual({
      kind: "command",
      template: "npm start",
      source: { kind: "local" },
    });
  });
});

describe("executeRun with local alternatives (real child processes)", () => {
  it("runs the local alternative with preferLocal, and logs that it did", async () => {
    const tasks = [task(1, { command: "touch main", localCommand: "echo local > local.txt" })];
    const { result, events, store } = await run(tasks, true);
    expect(result("1")).toMatchObject({ outcome: "ok", attempts: 1, local: true });
    expect(result("1")).not.toHaveProperty("note");
    expect(readFileSync(join(dir, "local.txt"), "utf8")).toBe("local\n");
    expect(existsSync(join(dir, "main"))).toBe(false);
    expect(events[0]).toMatchObject({ type: "step-start", command: "echo local > local.txt", local: true });
    expect(events[1]).toMatchObject({ type: "step-end", outcome: "ok", local: true });
    expect(store.status("1")).toBe("done");
  });

  it("blocks a cluster tool's step when there is no cluster, unless it has a local alternative", async () => {
    const tasks = [
      task(1, { command: "kubectl get pods -n canary" }),
      task(2, { command: "helm list && kubectl get ns", localCommand: "echo local > local.txt" }),
    ];
    const { result } = await run(tasks, true);
    expect(result("1")).toMatchObject({
      outcome: "blocked",
      attempts: 0,
      reason: "no Kubernetes cluster reachable (kubectl)",
    });
    expect(result("2")).toMatchObject({ outcome: "ok", local: true });
  });

  it("runs the main command without preferLocal when its program is there", async () => {
    const tasks = [task(1, { command: "touch main", localCommand: "touch local" })];
    const { result, events } = await run(tasks);
    expect(result("1")).toMatchObject({ outcome: "ok" });
    expect(result("1")).not.toHaveProperty("local");
    expect(existsSync(join(dir, "main"))).toBe(true);
    expect(existsSync(join(dir, "local"))).toBe(false);
    expect(events[0]).not.toHaveProperty("local");
  });

  it("falls back to the local alternative when the command's program is missing, with a note", async () => {
    const tasks = [
      task(1, {
        subtasks: [
          subtask(1, { command: `${MISSING} argo rollouts promote x`, localCommand: "touch promoted" }),
        ],
      }),
    ];
    const { result, events, store } = await run(tasks);
    const note = `${MISSING} not found: ran the local alternative`;
    expect(result("1.1")).toMatchObject({ outcome: "ok", attempts: 1, local: true, note });
    expect(existsSync(join(dir, "promoted"))).toBe(true);
    expect(events.map((e) => e.type)).toEqual(["step-start", "step-end"]);
    expect(events[0]).toMatchObject({ command: "touch promoted", local: true });
    expect(events[1]).toMatchObject({ outcome: "ok", local: true, note });
    expect(store.writes).toEqual([
      ["1.1", "in-progress"],
      ["1", "in-progress"],
      ["1.1", "done"],
      ["1", "done"],
    ]);
  });

  it("falls back after the shell's 'not found' too, counting both attempts", async () => {
    const tasks = [task(1, { command: `sh -c '${MISSING}'`, localCommand: "touch fallback" })];
    const { result, events } = await run(tasks);
    expect(result("1")).toMatchObject({ outcome: "ok", attempts: 2, local: true });
    expect(result("1").note).toBe(`${MISSING} not found: ran the local alternative`);
    expect(
      events.filter((e) => e.type === "step-start").map((e) => e.type === "step-start" && e.local),
    ).toEqual([undefined, true]);
  });

  it("stays blocked without a local alternative, and names both programs when neither is there", async () => {
    const { result, store } = await run([
      task(1, { command: `${MISSING} get pods` }),
      task(2, { command: `${MISSING} get pods`, localCommand: "no-such-local-tool-xyz run" }),
    ]);
    expect(result("1")).toMatchObject({ outcome: "blocked", attempts: 0, reason: `${MISSING} not found` });
    expect(result("2")).toMatchObject({
      outcome: "blocked",
      attempts: 0,
      reason: `${MISSING} not found; local alternative: no-such-local-tool-xyz not found`,
    });
    expect(store.writes).toEqual([
      ["1", "blocked"],
      ["2", "blocked"],
    ]);
  });

  it("reports a local alternative that fails like any failure, keeping the note", async () => {
    const { result, store } = await run([task(1, { command: `${MISSING} x`, localCommand: "exit 3" })]);
    expect(result("1")).toMatchObject({
      outcome: "failed",
      reason: "exit 3",
      note: `${MISSING} not found: ran the local alternative`,
    });
    expect(store.status("1")).toBe("pending");
  });
});
