/**
 * What the canary and blue-green state machines share: replica bookkeeping (scale up, wait for readiness,
 * then scale down, so capacity never dips), analysis run references, durations under a time scale, and the
 * step descriptions shown in status output.
 */
import type {
  AnalysisKind,
  AnalysisPhase,
  AnalysisRefSpec,
  CanaryStepSpec,
  Role,
  RolloutAction,
  RolloutSpec,
} from "./types.ts";

export interface ControllerOptions {
  /** Every duration of the manifest is multiplied by this (1 = real time). */
  timeScale: number;
  /** The revision the new version is, in Argo's messages ("Rollout aborted update to revision 2"); default 2. */
  revision?: number;
}

/** Desired replicas of a role, and whether all of them answered their readiness probe. */
export interface RoleReplicas {
  desired: number;
  ready: boolean;
}

export type Replicas = Record<Role, RoleReplicas>;

/** The stable version runs fully and is ready when a machine starts; the new one does not run yet. */
export function initialReplicas(replicas: number): Replicas {
  return { stable: { desired: replicas, ready: true }, new: { desired: 0, ready: true } };
}

/** Scales a role, emitting the action only on a change. Growing makes the role wait for `replicasReady`. */
export function scaleRole(replicas: Replicas, role: Role, count: number, out: RolloutAction[]): void {
  const current = replicas[role];
  if (current.desired === count) return;
  out.push({ type: "scale", role, replicas: count });
  const ready = count === 0 || (count < current.desired && current.ready);
  replicas[role] = { desired: count, ready };
}

/**
 * Moves both roles towards `target`: roles that grow first; once they are all ready the shrinking ones follow
 * (as Argo scales the canary up before it takes the stable down). True once every role is at its target
 * and ready.
 */
export function converge(replicas: Replicas, target: Record<Role, number>, out: RolloutAction[]): boolean {
  const roles: Role[] = ["stable", "new"];
  for (const role of roles)
    if (target[role] > replicas[role].desired) scaleRole(replicas, role, target[role], out);
  if (roles.some((role) => !replicas[role].ready)) return false;
  for (const role of roles) scaleRole(replicas, role, target[role], out);
  return true;
}

/** A `replicasReady` event: the role's desired replicas all answer (ignored for a role scaled to 0). */
export function markReady(replicas: Replicas, role: Role): void {
  if (replicas[role].desired > 0) replicas[role].ready = true;
}

/** An AnalysisRun the machine started, with its last known phase. */
export interface RunRef {
  id: string;
  kind: AnalysisKind;
  phase: AnalysisPhase;
}

/**
 * Starts a run. Ids are unique within a rollout: the first run of a kind gets the base ("step-2"), later
 * ones a counter suffix ("step-2.1", as Argo's collision counter names a re-created AnalysisRun).
 */
export function startRun(
  counts: Record<string, number>,
  base: string,
  kind: AnalysisKind,
  ref: AnalysisRefSpec,
  out: RolloutAction[],
): RunRef {
  const started = counts[base] ?? 0;
  counts[base] = started + 1;
  const id = started === 0 ? base : `${base}.${started}`;
  out.push({ type: "startAnalysis", request: { id, kind, ref } });
  return { id, kind, phase: "Running" };
}

/** Stops the runs still going (finished runs need no stop). */
export function stopRuns(runs: (RunRef | null)[], out: RolloutAction[]): void {
  for (const run of runs) if (run && run.phase === "Running") out.push({ type: "stopAnalysis", id: run.id });
}

/** When a finished rollout's old stable goes: at `scaleDownAt` (null: done, or never). */
export interface Completion {
  at: number;
  scaleDownAt: number | null;
}

/**
 * Scales the old stable down once its delay after the promotion is over. `promoted` goes last, with that
 * scale-down, so role names keep one meaning in every action list whether or not the engine swaps them.
 */
export function retireOldStable(
  s: { replicas: Replicas; completed: Completion | null },
  now: number,
  out: RolloutAction[],
): void {
  if (s.completed?.scaleDownAt == null || now < s.completed.scaleDownAt) return;
  scaleRole(s.replicas, "stable", 0, out);
  out.push({ type: "promoted" });
  s.completed.scaleDownAt = null;
}

/** Seconds from a manifest → milliseconds of this run. */
export function scaledMs(seconds: number, options: ControllerOptions): number {
  return Math.round(seconds * 1000 * options.timeScale);
}

/** Argo's `status.message` of an aborted rollout (RolloutAborted condition: "Rollout aborted update to revision %d"). */
export function abortedMessage(options: ControllerOptions, reason?: string): string {
  const message = `Rollout aborted update to revision ${options.revision ?? 2}`;
  return reason ? `${message}: ${reason}` : message;
}

export function event(message: string): RolloutAction {
  return { type: "event", message };
}

/** Seconds as Go prints a duration, without zero units: 120 → "2m", 90 → "1m30s", 3600 → "1h". */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) return `${seconds}s`;
  const parts: [number, string][] = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "m"],
    [seconds % 60, "s"],
  ];
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join("");
}

export function describeStep(step: CanaryStepSpec): string {
  if ("setWeight" in step) return `setWeight ${step.setWeight}`;
  if ("pause" in step) {
    const seconds = step.pause.durationSeconds;
    return seconds === undefined ? "pause (until promoted)" : `pause ${formatDuration(seconds)}`;
  }
  return `analysis ${step.analysis.templates.map((template) => template.templateName).join(", ")}`;
}

/** The canary steps in words for status output; a blue-green rollout has no steps. */
export function describeSteps(spec: RolloutSpec): string[] {
  return spec.strategy.kind === "canary" ? spec.strategy.steps.map(describeStep) : [];
}
