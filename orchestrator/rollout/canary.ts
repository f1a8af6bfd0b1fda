/**
 * The canary state machine, following Argo Rollouts' controller (rollout/canary.go, pause.go, analysis.go,
 * sync.go) and its kubectl plugin's promote / abort / retry. Like Argo's reconcile loop, every event first
 * updates what the machine knows (readiness, analysis phases, a promote) and then `reconcile` walks the steps
 * as far as they can go, so each rule lives in one place:
 * - a step's weight takes effect once the new version runs enough ready replicas for it, and only then
 *   does a setWeight step complete (AtDesiredReplicaCountsForCanary; reconcileTrafficRouting keeps the
 *   previous weight meanwhile);
 * - a pause step pauses (CanaryPauseStep) until its duration passed or a promote;
 * - an analysis step completes when its run is Successful; Inconclusive pauses (InconclusiveAnalysisRun),
 *   Failed or Error aborts; background analysis runs from `startingStep` until the rollout completes;
 * - after the last step the new version scales to every replica, takes 100% and becomes stable; the old
 *   stable stops after scaleDownDelaySeconds.
 * Replica counts per weight: canary-replicas.ts.
 */
import { basicPlan, type ReplicaPlan, trafficRoutedPlan } from "./canary-replicas.ts";
import {
  abortedMessage,
  type Completion,
  type ControllerOptions,
  converge,
  describeStep,
  event,
  initialReplicas,
  markReady,
  type Replicas,
  type RunRef,
  retireOldStable,
  scaledMs,
  scaleRole,
  startRun,
  stopRuns,
} from "./steps.ts";
import type {
  CanaryStrategySpec,
  ControllerStatus,
  RolloutAction,
  RolloutController,
  RolloutEvent,
  RolloutSpec,
} from "./types.ts";

export type CanaryRolloutSpec = RolloutSpec & { strategy: CanaryStrategySpec };

export interface CanaryState {
  /** Argo's status.currentStepIndex: steps.length once every step is done. */
  stepIndex: number;
  /** The share of traffic the proxy sends to the new version (the last setWeight action). */
  weight: number;
  replicas: Replicas;
  /** The pause of the current pause step (Argo's CanaryPauseStep condition); `until` null: until promoted. */
  pause: { startedAt: number; until: number | null } | null;
  stepRun: RunRef | null;
  backgroundRun: RunRef | null;
  /** Runs started per id base, for unique ids across retries. */
  runCounts: Record<string, number>;
  /** `promote --full` (Argo's status.promoteFull): skip every remaining step and analysis. */
  promoteFull: boolean;
  /** `scaleDownAt`: when the new version stops; null once it did, or never (abortScaleDownDelaySeconds 0). */
  aborted: { at: number; message: string; scaleDownAt: number | null } | null;
  /** `scaleDownAt`: when the old stable stops and `promoted` is sent; null once that happened. */
  completed: Completion | null;
}

export function canaryController(
  spec: CanaryRolloutSpec,
  options: ControllerOptions,
): RolloutController<CanaryState> {
  const { strategy, replicas } = spec;
  const { steps } = strategy;
  const routed = strategy.trafficRouting !== null;
  const plan = (weight: number): ReplicaPlan =>
    routed ? trafficRoutedPlan(replicas, weight) : basicPlan(replicas, weight);

  /** Argo's GetCurrentSetWeight: the last setWeight at or before the current step. */
  function stepWeight(index: number): number {
    for (let i = index; i >= 0; i--) {
      const step = steps[i]!;
      if ("setWeight" in step) return step.setWeight;
    }
    return 0;
  }

  function setTraffic(s: CanaryState, weight: number, out: RolloutAction[]): void {
    if (s.weight === weight) return;
    out.push({ type: "setWeight", weight }, event(`Traffic weight updated from ${s.weight} to ${weight}`));
    s.weight = weight;
  }

  function completeStep(s: CanaryState, out: RolloutAction[]): void {
    const step = steps[s.stepIndex]!;
    s.stepIndex++;
    s.pause = null;
    s.stepRun = null;
    out.push(event(`Rollout step ${s.stepIndex}/${steps.length} completed (${describeStep(step)})`));
  }

  function abort(s: CanaryState, now: number, reason: string | undefined, out: RolloutAction[]): void {
    stopRuns([s.stepRun, s.backgroundRun], out);
    const message = abortedMessage(options, reason);
    // Argo resets currentStepIndex to 0 on abort, which is where a retry starts again.
    Object.assign(s, { stepIndex: 0, pause: null, stepRun: null, backgroundRun: null, promoteFull: false });
    setTraffic(s, 0, out);
    out.push(event(message));
    // Traffic-routed: the canary stays up abortScaleDownDelaySeconds (0: Argo leaves it up for good). Basic
    // canary: no delay in Argo (shouldDelayScaleDownOnAbort); the stable scales back up and the canary goes.
    const delay = strategy.abortScaleDownDelaySeconds;
    const scaleDownAt = routed && delay > 0 ? now + scaledMs(delay, options) : null;
    s.aborted = { at: now, message, scaleDownAt };
  }

  function complete(s: CanaryState, now: number, out: RolloutAction[]): void {
    stopRuns([s.stepRun, s.backgroundRun], out);
    const reason = s.promoteFull ? "Full promotion requested" : `Completed all ${steps.length} canary steps`;
    out.push(event(`Rollout completed update to revision ${options.revision ?? 2}: ${reason}`));
    Object.assign(s, { stepIndex: steps.length, pause: null, promoteFull: false });
    // Argo's scaleDownDelaySeconds only applies with traffic routing (GetScaleDownDelaySecondsOrDefault): a
    // basic canary already scaled the old stable to 0 on the way to 100%.
    const delay = routed ? strategy.scaleDownDelaySeconds : 0;
    s.completed = { at: now, scaleDownAt: now + scaledMs(delay, options) };
  }

  function maybeStartBackground(s: CanaryState, out: RolloutAction[]): void {
    const background = strategy.analysis;
    if (!background || s.backgroundRun || s.stepIndex < background.startingStep) return;
    s.backgroundRun = startRun(s.runCounts, "background", "background", background, out);
  }

  /** Walks the steps as far as readiness, pauses and analyses allow. */
  function walkSteps(s: CanaryState, now: number, out: RolloutAction[]): void {
    for (;;) {
      const finishing = s.promoteFull || s.stepIndex >= steps.length;
      if (!finishing) maybeStartBackground(s, out);
      const target = plan(finishing ? 100 : stepWeight(s.stepIndex));
      if (!converge(s.replicas, target, out)) return;
      setTraffic(s, target.traffic, out);
      if (finishing) {
        complete(s, now, out);
        return;
      }
      const step = steps[s.stepIndex]!;
      if ("pause" in step) {
        if (!s.pause) {
          const seconds = step.pause.durationSeconds;
          const until = seconds === undefined ? null : now + scaledMs(seconds, options);
          s.pause = { startedAt: now, until };
          out.push(event("Rollout is paused (CanaryPauseStep)"));
        }
        if (s.pause.until === null || now < s.pause.until) return;
      } else if ("analysis" in step) {
        s.stepRun ??= startRun(s.runCounts, `step-${s.stepIndex}`, "step", step.analysis, out);
        if (s.stepRun.phase !== "Successful") return;
      }
      completeStep(s, out);
    }
  }

  function reconcile(s: CanaryState, now: number, out: RolloutAction[]): void {
    if (!s.aborted && !s.completed && !inconclusive(s)) walkSteps(s, now, out);
    if (s.aborted) {
      if (!routed) converge(s.replicas, plan(0), out);
      else if (s.aborted.scaleDownAt !== null && now >= s.aborted.scaleDownAt) {
        scaleRole(s.replicas, "new", 0, out);
        s.aborted.scaleDownAt = null;
      }
    } else retireOldStable(s, now, out);
  }

  /** Carries out a promote; returns what happened, for the event log. */
  function promote(s: CanaryState, full: boolean, out: RolloutAction[]): string {
    if (s.completed) return "Rollout is already complete: nothing to promote";
    if (full) {
      // Argo: promoteFull clears pauses and an abort, and cancels every analysis.
      stopRuns([s.stepRun, s.backgroundRun], out);
      Object.assign(s, { promoteFull: true, aborted: null, pause: null, stepRun: null, backgroundRun: null });
      return "Rollout fully promoted: skipping remaining steps and analysis";
    }
    if (s.aborted) return "Rollout is aborted: retry it, or promote --full";
    // The plugin clears pause conditions; an inconclusive step analysis is skipped (index + 1), an
    // inconclusive background run is replaced by a new one, a pause step is done. Not paused: skip the step.
    const stepInconclusive = s.stepRun?.phase === "Inconclusive";
    const paused = stepInconclusive || s.backgroundRun?.phase === "Inconclusive" || s.pause !== null;
    if (s.backgroundRun?.phase === "Inconclusive") s.backgroundRun = null;
    if (s.stepIndex >= steps.length) return paused ? "Rollout is resumed" : "No step left to skip";
    if (!paused) stopRuns([s.stepRun], out);
    if (stepInconclusive || s.pause || !paused) completeStep(s, out);
    return paused ? "Rollout is resumed" : "Rollout step skipped by promote";
  }

  function on(state: CanaryState, ev: RolloutEvent, now: number) {
    const s = structuredClone(state);
    const out: RolloutAction[] = [];
    switch (ev.type) {
      case "tick":
        break;
      case "replicasReady":
        markReady(s.replicas, ev.role);
        break;
      case "analysisFinished": {
        const run = [s.stepRun, s.backgroundRun].find((r) => r?.id === ev.id && r.phase === "Running");
        if (!run || s.aborted || s.completed) break;
        run.phase = ev.phase;
        if (ev.phase === "Inconclusive") out.push(event("Rollout is paused (InconclusiveAnalysisRun)"));
        if (ev.phase === "Failed" || ev.phase === "Error") {
          const source = run.kind === "step" ? "Step-based" : "Background";
          abort(s, now, `${source} analysis phase error/failed`, out);
        }
        break;
      }
      case "promote":
        out.push(event(promote(s, ev.full, out)));
        break;
      case "abort":
        if (s.aborted || s.completed) out.push(event("Rollout is not in progress: nothing to abort"));
        else abort(s, now, undefined, out);
        break;
      case "retry":
        if (!s.aborted) out.push(event("Rollout is not aborted: nothing to retry"));
        else {
          s.aborted = null;
          out.push(event("Retrying Rollout after abort"));
        }
        break;
    }
    reconcile(s, now, out);
    return { state: s, actions: out };
  }

  return {
    start(now) {
      const state: CanaryState = {
        stepIndex: 0,
        weight: 0,
        replicas: initialReplicas(replicas),
        pause: null,
        stepRun: null,
        backgroundRun: null,
        runCounts: {},
        promoteFull: false,
        aborted: null,
        completed: null,
      };
      const actions: RolloutAction[] = [
        { type: "setWeight", weight: 0 },
        event(`Rollout updated to revision ${options.revision ?? 2}`),
      ];
      reconcile(state, now, actions);
      return { state, actions };
    },
    on,
    nextWakeAt(s) {
      if (s.aborted) return s.aborted.scaleDownAt;
      if (s.completed) return s.completed.scaleDownAt;
      return inconclusive(s) ? null : (s.pause?.until ?? null);
    },
    status(s) {
      return canaryStatus(s, steps.length, replicas, routed);
    },
  };
}

/** An inconclusive run halts everything until a promote (Argo's haltProgress). */
function inconclusive(s: CanaryState): boolean {
  return s.stepRun?.phase === "Inconclusive" || s.backgroundRun?.phase === "Inconclusive";
}

/** Argo's phase and status.message (utils/rollout/rolloututil.go CalculateRolloutPhase). */
function canaryStatus(
  s: CanaryState,
  stepCount: number,
  replicas: number,
  routed: boolean,
): ControllerStatus {
  const base = {
    weight: s.weight,
    aborted: s.aborted !== null,
    currentStepIndex: s.completed || s.stepIndex >= stepCount ? null : s.stepIndex,
  };
  if (s.aborted) return { ...base, phase: "Degraded", message: `RolloutAborted: ${s.aborted.message}` };
  if (s.completed) return { ...base, phase: "Healthy", message: "" };
  if (inconclusive(s)) {
    return { ...base, phase: "Paused", message: "InconclusiveAnalysisRun" };
  }
  if (s.pause) return { ...base, phase: "Paused", message: "CanaryPauseStep" };
  const { new: canary, stable } = s.replicas;
  let message = "waiting for all steps to complete";
  if (canary.desired < replicas) message = "more replicas need to be updated";
  else if (!canary.ready) message = "updated replicas are still becoming available";
  else if (!routed && stable.desired > 0) message = "old replicas are pending termination";
  return { ...base, phase: "Progressing", message };
}
