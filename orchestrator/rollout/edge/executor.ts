/**
 * Carries out an edge plan (plan.ts): runs its wrangler commands through an injected runner and hands
 * pauses and analyses to the engine's hooks. Failed or Error analysis, a failed command, or the caller's
 * AbortSignal (`canary rollout abort`, a failed background analysis) abort the rollout: `wrangler rollback`
 * puts the stable version back at 100% once any traffic may have moved. An Inconclusive analysis pauses
 * until a promote, as in Argo; a pause answered with "full" (`promote --full`) skips to 100%.
 */
import type { RolloutSpec } from "../types.ts";
import {
  deploymentStatusArgv,
  type EdgeCommand,
  type EdgeTarget,
  type EdgeVersionIds,
  edgePlan,
  rollbackArgv,
  uploadArgv,
} from "./plan.ts";
import {
  type CommandRunner,
  EdgeCommandError,
  parseStableVersionId,
  parseUploadedVersionId,
} from "./wrangler.ts";

export type AnalysisOutcome = "Successful" | "Failed" | "Error" | "Inconclusive";
export type PauseOutcome = "resume" | "full";
export type EdgePauseCommand = Extract<EdgeCommand, { type: "pause" }> & { inconclusive?: boolean };
export type EdgeAnalysisCommand = Extract<EdgeCommand, { type: "analysis" }>;
type DeployCommand = Extract<EdgeCommand, { type: "deploy" }>;

/** What the engine does between the commands. Every hook gets a signal that aborts when the run stops. */
export interface EdgeHooks {
  /** Runs the analysis to its end (the engine's AnalysisRun). */
  analyze(command: EdgeAnalysisCommand, signal: AbortSignal): Promise<AnalysisOutcome>;
  /** Waits `durationMs` (already time-scaled), or until a promote when undefined. */
  pause(
    command: EdgePauseCommand,
    durationMs: number | undefined,
    signal: AbortSignal,
  ): Promise<PauseOutcome>;
  /** Starts background analysis; when it fails the engine aborts the caller's signal. */
  startBackgroundAnalysis?(
    command: Extract<EdgeCommand, { type: "backgroundAnalysis" }>,
    signal: AbortSignal,
  ): void;
  /** Status output: each command as it starts, and the outcome. */
  onProgress?(progress: EdgeProgress): void;
}

export interface EdgeProgress {
  at: number;
  message: string;
  /** The share of traffic on the new version after the last deploy. */
  weight: number;
  stepIndex: number | null;
}

export interface EdgeRunOptions {
  runner: CommandRunner;
  hooks: EdgeHooks;
  signal?: AbortSignal;
  /** Pause durations are multiplied by this (1 = real time). */
  timeScale?: number;
  target?: EdgeTarget;
  now?: () => number;
}

export interface EdgeRunResult {
  phase: "Healthy" | "Degraded";
  message: string;
  ids: EdgeVersionIds;
  /** The new version's share at the end (0 after a rollback). */
  weight: number;
  /** "failed" leaves traffic split: the message says how to finish by hand. */
  rollback: "not needed" | "done" | "failed";
  /** Every command run, in order, with its exit code. */
  commands: { argv: string[]; exitCode: number; at: number }[];
  startedAt: number;
  endedAt: number;
}

class Aborted extends Error {}

/** Resolves as `work` does, or rejects with Aborted as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted(reasonOf(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted(reasonOf(signal)));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const reasonOf = (signal: AbortSignal) =>
  signal.reason instanceof Error
    ? signal.reason.message
    : typeof signal.reason === "string"
      ? signal.reason
      : "aborted";

export async function executeEdgePlan(
  spec: RolloutSpec,
  ids: EdgeVersionIds,
  plan: EdgeCommand[],
  options: EdgeRunOptions,
): Promise<EdgeRunResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const commands: EdgeRunResult["commands"] = [];
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  let weight = 0;
  let stepIndex: number | null = null;
  let deployed = false;
  const progress = (message: string) => options.hooks.onProgress?.({ at: now(), message, weight, stepIndex });

  const run = async (argv: string[]) => {
    const result = await options.runner(argv);
    commands.push({ argv, exitCode: result.exitCode, at: now() });
    if (result.exitCode !== 0) throw new EdgeCommandError(argv, result);
  };
  const deploy = async (command: DeployCommand) => {
    progress(command.description);
    deployed = true; // even a failed deploy may have moved traffic: an abort rolls back
    await run(command.argv);
    weight = command.weight;
  };
  const waitForPromote = async (command: EdgePauseCommand): Promise<PauseOutcome> => {
    const ms =
      command.durationSeconds === undefined
        ? undefined
        : Math.round(command.durationSeconds * 1000 * (options.timeScale ?? 1));
    return untilAborted(options.hooks.pause(command, ms, stop.signal), stop.signal);
  };
  const finish = (phase: EdgeRunResult["phase"], message: string, rollback: EdgeRunResult["rollback"]) => {
    progress(message);
    return { phase, message, ids, weight, rollback, commands, startedAt, endedAt: now() };
  };

  try {
    for (const [index, command] of plan.entries()) {
      if (stop.signal.aborted) throw new Aborted(reasonOf(stop.signal));
      stepIndex = command.stepIndex;
      let outcome: PauseOutcome = "resume";
      if (command.type === "deploy") await deploy(command);
      else if (command.type === "backgroundAnalysis") {
        progress(`starting ${command.description}`);
        options.hooks.startBackgroundAnalysis?.(command, stop.signal);
      } else if (command.type === "pause") {
        progress(command.description);
        outcome = await waitForPromote(command);
      } else {
        progress(command.description);
        const phase = await untilAborted(options.hooks.analyze(command, stop.signal), stop.signal);
        if (phase === "Failed" || phase === "Error") throw new Aborted(`${command.description}: ${phase}`);
        if (phase === "Inconclusive") {
          outcome = await waitForPromote({
            ...command,
            type: "pause",
            description: `${command.description}: Inconclusive, paused until promoted`,
            inconclusive: true,
          });
        }
      }
      if (outcome === "full") {
        // The plan's last deploy puts the new version at 100%; nothing before it matters any more.
        const last = plan
          .slice(index + 1)
          .filter((c): c is DeployCommand => c.type === "deploy")
          .at(-1);
        if (last) await deploy(last);
        break;
      }
    }
    return finish("Healthy", `${spec.name}: the new version serves 100% of traffic`, "not needed");
  } catch (failure) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    if (!deployed)
      return finish("Degraded", `${spec.name} aborted before any traffic moved: ${reason}`, "not needed");
    const argv = rollbackArgv(spec, ids.stableVersionId, reason, options.target);
    try {
      progress(`rolling back to ${ids.stableVersionId}`);
      await run(argv);
      weight = 0;
      return finish(
        "Degraded",
        `${spec.name} aborted, rolled back to ${ids.stableVersionId}: ${reason}`,
        "done",
      );
    } catch (rollbackFailure) {
      const why = rollbackFailure instanceof Error ? rollbackFailure.message : String(rollbackFailure);
      return finish(
        "Degraded",
        `${spec.name} aborted (${reason}) and the rollback failed: ${why}. Run \`npx wrangler rollback ${ids.stableVersionId}\` by hand.`,
        "failed",
      );
    }
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    stop.abort("the rollout has ended"); // stops background analysis and any hook still waiting
  }
}

/**
 * A whole edge rollout: the stable version (given, or read from `wrangler deployments status --json`),
 * the upload of the new one, then its plan. Failures before the first deploy change nothing on the edge
 * and are thrown.
 */
export async function runEdgeRollout(
  spec: RolloutSpec,
  options: EdgeRunOptions & { newVersionLabel: string; stableVersionId?: string },
): Promise<EdgeRunResult> {
  const now = options.now ?? Date.now;
  const before: EdgeRunResult["commands"] = [];
  const exec = async (argv: string[]) => {
    const result = await options.runner(argv);
    before.push({ argv, exitCode: result.exitCode, at: now() });
    if (result.exitCode !== 0) throw new EdgeCommandError(argv, result);
    return result.stdout;
  };
  const stableVersionId =
    options.stableVersionId ?? parseStableVersionId(await exec(deploymentStatusArgv(options.target)));
  const newVersionId = parseUploadedVersionId(
    await exec(uploadArgv(spec, options.newVersionLabel, options.target)),
  );
  const ids = { stableVersionId, newVersionId };
  const result = await executeEdgePlan(spec, ids, edgePlan(spec, ids, options.target), options);
  return { ...result, commands: [...before, ...result.commands] };
}
