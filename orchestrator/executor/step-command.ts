/**
 * Running one step's command, with its local alternative as the way out when the command cannot start
 * here: a missing program (`kubectl` on a machine without a cluster) blocks the step, unless the step has a
 * local alternative (`locally: \`…\`` in the PRD); then the alternative runs instead and the result says so
 * (`kubectl not found: ran the local alternative`).
 */
import type { PreparedStep } from "./prepare.ts";
import { commandPrograms, findMissingProgram } from "./process.ts";
import { type AttemptDependencies, attemptStep } from "./retry.ts";
import type { ExecuteOptions, StepResult } from "./run.ts";

export interface StepCommandDependencies extends AttemptDependencies {
  /** Called once, just before the first command of the step starts (not when nothing can start). */
  started(): void;
}

/** Programs that talk to a Kubernetes cluster: without one they can only fail, so the step is blocked. */
export const CLUSTER_TOOLS = new Set(["kubectl", "kubectl-argo-rollouts", "helm", "argocd"]);

/** The same step, running its local alternative. */
function asLocal(step: PreparedStep): PreparedStep | undefined {
  const alternative = step.localAlternative;
  if (!alternative) return undefined;
  const { localAlternative: _, ...rest } = step;
  return { ...rest, ...alternative, commandSource: { kind: "local" } };
}

/** One command: blocked up front when its program is missing, else attempted (with retries). */
async function runCommand(
  step: PreparedStep,
  options: ExecuteOptions,
  deps: StepCommandDependencies,
): Promise<StepResult> {
  const base = { id: step.id, title: step.title };
  const clusterTool =
    options.noCluster && step.commandSource?.kind !== "local"
      ? commandPrograms(step.shell!).find((program) => CLUSTER_TOOLS.has(program))
      : undefined;
  if (clusterTool)
    return {
      ...base,
      outcome: "blocked",
      attempts: 0,
      durationMs: 0,
      reason: `no Kubernetes cluster reachable (${clusterTool})`,
    };
  // A missing program is found before anything runs: the step is blocked, not failed, and never retried.
  const missing = findMissingProgram(step.shell!, step.cwd, options.env.PATH);
  if (missing)
    return { ...base, outcome: "blocked", attempts: 0, durationMs: 0, reason: `${missing} not found` };
  deps.started();
  const result = await attemptStep(step, options, deps).catch(
    (error: unknown): StepResult => ({
      ...base,
      outcome: "failed",
      attempts: 1,
      durationMs: 0,
      reason: `runner error: ${(error as Error).message}`,
    }),
  );
  return step.commandSource?.kind === "local" ? { ...result, local: true } : result;
}

export async function runStepCommand(
  step: PreparedStep,
  options: ExecuteOptions,
  deps: StepCommandDependencies,
): Promise<StepResult> {
  let began = false;
  const once: StepCommandDependencies = {
    ...deps,
    started() {
      if (!began) deps.started();
      began = true;
    },
  };
  const result = await runCommand(step, options, once);
  const local = asLocal(step);
  if (result.outcome !== "blocked" || !local) return result;
  const note = `${result.reason}: ran the local alternative`;
  const fallback = await runCommand(local, options, once);
  const attempts = result.attempts + fallback.attempts;
  const durationMs = result.durationMs + fallback.durationMs;
  if (fallback.outcome === "blocked") {
    // Neither could start: one reason naming both programs.
    return {
      ...fallback,
      attempts,
      durationMs,
      reason: `${result.reason}; local alternative: ${fallback.reason}`,
    };
  }
  return { ...fallback, attempts, durationMs, note };
}
