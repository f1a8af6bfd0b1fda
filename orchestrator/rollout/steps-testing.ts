/**
 * Test support for the state machines (used by their tests only): walks a controller through a table of
 * (event, time) rows and reports each row's outcome in a compact form ("scale new 1", "weight 10",
 * "start step-2"), so a test is a table of (event, time) → (actions, phase, message, step, weight, wake-up)
 * read top to bottom; plus specs built as plain objects, as spec.ts would produce them.
 */
import type { BlueGreenRolloutSpec } from "./blue-green.ts";
import type { CanaryRolloutSpec } from "./canary.ts";
import type {
  AnalysisRefSpec,
  BlueGreenStrategySpec,
  CanaryStepSpec,
  CanaryStrategySpec,
  RolloutAction,
  RolloutController,
  RolloutEvent,
  RolloutPhase,
} from "./types.ts";

export interface Outcome {
  /** Actions other than events, in order, e.g. "scale new 1", "weight 10", "start step-2", "promoted". */
  ops: string[];
  /** The `event` actions' messages. */
  events: string[];
  phase: RolloutPhase;
  message: string;
  step: number | null;
  weight: number;
  aborted: boolean;
  wake: number | null;
}

export type WalkRow = [event: RolloutEvent | "start", at: number, expected: Partial<Outcome>];

export function describeAction(action: RolloutAction): string | null {
  switch (action.type) {
    case "scale":
      return `scale ${action.role} ${action.replicas}`;
    case "setWeight":
      return `weight ${action.weight}`;
    case "setActive":
      return `active ${action.role}`;
    case "setPreview":
      return `preview ${action.role ?? "none"}`;
    case "startAnalysis":
      return `start ${action.request.id}`;
    case "stopAnalysis":
      return `stop ${action.id}`;
    case "promoted":
      return "promoted";
    case "event":
      return null;
  }
}

export function outcome<S>(controller: RolloutController<S>, state: S, actions: RolloutAction[]): Outcome {
  const status = controller.status(state);
  return {
    ops: actions.map(describeAction).filter((op) => op !== null),
    events: actions.flatMap((action) => (action.type === "event" ? [action.message] : [])),
    phase: status.phase,
    message: status.message,
    step: status.currentStepIndex,
    weight: status.weight,
    aborted: status.aborted,
    wake: controller.nextWakeAt(state),
  };
}

/**
 * Runs the rows ("start" first, or `from` a state) and returns, per row, only the fields the row expects,
 * beside the expectations: compare `actual` with `expected` in one assertion to see the whole table's diff.
 */
export function walk<S>(
  controller: RolloutController<S>,
  rows: WalkRow[],
  from?: S,
): { actual: Partial<Outcome>[]; expected: Partial<Outcome>[]; state: S; outcomes: Outcome[] } {
  let state = from;
  const outcomes: Outcome[] = [];
  for (const [event, at] of rows) {
    if (event !== "start" && state === undefined) throw new Error("walk: the first row must be start");
    const next = event === "start" ? controller.start(at) : controller.on(state as S, event, at);
    state = next.state;
    outcomes.push(outcome(controller, next.state, next.actions));
  }
  const actual = outcomes.map((got, i) => {
    const keys = Object.keys(rows[i]![2]) as (keyof Outcome)[];
    return Object.fromEntries(keys.map((key) => [key, got[key]])) as Partial<Outcome>;
  });
  return { actual, expected: rows.map((row) => row[2]), state: state as S, outcomes };
}

// Event shorthands for the tables.
export const tick: RolloutEvent = { type: "tick" };
export const newReady: RolloutEvent = { type: "replicasReady", role: "new" };
export const stableReady: RolloutEvent = { type: "replicasReady", role: "stable" };
export const promote: RolloutEvent = { type: "promote", full: false };
export const promoteFull: RolloutEvent = { type: "promote", full: true };
export const abort: RolloutEvent = { type: "abort" };
export const retry: RolloutEvent = { type: "retry" };
export function finished(
  id: string,
  phase: "Successful" | "Failed" | "Error" | "Inconclusive",
): RolloutEvent {
  return { type: "analysisFinished", id, phase };
}

export const checks: AnalysisRefSpec = {
  templates: [
    { templateName: "success-rate", clusterScope: false },
    { templateName: "error-rate", clusterScope: false },
  ],
  args: [{ name: "pod-hash", podTemplateHashValue: "Latest" }],
};

/** The issue's plan (k8s/canary/strategy.yaml): each weight, then a 2 minute pause, then an analysis. */
export const issueSteps: CanaryStepSpec[] = [10, 25, 50, 75].flatMap((weight) => [
  { setWeight: weight },
  { pause: { durationSeconds: 120 } },
  { analysis: checks },
]);

const template = { name: "tinyurl", service: "tinyurl", imageTag: "0.2.0", port: 5000 };

/** The repo's canary (nginx traffic routing, the issue's steps) with `strategy` overriding fields. */
export function canarySpec(strategy: Partial<CanaryStrategySpec> = {}, replicas = 4): CanaryRolloutSpec {
  return {
    ...template,
    replicas,
    source: { file: "k8s/canary/strategy.yaml" },
    strategy: {
      kind: "canary",
      steps: issueSteps,
      canaryService: "tinyurl-canary",
      stableService: "tinyurl",
      trafficRouting: { nginx: { stableIngress: "tinyurl" } },
      abortScaleDownDelaySeconds: 30,
      scaleDownDelaySeconds: 30,
      ...strategy,
    },
  };
}

/** The repo's blue-green (k8s/blue-green/strategy.yaml) with `strategy` overriding fields. */
export function blueGreenSpec(
  strategy: Partial<BlueGreenStrategySpec> = {},
  replicas = 3,
): BlueGreenRolloutSpec {
  return {
    ...template,
    replicas,
    source: { file: "k8s/blue-green/strategy.yaml" },
    strategy: {
      kind: "blueGreen",
      activeService: "tinyurl",
      previewService: "tinyurl-preview",
      autoPromotionEnabled: false,
      previewReplicaCount: 1,
      scaleDownDelaySeconds: 600,
      abortScaleDownDelaySeconds: 30,
      prePromotionAnalysis: checks,
      postPromotionAnalysis: checks,
      ...strategy,
    },
  };
}
