/**
 * The attempts of one step, with exponential backoff and jitter between them as in Argo Workflows'
 * retryStrategy: the n-th retry waits around `baseMs * factor^(n-1)`, capped at `maxMs`. "Equal jitter":
 * half of that delay is fixed and half random, so delays still grow while parallel retries of one flaky
 * dependency spread out.
 */
import type { RunLogWriter } from "./log.ts";
import type { PreparedStep } from "./prepare.ts";
import { programNotFound, runShell } from "./process.ts";
import type { ExecuteOptions, RunReporter, StepResult } from "./run.ts";

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, factor: 2 };

/** Delay before retry number `retry` (1 for the first retry). `random` returns [0, 1). */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// The project's one seeded generator, so a run with `--seed` (or a test) gets the same delays.
export { seededRandom } from "../../functions/shared/seeded-random.ts";

/** Waits `ms`, or less when `signal` aborts (an interrupted run must not sit out a long backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export interface AttemptDependencies {
  log?: RunLogWriter | undefined;
  reporter?: RunReporter | undefined;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs a step's command until it succeeds, its retries run out, the shell says its program does not exist
 * (blocked: retrying cannot help), or the run is interrupted. Every attempt and retry goes to the log.
 */
export async function attemptStep(
  step: PreparedStep,
  options: ExecuteOptions,
  deps: AttemptDependencies,
): Promise<StepResult> {
  const t0 = performance.now();
  const base = { id: step.id, title: step.title };
  const command = step.shell!;
  for (let attempt = 1; ; attempt++) {
    deps.log?.write({
      type: "step-start",
      at: new Date().toISOString(),
      id: step.id,
      title: step.title,
      attempt,
      command: step.shown ?? command,
      ...(step.commandSource?.kind === "local" ? { local: true } : {}),
      cwd: step.cwd,
    });
    deps.reporter?.stepStarted(step, attempt);
    const shell = await runShell(command, {
      cwd: step.cwd,
      env: options.env,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const outcome = { ...base, attempts: attempt, exitCode: shell.exitCode, output: shell.output };
    const elapsed = () => performance.now() - t0;
    if (shell.aborted)
      return { ...outcome, outcome: "interrupted", durationMs: elapsed(), reason: "interrupted" };
    if (shell.exitCode === 0 && !shell.timedOut) return { ...outcome, outcome: "ok", durationMs: elapsed() };
    const notFound = programNotFound(shell.exitCode, shell.output);
    if (notFound)
      return { ...outcome, outcome: "blocked", durationMs: elapsed(), reason: `${notFound} not found` };
    const reason = shell.timedOut
      ? `timed out after ${(options.timeoutMs ?? 0) / 1000}s`
      : shell.exitCode !== null
        ? `exit ${shell.exitCode}`
        : `killed by ${shell.signal}`;
    if (attempt > options.retries) {
      const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
      return { ...outcome, outcome: "failed", durationMs: elapsed(), reason: `${reason}${tries}` };
    }
    const delayMs = backoffDelay(attempt, options.backoff, deps.random);
    deps.log?.write({
      type: "step-retry",
      at: new Date().toISOString(),
      id: step.id,
      attempt,
      exitCode: shell.exitCode,
      timedOut: shell.timedOut,
      delayMs,
    });
    deps.reporter?.stepRetrying(step, attempt, delayMs, reason);
    await deps.sleep(delayMs, options.signal);
    if (options.signal?.aborted) {
      return { ...outcome, outcome: "interrupted", durationMs: elapsed(), reason: "interrupted" };
    }
  }
}
