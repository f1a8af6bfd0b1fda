/**
 * One local rollout, end to end: the stable version's replicas, the new version's, the weighted proxies
 * on the service's port(s), analysis runs (Prometheus or Argo's web provider), and the state machine of
 * the Rollout's strategy, fed events (replicas ready, analysis finished, ticks, promote/abort/retry) and
 * obeyed (scale, weights, active/preview, analysis). It implements RolloutControl, so the control API and
 * the console drive it; `done` resolves with the summary when the rollout ends Healthy or Degraded.
 */
import { AnalysisRunner } from "./analysis-runner.ts";
import { type BlueGreenRolloutSpec, blueGreenController } from "./blue-green.ts";
import { type CanaryRolloutSpec, canaryController } from "./canary.ts";
import { type ControlAction, whyNot } from "./control/actions.ts";
import { ControlError, type RolloutControl } from "./control/api.ts";
import { type EngineRuntime, startRuntime } from "./engine-runtime.ts";
import { type RunSummary, StatusBook } from "./engine-status.ts";
import type { RolloutSource } from "./sources.ts";
import type {
  ControllerStatus,
  Role,
  RolloutAction,
  RolloutController,
  RolloutEvent,
  RolloutStatus,
} from "./types.ts";

export interface EngineOptions {
  source: RolloutSource;
  newVersion: string;
  /** Default: the manifest's image tag, else "stable". */
  stableVersion?: string;
  /** `--env K=V`: given to every replica (both versions). */
  env?: Record<string, string>;
  /** Per-version variables, e.g. a fault switch on the new version only. */
  newEnv?: Record<string, string>;
  timeScale: number;
  /** An external Prometheus; default: start Debian's when a template needs one. */
  prometheusUrl?: string;
  /** Proxy ports: canary `service`; blue-green `service` (active) and `preview`. 0 = any free port. */
  ports: { service?: number; preview?: number };
  runDir: string;
  dataDir: string;
  /** Demo traffic through the proxies (0 = none: bring your own). */
  traffic?: { rps: number; paths?: string[] };
  /** The Node entry the replicas run (default functions/start.ts via tsx). */
  entry?: string;
  /** Unattended runs: promote when the rollout waits for a person, and/or fully from a canary step on. */
  autoPromote?: { onPause?: boolean; fullAtStep?: number };
  /** Stay up after the end (for the console, and retry after an abort) until `stop()`. */
  keepRunning?: boolean;
  log: (line: string) => void;
  now?: () => number;
}

// biome-ignore lint/suspicious/noExplicitAny: the two machines' states differ; the engine never looks inside.
type AnyController = RolloutController<any>;

export class RolloutEngine implements RolloutControl {
  readonly #options: EngineOptions;
  readonly #now: () => number;
  readonly #book: StatusBook;
  readonly #controller: AnyController;
  #runtime!: EngineRuntime;
  #analysis!: AnalysisRunner;
  #state: unknown;
  #queue: RolloutEvent[] = [];
  #draining = false;
  #wake?: NodeJS.Timeout;
  #pulse?: NodeJS.Timeout;
  #awaitingReady: Record<Role, boolean> = { stable: false, new: false };
  #ended = false;
  #promotedFull = false;
  /** The pause last promoted by `autoPromote.onPause` (step and message), so each is promoted once. */
  #autoPromotedAt: string | undefined;
  #listeners = new Set<(status: RolloutStatus) => void>();
  #finish!: (summary: RunSummary) => void;
  readonly done: Promise<RunSummary>;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const { rollout } = options.source;
    const versions = {
      stable: options.stableVersion ?? rollout.imageTag ?? "stable",
      new: options.newVersion,
    };
    if (versions.stable === versions.new)
      throw new Error(`the new version must differ from the stable one ("${versions.new}")`);
    const timeScale = options.timeScale;
    this.#controller =
      rollout.strategy.kind === "canary"
        ? canaryController(rollout as CanaryRolloutSpec, { timeScale })
        : blueGreenController(rollout as BlueGreenRolloutSpec, { timeScale });
    this.#book = new StatusBook(rollout, versions, timeScale, this.#now);
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  get name(): string {
    return this.#options.source.rollout.name;
  }

  /** Starts the stable version (ready before anything else), the proxies and Prometheus, then the rollout. */
  async start(): Promise<void> {
    const { source } = this.#options;
    this.#runtime = await startRuntime({
      ...this.#options,
      versions: this.#book.versions,
      onReplicasChanged: (role) => this.#replicasChanged(role),
      log: (line) => this.#event(line),
    });
    this.#analysis = new AnalysisRunner({
      rollout: source.rollout,
      templates: source.templates,
      versions: this.#book.versions,
      providers: this.#runtime.providers,
      timeScale: this.#options.timeScale,
      now: this.#now,
      onFinished: (id, phase) => this.#enqueue({ type: "analysisFinished", id, phase }),
      onChange: () => this.#publish(),
    });
    this.#book.ports = this.#runtime.ports;
    this.#event(`stable ${this.#book.versions.stable} is ready; rolling out ${this.#book.versions.new}`);
    const { state, actions } = this.#controller.start(this.#now());
    this.#state = state;
    this.#apply(actions);
    this.#settle();
    // Charts move with traffic even when nothing else changes.
    this.#pulse = setInterval(() => this.#publish(), 1000);
    this.#pulse.unref();
  }

  // ---- RolloutControl ----

  list(): RolloutStatus[] {
    return [this.status()];
  }

  get(name: string): RolloutStatus | undefined {
    return name === this.name ? this.status() : undefined;
  }

  async promote(name: string, full: boolean): Promise<void> {
    this.#check(name, full ? "promoteFull" : "promote");
    this.#enqueue({ type: "promote", full });
  }

  async abort(name: string): Promise<void> {
    this.#check(name, "abort");
    this.#enqueue({ type: "abort" });
  }

  async retry(name: string): Promise<void> {
    this.#check(name, "retry");
    this.#enqueue({ type: "retry" });
  }

  subscribe(listener: (status: RolloutStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): RolloutStatus {
    return this.#book.status(
      this.#controller.status(this.#state),
      this.#analysis?.statuses() ?? [],
      this.#runtime?.traffic.snapshot() ?? [],
      this.#runtime?.replicaCounts() ?? [],
    );
  }

  /** Stops everything: analysis, proxies, replicas, Prometheus. */
  async stop(): Promise<void> {
    clearTimeout(this.#wake);
    clearInterval(this.#pulse);
    this.#analysis?.stopAll();
    await this.#runtime?.stop();
    if (!this.#ended) this.#end(this.#controller.status(this.#state).phase === "Healthy" ? 0 : 3);
  }

  // ---- the loop ----

  #check(name: string, action: ControlAction): void {
    if (name !== this.name) throw ControlError.notFound(name);
    const why = whyNot(action, this.status());
    if (why) throw ControlError.notApplicable(action, name, why);
  }

  #enqueue(event: RolloutEvent): void {
    this.#queue.push(event);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        if (next.type === "promote" || next.type === "abort" || next.type === "retry")
          this.#event(`${next.type}${next.type === "promote" && next.full ? " --full" : ""} requested`);
        if (next.type === "promote" && next.full) this.#book.promotedFully();
        const { state, actions } = this.#controller.on(this.#state, next, this.#now());
        this.#state = state;
        this.#apply(actions);
      }
    } finally {
      this.#draining = false;
    }
    this.#settle();
  }

  #apply(actions: RolloutAction[]): void {
    for (const action of actions) {
      this.#book.record(action);
      switch (action.type) {
        case "scale":
          if (action.replicas > 0) this.#awaitingReady[action.role] = true;
          this.#runtime.scale(action.role, action.replicas);
          break;
        case "setWeight":
          this.#runtime.setWeight(action.weight);
          break;
        case "setActive":
          this.#runtime.setActive(action.role);
          break;
        case "setPreview":
          this.#runtime.setPreview(action.role);
          break;
        case "startAnalysis":
          this.#analysis.start(action.request);
          break;
        case "stopAnalysis":
          this.#analysis.stop(action.id);
          break;
        case "promoted":
          break;
        case "event":
          this.#event(action.message);
          break;
      }
    }
  }

  #replicasChanged(role: Role): void {
    if (this.#awaitingReady[role] && this.#runtime.isReady(role)) {
      this.#awaitingReady[role] = false;
      queueMicrotask(() => this.#enqueue({ type: "replicasReady", role }));
    }
    this.#publish();
  }

  /** After a batch: the next tick, the status out, and the end once nothing is left to happen. */
  #settle(): void {
    clearTimeout(this.#wake);
    this.#book.observe(this.#controller.status(this.#state));
    const wakeAt = this.#controller.nextWakeAt(this.#state);
    if (wakeAt !== null)
      this.#wake = setTimeout(() => this.#enqueue({ type: "tick" }), Math.max(0, wakeAt - this.#now()));
    this.#publish();
    const controller = this.#controller.status(this.#state);
    const phase = controller.phase;
    const pending = wakeAt !== null || this.#awaitingReady.new || this.#awaitingReady.stable;
    this.#autoPromote(controller, pending);
    if (!pending && !this.#options.keepRunning && (phase === "Healthy" || phase === "Degraded"))
      this.#end(phase === "Healthy" ? 0 : 3);
  }

  /** Unattended runs (guides, CI): promote when the rollout waits for a person, or fully at a step. */
  #autoPromote(controller: ControllerStatus, pending: boolean): void {
    const auto = this.#options.autoPromote;
    if (!auto || controller.aborted || this.#ended) return;
    const { fullAtStep, onPause } = auto;
    if (
      fullAtStep !== undefined &&
      !this.#promotedFull &&
      (controller.currentStepIndex ?? -1) >= fullAtStep
    ) {
      this.#promotedFull = true;
      this.#event(`reached step ${fullAtStep}: promoting fully by itself (--promote-full-at-step)`);
      queueMicrotask(() => this.#enqueue({ type: "promote", full: true }));
      return;
    }
    // Paused with nothing scheduled: an indefinite pause, BlueGreenPause or an inconclusive analysis.
    const waiting = controller.phase === "Paused" && !pending;
    const key = `${controller.currentStepIndex}:${controller.message}`;
    if (onPause && waiting && this.#autoPromotedAt !== key) {
      this.#autoPromotedAt = key;
      this.#event("waiting for a promote: promoting by itself (--promote-on-pause)");
      queueMicrotask(() => this.#enqueue({ type: "promote", full: false }));
    }
  }

  #end(exitCode: 0 | 3): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#book.end();
    this.#publish();
    this.#finish(this.#book.summary(this.status(), exitCode));
  }

  #event(message: string): void {
    this.#book.event(message);
    this.#options.log(message);
  }

  #publish(): void {
    if (this.#listeners.size === 0) return;
    const status = this.status();
    for (const listener of this.#listeners) listener(status);
  }
}
