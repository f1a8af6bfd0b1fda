/**
 * The blue-green state machine, following Argo Rollouts' controller (rollout/bluegreen.go, service.go,
 * analysis.go, pause.go, sync.go) and its kubectl plugin's promote / abort / retry:
 * - the new version comes up at previewReplicaCount (else every replica) behind the preview port, the
 *   active port staying on the stable version;
 * - prePromotionAnalysis starts once the preview is ready (skipPrePromotionAnalysisRun waits for it);
 * - only after it succeeded does the rollout pause (reconcileBlueGreenPause: "not ready for pause:
 *   prePromotionAnalysis incomplete"), until a promote when autoPromotionEnabled is false, or for
 *   autoPromotionSeconds; so a promote sent while the analysis still runs changes nothing, as in Argo;
 * - promotion scales the new version to every replica, switches the active port once they are ready, then
 *   runs postPromotionAnalysis; the old version keeps running meanwhile (still status.stableRS) and stops
 *   scaleDownDelaySeconds after the new one became stable;
 * - a failed or errored analysis aborts: active back to the stable version, the new one stops after
 *   abortScaleDownDelaySeconds (0: never, as in Argo).
 */
import {
  abortedMessage,
  type Completion,
  type ControllerOptions,
  converge,
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
  BlueGreenStrategySpec,
  ControllerStatus,
  Role,
  RolloutAction,
  RolloutController,
  RolloutEvent,
  RolloutSpec,
} from "./types.ts";

export type BlueGreenRolloutSpec = RolloutSpec & { strategy: BlueGreenStrategySpec };

export interface BlueGreenState {
  replicas: Replicas;
  /** The role the active port serves, and the preview port's (null: nothing). */
  active: Role;
  preview: Role | null;
  preRun: RunRef | null;
  postRun: RunRef | null;
  /** Argo's BlueGreenPause condition; `until` is the auto-promotion time, null: until promoted. */
  pause: { startedAt: number; until: number | null } | null;
  /** The pause is over (promoted, or autoPromotionSeconds passed): the new version may take every replica. */
  pauseDone: boolean;
  runCounts: Record<string, number>;
  promoteFull: boolean;
  /** `scaleDownAt`: when the new version stops; null once it did, or never (abortScaleDownDelaySeconds 0). */
  aborted: { at: number; message: string; scaleDownAt: number | null } | null;
  /** `scaleDownAt`: when the old version stops and `promoted` is sent; null once that happened. */
  completed: Completion | null;
}

export function blueGreenController(
  spec: BlueGreenRolloutSpec,
  options: ControllerOptions,
): RolloutController<BlueGreenState> {
  const { strategy, replicas } = spec;
  const previewCount = Math.min(strategy.previewReplicaCount ?? replicas, replicas);
  // needsBlueGreenControllerPause: autoPromotionSeconds only counts while auto-promotion is enabled.
  const pauses = !strategy.autoPromotionEnabled || (strategy.autoPromotionSeconds ?? 0) > 0;

  function setActive(s: BlueGreenState, role: Role, out: RolloutAction[]): void {
    if (s.active === role) return;
    s.active = role;
    out.push({ type: "setActive", role }, event(`Switched the active service to the ${role} version`));
  }

  function setPreview(s: BlueGreenState, role: Role | null, out: RolloutAction[]): void {
    if (s.preview === role) return;
    s.preview = role;
    out.push({ type: "setPreview", role });
  }

  function abort(s: BlueGreenState, now: number, reason: string | undefined, out: RolloutAction[]): void {
    stopRuns([s.preRun, s.postRun], out);
    const message = abortedMessage(options, reason);
    // The preview keeps the new version (Argo leaves the preview selector alone) until it stops.
    setActive(s, "stable", out);
    out.push(event(message));
    const delay = strategy.abortScaleDownDelaySeconds;
    const scaleDownAt = delay > 0 ? now + scaledMs(delay, options) : null;
    Object.assign(s, { pause: null, pauseDone: false, promoteFull: false });
    s.aborted = { at: now, message, scaleDownAt };
  }

  function complete(s: BlueGreenState, now: number, out: RolloutAction[]): void {
    const reason = s.promoteFull ? "Full promotion requested" : "Completed blue-green update";
    out.push(event(`Rollout completed update to revision ${options.revision ?? 2}: ${reason}`));
    Object.assign(s, { promoteFull: false, pause: null });
    s.completed = { at: now, scaleDownAt: now + scaledMs(strategy.scaleDownDelaySeconds, options) };
  }

  /** Up to the switch: preview, pre-promotion analysis, pause. True once the active port may switch. */
  function readyToSwitch(s: BlueGreenState, now: number, out: RolloutAction[]): boolean {
    const pre = strategy.prePromotionAnalysis;
    const analysed = s.promoteFull || !pre || s.preRun?.phase === "Successful";
    const approved = s.promoteFull || (analysed && s.pauseDone);
    if (!converge(s.replicas, { stable: replicas, new: approved ? replicas : previewCount }, out))
      return false;
    // Argo points the preview Service at the new ReplicaSet at once; a local port with no ready replica
    // behind it would only fail requests, so the preview switches once they are ready.
    setPreview(s, "new", out);
    if (approved) return true;
    if (pre && !analysed) {
      s.preRun ??= startRun(s.runCounts, "pre-promotion", "prePromotion", pre, out);
      return false;
    }
    if (pauses && !s.pauseDone) {
      if (!s.pause) {
        const auto = strategy.autoPromotionEnabled ? strategy.autoPromotionSeconds : undefined;
        s.pause = { startedAt: now, until: auto ? now + scaledMs(auto, options) : null };
        out.push(event("Rollout is paused (BlueGreenPause)"));
      }
      if (s.pause.until === null || now < s.pause.until) return false;
      s.pause = null;
      out.push(event("Rollout is resumed (autoPromotionSeconds passed)"));
    }
    s.pauseDone = true;
    return converge(s.replicas, { stable: replicas, new: replicas }, out);
  }

  /** Preview, analysis, pause, switch, post-promotion analysis: as far as they allow. */
  function progress(s: BlueGreenState, now: number, out: RolloutAction[]): void {
    if (s.active === "stable") {
      if (!readyToSwitch(s, now, out)) return;
      setActive(s, "new", out);
    }
    if (strategy.postPromotionAnalysis && !s.promoteFull) {
      s.postRun ??= startRun(
        s.runCounts,
        "post-promotion",
        "postPromotion",
        strategy.postPromotionAnalysis,
        out,
      );
      if (s.postRun.phase !== "Successful") return;
    }
    complete(s, now, out);
  }

  function reconcile(s: BlueGreenState, now: number, out: RolloutAction[]): void {
    if (!s.aborted && !s.completed && !inconclusive(s)) progress(s, now, out);
    if (s.aborted?.scaleDownAt != null && now >= s.aborted.scaleDownAt) {
      scaleRole(s.replicas, "new", 0, out);
      if (s.preview === "new") setPreview(s, null, out);
      s.aborted.scaleDownAt = null;
    } else retireOldStable(s, now, out);
  }

  /** Carries out a promote; returns what happened, for the event log. */
  function promote(s: BlueGreenState, full: boolean, out: RolloutAction[]): string {
    if (s.completed) return "Rollout is already complete: nothing to promote";
    if (full) {
      // Argo: promoteFull clears pauses and an abort and skips (cancels) both analyses.
      stopRuns([s.preRun, s.postRun], out);
      Object.assign(s, { promoteFull: true, aborted: null, pause: null, preRun: null, postRun: null });
      return "Rollout fully promoted: skipping analysis and pauses";
    }
    if (s.aborted) return "Rollout is aborted: retry it, or promote --full";
    // The plugin only clears pause conditions. After an inconclusive run Argo starts a new one
    // (needsNewAnalysisRun), and the promote stands for the pause (status.controllerPause stays set).
    const wasPaused = s.pause !== null || inconclusive(s);
    if (s.preRun?.phase === "Inconclusive") Object.assign(s, { preRun: null, pauseDone: true });
    if (s.postRun?.phase === "Inconclusive") s.postRun = null;
    if (s.pause) Object.assign(s, { pause: null, pauseDone: true });
    return wasPaused ? "Rollout is resumed" : "Rollout is not paused: nothing to promote";
  }

  function analysisFinished(
    s: BlueGreenState,
    id: string,
    phase: RunRef["phase"],
    now: number,
    out: RolloutAction[],
  ) {
    const run = [s.preRun, s.postRun].find((r) => r?.id === id && r.phase === "Running");
    if (!run || s.aborted || s.completed) return;
    run.phase = phase;
    if (phase === "Inconclusive") out.push(event("Rollout is paused (InconclusiveAnalysisRun)"));
    if (phase === "Failed" || phase === "Error") {
      const which = run.kind === "prePromotion" ? "pre-promotion" : "post-promotion";
      abort(s, now, `Blue/green ${which} analysis phase error/failed`, out);
    }
  }

  function on(state: BlueGreenState, ev: RolloutEvent, now: number) {
    const s = structuredClone(state);
    const out: RolloutAction[] = [];
    if (ev.type === "replicasReady") markReady(s.replicas, ev.role);
    else if (ev.type === "analysisFinished") analysisFinished(s, ev.id, ev.phase, now, out);
    else if (ev.type === "promote") out.push(event(promote(s, ev.full, out)));
    else if (ev.type === "abort") {
      if (s.aborted || s.completed) out.push(event("Rollout is not in progress: nothing to abort"));
      else abort(s, now, undefined, out);
    } else if (ev.type === "retry") {
      if (!s.aborted) out.push(event("Rollout is not aborted: nothing to retry"));
      else {
        Object.assign(s, { aborted: null, preRun: null, postRun: null });
        out.push(event("Retrying Rollout after abort"));
      }
    }
    reconcile(s, now, out);
    return { state: s, actions: out };
  }

  return {
    start(now) {
      const state: BlueGreenState = {
        replicas: initialReplicas(replicas),
        active: "stable",
        preview: null,
        preRun: null,
        postRun: null,
        pause: null,
        pauseDone: false,
        runCounts: {},
        promoteFull: false,
        aborted: null,
        completed: null,
      };
      const actions: RolloutAction[] = [
        { type: "setActive", role: "stable" },
        { type: "setPreview", role: null },
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
      return blueGreenStatus(s, replicas);
    },
  };
}

/** An inconclusive run halts the rollout until a promote (Argo's haltProgress). */
function inconclusive(s: BlueGreenState): boolean {
  return s.preRun?.phase === "Inconclusive" || s.postRun?.phase === "Inconclusive";
}

/** Argo's phase and status.message (utils/rollout/rolloututil.go CalculateRolloutPhase). */
function blueGreenStatus(s: BlueGreenState, replicas: number): ControllerStatus {
  const base = { weight: s.active === "new" ? 100 : 0, aborted: s.aborted !== null, currentStepIndex: null };
  if (s.aborted) return { ...base, phase: "Degraded", message: `RolloutAborted: ${s.aborted.message}` };
  if (s.completed) return { ...base, phase: "Healthy", message: "" };
  if (inconclusive(s)) return { ...base, phase: "Paused", message: "InconclusiveAnalysisRun" };
  if (s.pause) return { ...base, phase: "Paused", message: "BlueGreenPause" };
  const canary = s.replicas.new;
  let message = "waiting for analysis to complete";
  if (canary.desired < replicas) message = "more replicas need to be updated";
  else if (!canary.ready) message = "updated replicas are still becoming available";
  else if (s.active !== "new") message = "active service cutover pending";
  return { ...base, phase: "Progressing", message };
}
