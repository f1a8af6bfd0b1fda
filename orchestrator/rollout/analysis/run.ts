/**
 * An AnalysisRun, as Argo's analysis controller (analysis/analysis.go) runs one, driven by the engine:
 *
 *   const run = new AnalysisRun({ id: "step-2", kind: "step", metrics, providers, timeScale, now: Date.now });
 *   // at run.nextDueAt(): await run.measureDue(); then read run.phase (Running until it completes)
 *   run.terminate();   // background analysis at the end of a rollout, or every run on abort
 *
 * Scheduling: a metric's first measurement comes after `initialDelay`; then one every `interval` until
 * `count` measurements (errors do not count) — no interval means one, an interval and no count means until
 * the run is terminated; after an Error the next try comes 10 s later (Argo's retry interval). Every
 * duration is multiplied by `timeScale`. Each measurement's phase comes from the conditions
 * (evaluateMeasurement); a provider failure is an Error. A metric is Failed when failed > failureLimit,
 * Inconclusive when inconclusive > inconclusiveLimit, Error when consecutiveErrors > consecutiveErrorLimit
 * (the last of these that holds wins, as in Argo), Successful when its count is reached. A metric that ends
 * Failed, Error or Inconclusive terminates the run: the other metrics stop measuring and, like those of a
 * run terminated by `terminate()`, count as Successful unless a limit was already crossed. The run's phase
 * is the worst of its metrics' (Successful < Inconclusive < Error < Failed); a terminated run whose
 * metrics never reached a limit is Successful. In-flight measurements of a terminated run are dropped.
 */
import type {
  AnalysisKind,
  AnalysisPhase,
  AnalysisRunStatus,
  Measurement,
  MetricResult,
  MetricSpec,
} from "../types.ts";
import { assessMetric, assessRun, COMPLETED, effectiveCount, endsRun } from "./assess.ts";
import { evaluateMeasurement } from "./condition.ts";
import { type MetricProviders, providerType } from "./provider.ts";
import { validateMetrics } from "./validate.ts";

export { AnalysisArgsError, resolveTemplates } from "./templates.ts";

/** Argo's DefaultErrorRetryInterval. */
export const ERROR_RETRY_SECONDS = 10;
/** Argo's DefaultMeasurementHistoryLimit. */
export const MEASUREMENT_RETENTION = 10;

export interface AnalysisRunOptions {
  /** Unique within the rollout, e.g. "step-2", "background". */
  id: string;
  kind: AnalysisKind;
  /** The templates' names, for status. */
  templates?: string[];
  /** Resolved metrics (resolveTemplates). */
  metrics: MetricSpec[];
  providers: MetricProviders;
  /** Multiplies initialDelay, interval and the error retry interval. Default 1. */
  timeScale?: number;
  /**
   * The shortest interval and error retry after scaling (default 0). A local Prometheus scrapes every
   * second: a time-scaled interval shorter than a few scrapes would measure the same data again, or none.
   */
  minIntervalMs?: number;
  now?: () => number;
  /** Measurements kept per metric; the counts cover all of them. Default 10, as Argo. */
  measurementRetention?: number;
  /** A run that cannot start (its args did not resolve, say): it is born in phase Error with this message. */
  error?: string;
  /** Called after every change: a measurement recorded, a phase changed, a termination. */
  onChange?: (run: AnalysisRun) => void;
}

interface MetricState {
  spec: MetricSpec;
  result: MetricResult;
  inFlight: AbortController | null;
}

export class AnalysisRun {
  readonly id: string;
  readonly kind: AnalysisKind;
  readonly templates: string[];
  readonly startedAt: number;
  /** Resolves with the final phase once the run completes. */
  readonly finished: Promise<AnalysisPhase>;
  private readonly metrics: MetricState[];
  private readonly providers: MetricProviders;
  private readonly scale: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly retention: number;
  private readonly onChange?: (run: AnalysisRun) => void;
  private runPhase: AnalysisPhase = "Running";
  private runMessage: string | undefined;
  private finishedAt: number | null = null;
  private terminateRequested = false;
  private resolveFinished!: (phase: AnalysisPhase) => void;

  constructor(options: AnalysisRunOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0 && Number.isFinite(timeScale)))
      throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    this.id = options.id;
    this.kind = options.kind;
    this.templates = options.templates ?? [];
    this.providers = options.providers;
    this.scale = timeScale;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.now = options.now ?? Date.now;
    this.retention = Math.max(1, options.measurementRetention ?? MEASUREMENT_RETENTION);
    this.onChange = options.onChange;
    this.startedAt = this.now();
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.metrics = options.metrics.map((spec) => ({
      spec,
      inFlight: null,
      result: {
        name: spec.name,
        phase: "Pending",
        measurements: [],
        count: 0,
        successful: 0,
        failed: 0,
        inconclusive: 0,
        error: 0,
        consecutiveError: 0,
      },
    }));
    const invalid = options.error ?? validateMetrics(options.metrics);
    if (invalid !== undefined) this.complete("Error", invalid);
  }

  get phase(): AnalysisPhase {
    return this.runPhase;
  }

  get message(): string | undefined {
    return this.runMessage;
  }

  get completed(): boolean {
    return COMPLETED.has(this.runPhase);
  }

  private ms(seconds: number): number {
    return seconds * 1000 * this.scale;
  }

  /** A scaled interval between two measurements, never below minIntervalMs. */
  private gap(seconds: number): number {
    return Math.max(this.minIntervalMs, this.ms(seconds));
  }

  /** When a metric's next measurement is due; null when it takes no more (or one is in flight). */
  private dueAt(state: MetricState): number | null {
    const { spec, result } = state;
    if (this.completed || this.terminateRequested || state.inFlight || COMPLETED.has(result.phase))
      return null;
    const last = result.measurements.at(-1);
    if (!last) return this.startedAt + this.ms(spec.initialDelaySeconds ?? 0);
    const count = effectiveCount(spec);
    if (count !== null && result.count >= count) return null;
    if (last.phase === "Error") return last.finishedAt + this.gap(ERROR_RETRY_SECONDS);
    return spec.intervalSeconds ? last.finishedAt + this.gap(spec.intervalSeconds) : null;
  }

  /** The earliest time a measurement is due (possibly already past); null when none is scheduled. */
  nextDueAt(): number | null {
    const times = this.metrics.map((state) => this.dueAt(state)).filter((at): at is number => at !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  /**
   * Takes every measurement due now, concurrently (one per metric), then records them all and reassesses
   * the run once, as one reconcile of Argo's controller does.
   */
  async measureDue(): Promise<void> {
    const now = this.now();
    const due = this.metrics.filter((state) => {
      const at = this.dueAt(state);
      return at !== null && at <= now;
    });
    if (due.length === 0) return;
    const taken = await Promise.all(due.map((state) => this.measure(state)));
    if (this.completed) return;
    taken.forEach((measurement, i) => {
      if (measurement) this.record(due[i]!, measurement);
    });
    this.assess();
    this.onChange?.(this);
  }

  /** One measurement; null when the run was terminated while it was in flight. */
  private async measure(state: MetricState): Promise<Measurement | null> {
    const controller = new AbortController();
    state.inFlight = controller;
    const startedAt = this.now();
    let measurement: Measurement;
    try {
      const type = providerType(state.spec);
      const provider = this.providers[type];
      if (!provider) throw new Error(`no ${type} metric provider is available to the local engine`);
      const { value, display } = await provider.measure(state.spec, controller.signal);
      const verdict = evaluateMeasurement(value, state.spec);
      measurement = { phase: verdict.phase, startedAt, finishedAt: this.now() };
      // As Argo's providers do, an Error measurement keeps its message and not its value.
      if (verdict.phase === "Error") measurement.message = verdict.message;
      else measurement.value = display;
    } catch (err) {
      measurement = {
        phase: "Error",
        message: err instanceof Error ? err.message : String(err),
        startedAt,
        finishedAt: this.now(),
      };
    } finally {
      if (state.inFlight === controller) state.inFlight = null;
    }
    return controller.signal.aborted ? null : measurement;
  }

  private record(state: MetricState, measurement: Measurement): void {
    const result = state.result;
    if (measurement.phase === "Error") {
      result.error++;
      result.consecutiveError++;
    } else {
      result.count++;
      result.consecutiveError = 0;
      if (measurement.phase === "Successful") result.successful++;
      else if (measurement.phase === "Failed") result.failed++;
      else result.inconclusive++;
    }
    result.measurements.push(measurement);
    if (result.measurements.length > this.retention)
      result.measurements.splice(0, result.measurements.length - this.retention);
  }

  /** Argo's assessRunStatus, repeated until it settles (a metric that fails makes the run terminate). */
  private assess(): void {
    if (this.completed) return;
    const failing = () => this.metrics.some((state) => endsRun(state.result.phase));
    let terminating = this.terminateRequested || failing();
    for (;;) {
      for (const { spec, result } of this.metrics) {
        const phase = assessMetric(spec, result, terminating);
        if (phase !== result.phase) {
          result.phase = phase;
          result.message = result.measurements.at(-1)?.message;
        }
      }
      if (terminating || !failing()) break;
      terminating = true;
    }
    const verdict = assessRun(this.metrics, terminating, this.terminateRequested);
    if (verdict) this.complete(verdict.phase, verdict.message);
  }

  private complete(phase: AnalysisPhase, message: string | undefined): void {
    this.runPhase = phase;
    this.runMessage = message;
    this.finishedAt = this.now();
    for (const state of this.metrics) {
      state.inFlight?.abort();
      state.inFlight = null;
    }
    this.resolveFinished(phase);
  }

  /**
   * Stops the run (Argo's `spec.terminate`): no more measurements; in-flight ones are dropped; metrics that
   * crossed no limit count as Successful, so a background analysis stopped at the end of a rollout ends
   * Successful. Does nothing to a completed run.
   */
  terminate(): void {
    if (this.completed) return;
    this.terminateRequested = true;
    this.assess();
    this.onChange?.(this);
  }

  status(): AnalysisRunStatus & { message?: string } {
    return {
      id: this.id,
      kind: this.kind,
      templates: [...this.templates],
      phase: this.runPhase,
      ...(this.runMessage === undefined ? {} : { message: this.runMessage }),
      metrics: this.metrics.map(({ result }) => ({
        ...result,
        measurements: result.measurements.map((m) => ({ ...m })),
      })),
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
    };
  }
}
