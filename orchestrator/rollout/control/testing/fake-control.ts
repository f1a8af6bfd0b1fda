/**
 * A RolloutControl for the API and console tests: rollouts held in memory, actions that move a canary the
 * way the engine would in outline (promote goes to the next step, abort sends traffic back to stable,
 * retry starts again), every call recorded, and `publish` to push a change to subscribers.
 */

import type { RolloutStatus } from "../../types.ts";
import { whyNot } from "../actions.ts";
import { ControlError, type RolloutControl } from "../api.ts";

const T0 = Date.UTC(2026, 0, 15, 9, 30, 0);

/** A canary paused at its second step, with one analysis run, two replicas and traffic on both versions. */
export function canaryStatus(overrides: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    name: "tinyurl",
    service: "tinyurl",
    strategy: "canary",
    phase: "Paused",
    message: "CanaryPauseStep: paused until promoted",
    aborted: false,
    stableVersion: "v1",
    newVersion: "v2",
    steps: [
      { index: 0, description: "setWeight 10" },
      { index: 1, description: "pause (until promoted)" },
      { index: 2, description: "setWeight 50" },
      { index: 3, description: "analysis success-rate" },
      { index: 4, description: "setWeight 100" },
    ],
    currentStepIndex: 1,
    weight: 10,
    ports: { service: 5000, control: 0 },
    replicas: [
      { role: "stable", version: "v1", desired: 1, ready: 1 },
      { role: "new", version: "v2", desired: 1, ready: 1 },
    ],
    analysisRuns: [
      {
        id: "background",
        kind: "background",
        templates: ["success-rate"],
        phase: "Running",
        startedAt: T0,
        finishedAt: null,
        metrics: [
          {
            name: "success-rate",
            phase: "Running",
            count: 1,
            successful: 1,
            failed: 0,
            inconclusive: 0,
            error: 0,
            consecutiveError: 0,
            measurements: [
              { phase: "Successful", value: "[0.998]", startedAt: T0 + 5000, finishedAt: T0 + 5100 },
            ],
          },
        ],
      },
    ],
    traffic: [
      { version: "v1", role: "stable", rps: 45, errorRate: 0.002, p95Ms: 12, requests: 900, errors: 2 },
      { version: "v2", role: "new", rps: 5, errorRate: 0, p95Ms: 14, requests: 100, errors: 0 },
    ],
    events: [{ at: T0, message: "Rollout started: v1 → v2" }],
    timeScale: 1,
    startedAt: T0,
    endedAt: null,
    ...overrides,
  };
}

/** The weight a canary's steps leave in place once `stepIndex` is reached. */
function weightAt(status: RolloutStatus, stepIndex: number): number {
  let weight = 0;
  for (const step of status.steps.slice(0, stepIndex + 1)) {
    const match = /^setWeight (\d+)$/.exec(step.description);
    if (match) weight = Number(match[1]);
  }
  return weight;
}

export class FakeRolloutControl implements RolloutControl {
  readonly calls: string[] = [];
  private readonly rollouts = new Map<string, RolloutStatus>();
  private readonly listeners = new Set<(status: RolloutStatus) => void>();
  /** When set, the next action rejects with it (an engine failure). */
  failNext: Error | null = null;

  constructor(statuses: RolloutStatus[] = [canaryStatus()]) {
    for (const status of statuses) this.rollouts.set(status.name, status);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  list(): RolloutStatus[] {
    return [...this.rollouts.values()];
  }

  get(name: string): RolloutStatus | undefined {
    return this.rollouts.get(name);
  }

  subscribe(listener: (status: RolloutStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces part of a rollout's status and tells the subscribers. */
  publish(name: string, patch: Partial<RolloutStatus>): RolloutStatus {
    const next = { ...this.require(name), ...patch };
    this.rollouts.set(name, next);
    for (const listener of this.listeners) listener(next);
    return next;
  }

  async promote(name: string, full: boolean): Promise<void> {
    this.act(`promote ${name}${full ? " --full" : ""}`, full ? "promoteFull" : "promote", name);
    const status = this.require(name);
    const last = status.steps.length - 1;
    const next = full ? last : Math.min((status.currentStepIndex ?? last) + 1, last);
    this.publish(name, {
      currentStepIndex: next,
      weight: weightAt(status, next),
      phase: "Progressing",
      message: `Step ${next}: ${status.steps[next]?.description ?? ""}`,
      events: [...status.events, { at: status.startedAt + 60_000, message: `promoted to step ${next}` }],
    });
  }

  async abort(name: string): Promise<void> {
    this.act(`abort ${name}`, "abort", name);
    this.publish(name, { aborted: true, phase: "Degraded", weight: 0, message: "Rollout aborted" });
  }

  async retry(name: string): Promise<void> {
    this.act(`retry ${name}`, "retry", name);
    this.publish(name, {
      aborted: false,
      phase: "Progressing",
      currentStepIndex: 0,
      weight: weightAt(this.require(name), 0),
    });
  }

  private act(call: string, action: Parameters<typeof whyNot>[0], name: string): void {
    this.calls.push(call);
    if (this.failNext) {
      const failure = this.failNext;
      this.failNext = null;
      throw failure;
    }
    const why = whyNot(action, this.require(name));
    if (why)
      throw ControlError.notApplicable(action === "promoteFull" ? "promote --full" : action, name, why);
  }

  private require(name: string): RolloutStatus {
    const status = this.rollouts.get(name);
    if (!status) throw ControlError.notFound(name);
    return status;
  }
}
