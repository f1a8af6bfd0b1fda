/**
 * The engine's AnalysisRuns: what a state machine's `startAnalysis` asks for, made concrete — the
 * templates it names resolved with its args (pod template hashes of the two versions, literals), run on a
 * timer at each run's `nextDueAt`, and its final phase reported back as `analysisFinished`. A run the
 * machine stopped (`stopAnalysis`) reports nothing: the machine no longer waits for it.
 */

import type { MetricProviders } from "./analysis/provider.ts";
import { AnalysisRun, resolveTemplates } from "./analysis/run.ts";
import { podTemplateHash } from "./runtime/pod-template-hash.ts";
import { templatesOf } from "./spec.ts";
import type {
  AnalysisPhase,
  AnalysisRequest,
  AnalysisRunStatus,
  AnalysisTemplateSpec,
  Role,
  RolloutSpec,
} from "./types.ts";

/** The shortest gap between two measurements when Prometheus answers them (2.5 scrape intervals). */
export const MIN_PROMETHEUS_INTERVAL_MS = 2500;

export type FinishedPhase = Exclude<AnalysisPhase, "Pending" | "Running">;

export interface AnalysisRunnerOptions {
  rollout: RolloutSpec;
  templates: readonly AnalysisTemplateSpec[];
  /** The version each role runs: `podTemplateHashValue: Stable | Latest` become their hashes. */
  versions: Record<Role, string>;
  providers: MetricProviders;
  timeScale: number;
  now: () => number;
  onFinished: (id: string, phase: FinishedPhase) => void;
  /** A measurement was taken or a run changed phase. */
  onChange: () => void;
}

interface Tracked {
  run: AnalysisRun;
  stopped: boolean;
  timer?: NodeJS.Timeout;
}

export class AnalysisRunner {
  readonly #options: AnalysisRunnerOptions;
  readonly #runs = new Map<string, Tracked>();

  constructor(options: AnalysisRunnerOptions) {
    this.#options = options;
  }

  /** The args of a request as strings: literals, and the pod template hash of the role named. */
  args(request: AnalysisRequest): Record<string, string> {
    const { versions } = this.#options;
    const args: Record<string, string> = {};
    for (const arg of request.ref.args) {
      if (arg.podTemplateHashValue)
        args[arg.name] = podTemplateHash(versions[arg.podTemplateHashValue === "Stable" ? "stable" : "new"]);
      else if (arg.value !== undefined) args[arg.name] = arg.value;
    }
    return args;
  }

  start(request: AnalysisRequest): void {
    const { rollout, templates, providers, timeScale, now } = this.#options;
    this.#runs.get(request.id)?.run.terminate();
    let chosen: AnalysisTemplateSpec[] = [];
    let metrics: ReturnType<typeof resolveTemplates> = [];
    let error: string | undefined;
    try {
      chosen = templatesOf(rollout, request.ref, templates);
      metrics = resolveTemplates(chosen, this.args(request));
    } catch (err) {
      // Born in phase Error: the machine then aborts, as Argo does for a run that cannot be created.
      error = (err as Error).message;
    }
    const run = new AnalysisRun({
      id: request.id,
      kind: request.kind,
      templates: request.ref.templates.map((t) => t.templateName),
      metrics,
      providers,
      timeScale,
      // Prometheus scrapes every second: time-scaled measurements closer than that see nothing new.
      minIntervalMs: providers.prometheus ? MIN_PROMETHEUS_INTERVAL_MS : 0,
      now,
      ...(error ? { error } : {}),
      onChange: () => this.#options.onChange(),
    });
    const tracked: Tracked = { run, stopped: false };
    this.#runs.set(request.id, tracked);
    void run.finished.then((phase) => {
      clearTimeout(tracked.timer);
      if (!tracked.stopped) this.#options.onFinished(request.id, phase as FinishedPhase);
    });
    this.#schedule(tracked);
  }

  /** Stops a run the machine no longer waits for (it ends Successful, as Argo's terminated runs). */
  stop(id: string): void {
    const tracked = this.#runs.get(id);
    if (!tracked || tracked.stopped) return;
    tracked.stopped = true;
    clearTimeout(tracked.timer);
    tracked.run.terminate();
  }

  stopAll(): void {
    for (const id of this.#runs.keys()) this.stop(id);
  }

  statuses(): AnalysisRunStatus[] {
    return [...this.#runs.values()].map(({ run }) => run.status());
  }

  #schedule(tracked: Tracked): void {
    const { run } = tracked;
    if (run.completed || tracked.stopped) return;
    const due = run.nextDueAt();
    if (due === null) return; // an unbounded run between measurements waits for stop()
    tracked.timer = setTimeout(
      async () => {
        try {
          await run.measureDue();
        } finally {
          this.#schedule(tracked);
        }
      },
      Math.max(0, due - this.#options.now()),
    );
  }
}
