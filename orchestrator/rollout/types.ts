/**
 * The local rollout engine's vocabulary, shared by its parts (see orchestrator/rollout/README.md):
 *   spec.ts       Rollout and AnalysisTemplate manifests → the specs below (unsupported fields refused by name)
 *   canary.ts,    the rollout state machines: pure functions of (spec, state, event, now) → (state, actions)
 *   blue-green.ts
 *   analysis/     AnalysisRuns: measurements, conditions, limits; the prometheus and web providers
 *   runtime/      replicas as local processes, the weighted proxy, traffic statistics
 *   control/      the control API and the console page
 *   engine.ts     wires them: feeds events to a state machine and carries out its actions
 * Names follow Argo Rollouts (argoproj.io/v1alpha1): a reader of Argo's docs should recognise every field.
 */

// ---- Specs (what the manifests say, defaults applied, durations in seconds) ----

/** An argument passed to an analysis: a literal, or the pod template hash of the stable or new version. */
export interface AnalysisArgSpec {
  name: string;
  value?: string;
  /** Argo's `valueFrom.podTemplateHashValue`: Stable or Latest. */
  podTemplateHashValue?: "Stable" | "Latest";
}

/** A reference to one or more AnalysisTemplates with their arguments (a step, background, pre/post). */
export interface AnalysisRefSpec {
  templates: { templateName: string; clusterScope: boolean }[];
  args: AnalysisArgSpec[];
}

export type CanaryStepSpec =
  | { setWeight: number }
  /** `pause: {}` waits for a promote; `pause: {duration}` resumes by itself. */
  | { pause: { durationSeconds?: number } }
  | { analysis: AnalysisRefSpec };

export interface CanaryStrategySpec {
  kind: "canary";
  steps: CanaryStepSpec[];
  /** Background analysis (strategy.canary.analysis), started at `startingStep` (default 0). */
  analysis?: AnalysisRefSpec & { startingStep: number };
  canaryService?: string;
  stableService?: string;
  /** Only nginx (or none) is supported; anything else is refused when the manifest is read. */
  trafficRouting: { nginx: { stableIngress: string } } | null;
  /** Default 30; 0 means never (Argo). */
  abortScaleDownDelaySeconds: number;
  /** Default 30: how long the old stable keeps running after a promotion (traffic-routed canaries). */
  scaleDownDelaySeconds: number;
}

export interface BlueGreenStrategySpec {
  kind: "blueGreen";
  activeService: string;
  previewService?: string;
  /** Default true. */
  autoPromotionEnabled: boolean;
  autoPromotionSeconds?: number;
  /** Replicas of the new version before promotion; default: all of them. */
  previewReplicaCount?: number;
  /** Default 30: the old version keeps running this long after the switch (and a failed post-analysis). */
  scaleDownDelaySeconds: number;
  /** Default 30; 0 means never (Argo). */
  abortScaleDownDelaySeconds: number;
  prePromotionAnalysis?: AnalysisRefSpec;
  postPromotionAnalysis?: AnalysisRefSpec;
}

export interface RolloutSpec {
  name: string;
  namespace?: string;
  /** Which of our services the pod template runs (its container's SERVICE env, else the container name). */
  service: string;
  /** Default 1. */
  replicas: number;
  /** The image tag of the pod template: the version the manifest describes. */
  imageTag: string | null;
  /** The container port the service listens on. */
  port: number | null;
  strategy: CanaryStrategySpec | BlueGreenStrategySpec;
  source: { file: string; index?: number };
}

export type MetricProviderSpec =
  | { prometheus: { address: string; query: string } }
  | {
      web: {
        url: string;
        method: "GET" | "POST" | "PUT";
        headers: { key: string; value: string }[];
        body?: string;
        jsonPath: string;
        timeoutSeconds: number;
      };
    };

export interface MetricSpec {
  name: string;
  /** Seconds between measurements; absent: one measurement (unless `count` says more). */
  intervalSeconds?: number;
  initialDelaySeconds?: number;
  /** Measurements to take; absent with an interval: until the run is stopped (background analysis). */
  count?: number;
  successCondition?: string;
  failureCondition?: string;
  /** Defaults as Argo: failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4. */
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  provider: MetricProviderSpec;
}

export interface AnalysisTemplateSpec {
  name: string;
  clusterScope: boolean;
  args: { name: string; value?: string }[];
  metrics: MetricSpec[];
  source: { file: string; index?: number };
}

// ---- Analysis runs ----

export type MeasurementPhase = "Successful" | "Failed" | "Inconclusive" | "Error";
export type AnalysisPhase = "Pending" | "Running" | "Successful" | "Failed" | "Error" | "Inconclusive";

export interface Measurement {
  phase: MeasurementPhase;
  /** The provider's value as Argo shows it (e.g. "[0.99]"); absent on an error. */
  value?: string;
  message?: string;
  startedAt: number;
  finishedAt: number;
}

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  measurements: Measurement[];
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  message?: string;
}

export type AnalysisKind = "step" | "background" | "prePromotion" | "postPromotion";

/** What a state machine asks the engine to run. */
export interface AnalysisRequest {
  /** Unique within the rollout, e.g. "step-2", "background", "pre-promotion". */
  id: string;
  kind: AnalysisKind;
  ref: AnalysisRefSpec;
}

// ---- State machines ----

/** Argo's Rollout phases. */
export type RolloutPhase = "Progressing" | "Paused" | "Healthy" | "Degraded";

/** Which release a replica set, a weight or a service refers to. */
export type Role = "stable" | "new";

export type RolloutEvent =
  /** Time passed (the engine sends one at every `nextWakeAt` and after each action batch). */
  | { type: "tick" }
  /** All replicas of that role answer their readiness probe. */
  | { type: "replicasReady"; role: Role }
  | { type: "analysisFinished"; id: string; phase: Exclude<AnalysisPhase, "Pending" | "Running"> }
  /** `canary rollout promote [--full]`. */
  | { type: "promote"; full: boolean }
  | { type: "abort" }
  | { type: "retry" };

export type RolloutAction =
  /** Run that many replicas of the role (0 stops them). */
  | { type: "scale"; role: Role; replicas: number }
  /** Canary: the share of traffic (0–100) the proxy sends to the new version. */
  | { type: "setWeight"; weight: number }
  /** Blue-green: which role the active (and preview) port serves; preview null = nothing. */
  | { type: "setActive"; role: Role }
  | { type: "setPreview"; role: Role | null }
  | { type: "startAnalysis"; request: AnalysisRequest }
  /** Stop a run that is no longer needed (background analysis at the end; everything on abort). */
  | { type: "stopAnalysis"; id: string }
  /** The new version became the stable one: the engine swaps its roles (old stable = what "stable" was). */
  | { type: "promoted" }
  | { type: "event"; message: string };

/** Where a state machine stands, for status output and the console. */
export interface ControllerStatus {
  phase: RolloutPhase;
  message: string;
  /** Canary: the step being carried out (null once finished); blue-green: null. */
  currentStepIndex: number | null;
  /** Canary: the weight to the new version; blue-green: 0 or 100 (which role is active). */
  weight: number;
  aborted: boolean;
}

/**
 * A rollout state machine: pure and synchronous (no clocks, timers or I/O: `now` is passed in), so every
 * Argo rule is unit-tested as (state, event) → (state, actions).
 */
export interface RolloutController<S> {
  /** The first state and actions for a rollout from the stable version to a new one. */
  start(now: number): { state: S; actions: RolloutAction[] };
  on(state: S, event: RolloutEvent, now: number): { state: S; actions: RolloutAction[] };
  /** When the machine next needs a tick (end of a pause, a scale-down delay); null if it waits for events. */
  nextWakeAt(state: S): number | null;
  status(state: S): ControllerStatus;
}

// ---- What the engine reports (control API, console, --json) ----

export interface VersionTraffic {
  version: string;
  role: Role;
  /** Requests per second over the last 10 s, the share answered 5xx or not at all, and p95 latency. */
  rps: number;
  errorRate: number;
  p95Ms: number | null;
  /** Totals since the start. */
  requests: number;
  errors: number;
}

export interface AnalysisRunStatus {
  id: string;
  kind: AnalysisKind;
  templates: string[];
  phase: AnalysisPhase;
  metrics: MetricResult[];
  startedAt: number;
  finishedAt: number | null;
}

export interface RolloutStatus {
  name: string;
  /** The manifest's namespace, if it names one. */
  namespace?: string;
  service: string;
  strategy: "canary" | "blueGreen";
  phase: RolloutPhase;
  message: string;
  aborted: boolean;
  stableVersion: string;
  newVersion: string;
  /** Canary steps in words ("setWeight 10", "pause 2m", "analysis success-rate"), the current one marked. */
  steps: { index: number; description: string }[];
  currentStepIndex: number | null;
  /** Share of traffic to the new version (canary); blue-green: 100 once the new version is active. */
  weight: number;
  /** Where the proxies listen: canary `service`; blue-green `active` and `preview`; plus the control API. */
  ports: { service?: number; active?: number; preview?: number; control?: number };
  replicas: { role: Role; version: string; desired: number; ready: number }[];
  analysisRuns: AnalysisRunStatus[];
  traffic: VersionTraffic[];
  events: { at: number; message: string }[];
  timeScale: number;
  startedAt: number;
  endedAt: number | null;
}
