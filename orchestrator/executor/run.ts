/**
 * The scheduler: starts every step whose dependencies ended `ok` (or were done already), never more than
 * `concurrency` at once, in plan order; retries failures with backoff; writes statuses back as steps end.
 *
 * Status write-back (task-master has no "failed" status):
 * - start → `in-progress`; success → `done`;
 * - a missing program → `blocked`, with the reason (`kubectl not found`) as the note, unless the step has
 *   a local alternative: that runs instead (see step-command.ts);
 * - a failure (non-zero exit or timeout, after all retries) → back to `pending`, so `next` offers it again;
 *   the exit code, attempts and output tail are in the run log and the recap;
 * - an interrupted step gets its status from before the run back;
 * - skipped and manual steps are not touched: a manual step is never marked done by the runner.
 * A task whose subtasks are the steps becomes `in-progress` with its first subtask and `done` with its last.
 */
import type { TaskStatus } from "../tasks/model.ts";
import { NO_COMMAND } from "./commands.ts";
import type { RunLogWriter } from "./log.ts";
import type { ParentTask, PreparedRun, PreparedStep } from "./prepare.ts";
import { type BackoffPolicy, sleep as realSleep } from "./retry.ts";
import { runStepCommand } from "./step-command.ts";

export const OUTCOMES = ["ok", "failed", "blocked", "skipped", "manual", "done", "interrupted"] as const;
export type StepOutcome = (typeof OUTCOMES)[number];

export interface StepResult {
  id: string;
  title: string;
  outcome: StepOutcome;
  attempts: number;
  durationMs: number;
  exitCode?: number | null;
  reason?: string;
  /** The end of the last attempt's output. */
  output?: string;
  /** The step's local alternative ran (chosen with --local, or because the command's program is missing). */
  local?: boolean;
  /** Worth telling even when the step is `ok`: `kubectl not found: ran the local alternative`. */
  note?: string;
}

/** What the runner needs from the tasks.json store. */
export interface TaskStatusWriter {
  setStatus(id: string, status: TaskStatus, note?: string): Promise<void>;
}

export interface RunReporter {
  stepStarted(step: PreparedStep, attempt: number): void;
  stepRetrying(step: PreparedStep, attempt: number, delayMs: number, reason: string): void;
  stepFinished(step: PreparedStep, result: StepResult): void;
  warn(message: string): void;
}

export interface ExecuteOptions {
  concurrency: number;
  /** Extra attempts after the first one fails. */
  retries: number;
  backoff: BackoffPolicy;
  timeoutMs?: number;
  killGraceMs?: number;
  /** Stop starting steps after the first failed or blocked one. */
  failFast: boolean;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** No Kubernetes cluster here (`--local`): cluster tools (kubectl, helm, argocd…) block instead of failing. */
  noCluster?: boolean;
}

export interface ExecuteDependencies {
  store?: TaskStatusWriter;
  log?: RunLogWriter;
  reporter?: RunReporter;
  /** Jitter source; inject a seeded one for reproducible delays. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RunSummary {
  /** In plan order. */
  results: StepResult[];
  counts: Record<StepOutcome, number>;
  durationMs: number;
  interrupted: boolean;
  warnings: string[];
}

const BLOCKING: ReadonlySet<StepOutcome> = new Set(["failed", "blocked", "skipped", "manual", "interrupted"]);

export async function executeRun(
  run: PreparedRun,
  options: ExecuteOptions,
  deps: ExecuteDependencies = {},
): Promise<RunSummary> {
  const started = performance.now();
  const at = () => new Date().toISOString();
  const random = deps.random ?? Math.random;
  const pause = deps.sleep ?? realSleep;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    deps.reporter?.warn(message);
  };

  // Status writes go through one queue: steps finishing together must not race on tasks.json.
  let writes = Promise.resolve();
  const writeStatus = (id: string, status: TaskStatus, note?: string) => {
    if (!deps.store) return;
    const store = deps.store;
    writes = writes.then(() =>
      store.setStatus(id, status, note).catch((error: unknown) => {
        warn(`could not set ${id} to ${status}: ${(error as Error).message}`);
      }),
    );
  };

  const parents = new Map(
    run.parents.map((p) => [p.id, { ...p, subtasks: { ...p.subtasks }, current: p.status }]),
  );
  const parentOf = (step: PreparedStep) =>
    step.id.includes(".") ? parents.get(String(step.taskId)) : undefined;
  const setParent = (parent: ParentTask & { current: TaskStatus }, status: TaskStatus) => {
    if (parent.current === status) return;
    parent.current = status;
    writeStatus(parent.id, status);
  };

  const results = new Map<string, StepResult>();
  const finish = (step: PreparedStep, result: StepResult) => {
    results.set(step.id, result);
    deps.log?.write({
      type: "step-end",
      at: at(),
      id: step.id,
      outcome: result.outcome,
      attempts: result.attempts,
      durationMs: Math.round(result.durationMs),
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.local ? { local: true } : {}),
      ...(result.note ? { note: result.note } : {}),
      ...(result.output ? { outputTail: result.output } : {}),
    });
    deps.reporter?.stepFinished(step, result);
  };
  const settle = (step: PreparedStep, outcome: StepOutcome, reason?: string) =>
    finish(step, {
      id: step.id,
      title: step.title,
      outcome,
      attempts: 0,
      durationMs: 0,
      ...(reason ? { reason } : {}),
    });

  const startStep = async (step: PreparedStep) => {
    const parent = parentOf(step);
    const result = await runStepCommand(step, options, {
      ...deps,
      random,
      sleep: pause,
      started() {
        writeStatus(step.id, "in-progress");
        if (parent) setParent(parent, "in-progress");
      },
    });
    if (result.outcome === "ok") writeStatus(step.id, "done");
    else if (result.outcome === "blocked") writeStatus(step.id, "blocked", result.reason);
    else if (result.outcome === "failed") writeStatus(step.id, "pending", result.reason);
    else if (result.outcome === "interrupted") {
      writeStatus(step.id, step.status === "in-progress" ? "pending" : step.status);
    }
    if (parent) {
      parent.subtasks[step.id] = result.outcome === "ok" ? "done" : parent.subtasks[step.id]!;
      if (!parent.ownStep && Object.values(parent.subtasks).every((s) => s === "done"))
        setParent(parent, "done");
    }
    finish(step, result);
  };

  for (const step of run.steps) {
    if (step.action === "done" && step.status !== "done") {
      // Finished in a resumed run whose status update never reached tasks.json.
      writeStatus(step.id, "done");
      const parent = parentOf(step);
      if (parent) parent.subtasks[step.id] = "done";
    }
    if (step.action === "done") settle(step, "done", "done before this run");
    else if (step.action === "manual") settle(step, "manual", step.manualReason ?? NO_COMMAND);
  }

  const running = new Map<string, Promise<void>>();
  let waiting = run.steps.filter((s) => !results.has(s.id));
  let stopReason: string | undefined;
  const onAbort = () => {
    stopReason ??= "run interrupted";
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  for (;;) {
    for (const step of waiting) {
      const failedDep = step.dependsOn.find((d) => BLOCKING.has(results.get(d)?.outcome as StepOutcome));
      if (step.unmet.length > 0)
        settle(step, "skipped", `waits on ${step.unmet.join(", ")} (not done, not in this run)`);
      else if (failedDep)
        settle(step, "skipped", `depends on ${failedDep} (${results.get(failedDep)!.outcome})`);
      else if (stopReason) settle(step, "skipped", stopReason);
      else if (running.size < options.concurrency && step.dependsOn.every((d) => results.has(d))) {
        const promise = startStep(step).finally(() => running.delete(step.id));
        running.set(step.id, promise);
      }
    }
    waiting = waiting.filter((s) => !results.has(s.id) && !running.has(s.id));
    if (running.size === 0) break;
    await Promise.race(running.values());
    if (options.failFast && !stopReason) {
      const first = [...results.values()].find((r) => r.outcome === "failed" || r.outcome === "blocked");
      if (first) stopReason = `not started: --fail-fast after ${first.id} ${first.outcome}`;
    }
  }
  options.signal?.removeEventListener("abort", onAbort);

  // A parent whose subtasks are all done is done (even if they were done before this run); one put
  // in-progress whose subtasks all came to nothing goes back to where it was.
  for (const parent of parents.values()) {
    const subtasks = Object.values(parent.subtasks);
    if (!parent.ownStep && subtasks.every((s) => s === "done")) setParent(parent, "done");
    else if (
      parent.current === "in-progress" &&
      parent.status !== "in-progress" &&
      !subtasks.includes("done")
    ) {
      setParent(parent, parent.status);
    }
  }
  await writes;

  const ordered = run.steps.map((s) => results.get(s.id)!);
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<StepOutcome, number>;
  for (const result of ordered) counts[result.outcome]++;
  return {
    results: ordered,
    counts,
    durationMs: performance.now() - started,
    interrupted: options.signal?.aborted === true,
    warnings,
  };
}
