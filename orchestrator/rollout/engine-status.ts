/**
 * What the engine remembers for people: events, when each step started and ended, the weight over time,
 * when an abort came and when the new version's traffic reached 0 — the status the control API and the
 * console show, and the summary `--json` prints at the end.
 */
import { describeSteps } from "./steps.ts";
import type {
  AnalysisRunStatus,
  ControllerStatus,
  Role,
  RolloutAction,
  RolloutSpec,
  RolloutStatus,
  VersionTraffic,
} from "./types.ts";

export interface StepTiming {
  index: number;
  description: string;
  startedAt: number;
  endedAt: number | null;
}

export interface RunSummary {
  name: string;
  service: string;
  strategy: "canary" | "blueGreen";
  phase: RolloutStatus["phase"];
  message: string;
  exitCode: 0 | 3;
  stableVersion: string;
  newVersion: string;
  timeScale: number;
  steps: (StepTiming & { durationMs: number | null })[];
  analysisRuns: AnalysisRunStatus[];
  traffic: VersionTraffic[];
  timings: {
    startedAt: number;
    endedAt: number;
    durationMs: number;
    /** When the abort came (by analysis or by hand); null when none. */
    abortedAt: number | null;
    /** From the start (the deploy) to the first moment after an abort that the new version had 0%. */
    deployToZeroCanaryMs: number | null;
  };
  events: RolloutStatus["events"];
}

const MAX_EVENTS = 200;

export class StatusBook {
  readonly versions: Record<Role, string>;
  ports: RolloutStatus["ports"] = {};
  readonly #rollout: RolloutSpec;
  readonly #timeScale: number;
  readonly #now: () => number;
  readonly #steps: string[];
  readonly #startedAt: number;
  #endedAt: number | null = null;
  #events: RolloutStatus["events"] = [];
  #taken: StepTiming[] = [];
  #weight = 0;
  #abortedAt: number | null = null;
  #zeroAt: number | null = null;
  #promotedFully = false;

  constructor(rollout: RolloutSpec, versions: Record<Role, string>, timeScale: number, now: () => number) {
    this.#rollout = rollout;
    this.versions = versions;
    this.#timeScale = timeScale;
    this.#now = now;
    this.#steps = describeSteps(rollout);
    this.#startedAt = now();
  }

  record(action: RolloutAction): void {
    if (action.type === "setWeight") this.#weight = action.weight;
    else if (action.type === "setActive") this.#weight = action.role === "new" ? 100 : 0;
    if (this.#abortedAt !== null && this.#zeroAt === null && this.#weight === 0) this.#zeroAt = this.#now();
  }

  /** A `promote --full`: the steps it jumps over are not listed as taken. */
  promotedFully(): void {
    this.#promotedFully = true;
  }

  event(message: string): void {
    this.#events.push({ at: this.#now(), message });
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
  }

  /** Notes step changes and the abort; the engine calls it after every batch of events. */
  observe(controller: ControllerStatus): void {
    const now = this.#now();
    if (controller.aborted && this.#abortedAt === null) {
      this.#abortedAt = now;
      if (this.#weight === 0) this.#zeroAt = now;
    }
    const index = controller.currentStepIndex;
    const current = this.#taken.at(-1);
    if (current?.index === index && current.endedAt === null && !controller.aborted) return;
    if (controller.aborted && (!current || current.endedAt !== null)) return;
    if (current && current.endedAt === null) current.endedAt = now;
    // An aborted rollout is not on any step (Argo resets the index to 0 until a retry).
    if (controller.aborted) return;
    // Steps finished within one batch (a setWeight whose replicas were ready) are listed, taking no time;
    // so are the last ones when the rollout completes in that batch (no index), unless `promote --full`
    // skipped them.
    const reached = index ?? (this.#promotedFully ? null : this.#steps.length);
    if (reached === null) return;
    const upTo = Math.min(reached, this.#steps.length);
    // Only forward gaps: a retry goes back to step 0.
    if (current && upTo > current.index + 1)
      for (let skipped = current.index + 1; skipped < upTo; skipped++)
        this.#taken.push({
          index: skipped,
          description: this.#steps[skipped]!,
          startedAt: now,
          endedAt: now,
        });
    if (index === null || index >= this.#steps.length) return;
    this.#promotedFully = false;
    this.#taken.push({ index, description: this.#steps[index]!, startedAt: now, endedAt: null });
  }

  end(): void {
    this.#endedAt ??= this.#now();
    const current = this.#taken.at(-1);
    if (current && current.endedAt === null) current.endedAt = this.#endedAt;
  }

  status(
    controller: ControllerStatus,
    analysisRuns: AnalysisRunStatus[],
    traffic: VersionTraffic[],
    replicas: RolloutStatus["replicas"],
  ): RolloutStatus {
    this.observe(controller);
    return {
      name: this.#rollout.name,
      ...(this.#rollout.namespace ? { namespace: this.#rollout.namespace } : {}),
      service: this.#rollout.service,
      strategy: this.#rollout.strategy.kind,
      phase: controller.phase,
      message: controller.message,
      aborted: controller.aborted,
      stableVersion: this.versions.stable,
      newVersion: this.versions.new,
      steps: this.#steps.map((description, index) => ({ index, description })),
      currentStepIndex: controller.currentStepIndex,
      weight: controller.weight,
      ports: this.ports,
      replicas,
      analysisRuns,
      traffic,
      events: [...this.#events],
      timeScale: this.#timeScale,
      startedAt: this.#startedAt,
      endedAt: this.#endedAt,
    };
  }

  summary(status: RolloutStatus, exitCode: 0 | 3): RunSummary {
    const endedAt = this.#endedAt ?? this.#now();
    return {
      name: status.name,
      service: status.service,
      strategy: status.strategy,
      phase: status.phase,
      message: status.message,
      exitCode,
      stableVersion: status.stableVersion,
      newVersion: status.newVersion,
      timeScale: this.#timeScale,
      steps: this.#taken.map((s) => ({
        ...s,
        durationMs: s.endedAt === null ? null : s.endedAt - s.startedAt,
      })),
      analysisRuns: status.analysisRuns,
      traffic: status.traffic,
      timings: {
        startedAt: this.#startedAt,
        endedAt,
        durationMs: endedAt - this.#startedAt,
        abortedAt: this.#abortedAt,
        deployToZeroCanaryMs: this.#zeroAt === null ? null : this.#zeroAt - this.#startedAt,
      },
      events: status.events,
    };
  }
}
