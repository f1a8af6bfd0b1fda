/**
 * spec.strategy.canary and spec.strategy.blueGreen → their specs, with Argo's defaults: the scale-down
 * delays are 30 s where Argo applies them (blue-green, and canaries with trafficRouting) and 0 on a basic
 * canary, where Argo scales replicas with the weight instead (defaults.GetScaleDownDelaySecondsOrDefault,
 * GetAbortScaleDownDelaySecondsOrDefault).
 */

import type { FieldRules, Mapping, SpecReader } from "./spec-fields.ts";
import { isEmptyValue } from "./spec-fields.ts";
import { readAnalysisRef } from "./spec-refs.ts";
import type { BlueGreenStrategySpec, CanaryStepSpec, CanaryStrategySpec } from "./types.ts";

export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_AUTO_PROMOTION_ENABLED = true;

export interface SpecContext {
  reader: SpecReader;
  /** The whole Rollout: analysis arguments' fieldRefs read it. */
  rollout: Mapping;
}

const PODS_ONLY = "labels and annotations on pods; local replicas are processes";
const ONE_MACHINE = "spreads pods across nodes; the engine runs on one machine";

const CANARY_FIELDS: FieldRules = {
  canaryService: "read",
  stableService: "read",
  steps: "read",
  trafficRouting: "read",
  analysis: "read",
  scaleDownDelaySeconds: "read",
  scaleDownDelayRevisionLimit: "read",
  abortScaleDownDelaySeconds: "read",
  maxSurge: "read",
  maxUnavailable: "read",
  antiAffinity: { ignored: ONE_MACHINE },
  canaryMetadata: { ignored: PODS_ONLY },
  stableMetadata: { ignored: PODS_ONLY },
  dynamicStableScale: {
    refused: "scaling stable down as traffic moves; the stable replicas stay at full count",
    allowed: (value) => value === false,
  },
  pingPong: { refused: "ping-pong services (an ALB and Istio feature)" },
  minPodsPerReplicaSet: {
    refused: "a minimum count of pods per ReplicaSet above 1",
    allowed: (value) => value === 1 || value === 0,
  },
  replicaProgressThreshold: { refused: "promoting before every replica is available" },
};

const IN_CLUSTER_ROUTER =
  "routes traffic inside a cluster; locally the engine's proxy splits it by weight, like nginx";
const TRAFFIC_ROUTING_FIELDS: FieldRules = {
  nginx: "read",
  istio: { refused: `Istio ${IN_CLUSTER_ROUTER}` },
  alb: { refused: `AWS ALB ${IN_CLUSTER_ROUTER}` },
  smi: { refused: `SMI ${IN_CLUSTER_ROUTER}` },
  ambassador: { refused: `Ambassador ${IN_CLUSTER_ROUTER}` },
  appMesh: { refused: `AWS App Mesh ${IN_CLUSTER_ROUTER}` },
  traefik: { refused: `Traefik ${IN_CLUSTER_ROUTER}` },
  apisix: { refused: `APISIX ${IN_CLUSTER_ROUTER}` },
  plugins: { refused: `a traffic router plugin ${IN_CLUSTER_ROUTER}` },
  managedRoutes: { refused: "header and mirror routes", allowed: isEmptyValue },
  maxTrafficWeight: { refused: "weights out of a total other than 100", allowed: (value) => value === 100 },
};

const EXTRA_NGINX_ROUTES = {
  refused:
    "extra nginx canary annotations (by header, by cookie) route requests the weighted proxy would not",
  allowed: isEmptyValue,
};
const NGINX_FIELDS: FieldRules = {
  stableIngress: "read",
  stableIngresses: "read",
  annotationPrefix: { ignored: "names nginx's annotations; there is no Ingress locally" },
  additionalIngressAnnotations: EXTRA_NGINX_ROUTES,
  canaryIngressAnnotations: EXTRA_NGINX_ROUTES,
};

const STEP_FIELDS: FieldRules = {
  setWeight: "read",
  pause: "read",
  analysis: "read",
  experiment: { refused: "experiments run extra ReplicaSets side by side and need Kubernetes" },
  setCanaryScale: { refused: "scaling the canary apart from its weight" },
  setHeaderRoute: { refused: "header-based routes need a traffic router such as Istio" },
  setMirrorRoute: { refused: "mirroring traffic needs a traffic router such as Istio" },
  plugin: { refused: "step plugins are binaries loaded by Argo's controller" },
};

export function readCanary({ reader, rollout }: SpecContext, canary: Mapping): CanaryStrategySpec {
  const path = "spec.strategy.canary";
  reader.checkFields(canary, path, CANARY_FIELDS);
  // maxSurge/maxUnavailable pace a replica-by-replica update. Locally the new replicas start beside all the
  // stable ones and the proxy, not the replica count, decides the split: nothing is ever unavailable, so
  // they are checked for Argo's form and have nothing to limit.
  const surge = intOrPercent(reader, canary.maxSurge, `${path}.maxSurge`);
  const unavailable = intOrPercent(reader, canary.maxUnavailable, `${path}.maxUnavailable`);
  if (surge === 0 && unavailable === 0)
    throw reader.error(`${path}.maxSurge`, "and maxUnavailable cannot both be 0");
  const steps = reader
    .list(canary.steps, `${path}.steps`)
    .map((step, i) => readStep(reader, step, `${path}.steps[${i}]`, rollout));
  const trafficRouting = readTrafficRouting(reader, canary.trafficRouting, `${path}.trafficRouting`);
  const canaryService = reader.string(canary.canaryService, `${path}.canaryService`) || undefined;
  const stableService = reader.string(canary.stableService, `${path}.stableService`) || undefined;
  if (canaryService !== undefined && canaryService === stableService) {
    throw reader.error(`${path}.stableService`, "must differ from canaryService");
  }
  if (trafficRouting && (!canaryService || !stableService)) {
    throw reader.error(
      stableService ? `${path}.canaryService` : `${path}.stableService`,
      "is required with trafficRouting",
    );
  }
  const spec: CanaryStrategySpec = {
    kind: "canary",
    steps,
    trafficRouting,
    ...scaleDownDelays(reader, canary, path, trafficRouting !== null),
  };
  if (canaryService) spec.canaryService = canaryService;
  if (stableService) spec.stableService = stableService;
  if (canary.analysis !== undefined && canary.analysis !== null) {
    const at = `${path}.analysis`;
    const ref = readAnalysisRef(reader, canary.analysis, at, rollout, { startingStep: "read" });
    const startingStep =
      reader.integer((canary.analysis as Mapping).startingStep, `${at}.startingStep`, { min: 0 }) ?? 0;
    spec.analysis = { ...ref, startingStep };
  }
  return spec;
}

function readStep(reader: SpecReader, node: unknown, path: string, rollout: Mapping): CanaryStepSpec {
  const step = reader.requiredMapping(node, path);
  reader.checkFields(step, path, STEP_FIELDS);
  const kinds = Object.keys(step).filter((key) => step[key] !== undefined && step[key] !== null);
  if (kinds.length !== 1) {
    throw reader.error(
      path,
      kinds.length === 0
        ? "must be setWeight, pause or analysis"
        : `sets several steps at once (${kinds.join(", ")})`,
    );
  }
  if (step.setWeight !== undefined) {
    return { setWeight: reader.integer(step.setWeight, `${path}.setWeight`, { min: 0, max: 100 }) ?? 0 };
  }
  if (step.pause !== undefined) {
    const pause = reader.requiredMapping(step.pause, `${path}.pause`);
    reader.checkFields(pause, `${path}.pause`, { duration: "read" });
    if (pause.duration === undefined || pause.duration === null) return { pause: {} };
    return { pause: { durationSeconds: reader.secondsOrDuration(pause.duration, `${path}.pause.duration`) } };
  }
  return { analysis: readAnalysisRef(reader, step.analysis, `${path}.analysis`, rollout) };
}

function readTrafficRouting(
  reader: SpecReader,
  node: unknown,
  path: string,
): CanaryStrategySpec["trafficRouting"] {
  const routing = reader.mapping(node, path);
  if (!routing) return null;
  reader.checkFields(routing, path, TRAFFIC_ROUTING_FIELDS);
  const nginx = reader.mapping(routing.nginx, `${path}.nginx`);
  if (!nginx) throw reader.error(path, "names no traffic router (the local engine follows nginx)");
  reader.checkFields(nginx, `${path}.nginx`, NGINX_FIELDS);
  const ingresses = reader.list(nginx.stableIngresses, `${path}.nginx.stableIngresses`);
  // Several stable Ingresses all get the same weight; the one local proxy stands in for each of them.
  const stableIngress =
    reader.string(nginx.stableIngress, `${path}.nginx.stableIngress`) ||
    reader.string(ingresses[0], `${path}.nginx.stableIngresses[0]`);
  if (!stableIngress) throw reader.error(`${path}.nginx.stableIngress`, "is required");
  return { nginx: { stableIngress } };
}

/** Argo's IntOrString replica counts: a whole number or a percentage such as "25%". */
function intOrPercent(reader: SpecReader, value: unknown, path: string): number | undefined {
  if (typeof value === "string" && /^\d+%$/.test(value)) return Number.parseInt(value, 10);
  return reader.integer(value, path, { min: 0, intOrString: true });
}

/** scaleDownDelaySeconds and abortScaleDownDelaySeconds with Argo's defaults for the strategy at hand. */
function scaleDownDelays(
  reader: SpecReader,
  strategy: Mapping,
  path: string,
  delayed: boolean,
): { scaleDownDelaySeconds: number; abortScaleDownDelaySeconds: number } {
  const delay = reader.integer(strategy.scaleDownDelaySeconds, `${path}.scaleDownDelaySeconds`, { min: 0 });
  const abortDelay = reader.integer(
    strategy.abortScaleDownDelaySeconds,
    `${path}.abortScaleDownDelaySeconds`,
    { min: 0 },
  );
  const revisionLimit = reader.integer(
    strategy.scaleDownDelayRevisionLimit,
    `${path}.scaleDownDelayRevisionLimit`,
    { min: 0 },
  );
  if (!delayed) {
    // A basic canary: Argo refuses scaleDownDelaySeconds and ignores the abort delay (replicas follow the weight).
    if (delay !== undefined)
      throw reader.error(
        `${path}.scaleDownDelaySeconds`,
        "can only be used with trafficRouting (as in Argo)",
      );
    return { scaleDownDelaySeconds: 0, abortScaleDownDelaySeconds: 0 };
  }
  return {
    // A revision limit of 0 keeps no old version during the delay: Argo scales it down at once.
    scaleDownDelaySeconds: revisionLimit === 0 ? 0 : (delay ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS),
    // 0 is Argo's "never": the aborted version keeps running (canary.ts and blue-green.ts read it so).
    abortScaleDownDelaySeconds: abortDelay ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  };
}

const BLUE_GREEN_FIELDS: FieldRules = {
  activeService: "read",
  previewService: "read",
  previewReplicaCount: "read",
  autoPromotionEnabled: "read",
  autoPromotionSeconds: "read",
  scaleDownDelaySeconds: "read",
  scaleDownDelayRevisionLimit: "read",
  abortScaleDownDelaySeconds: "read",
  prePromotionAnalysis: "read",
  postPromotionAnalysis: "read",
  maxUnavailable: {
    ignored: "limits unavailable pods while a cluster restarts them; the engine restarts none",
  },
  antiAffinity: { ignored: ONE_MACHINE },
  previewMetadata: { ignored: PODS_ONLY },
  activeMetadata: { ignored: PODS_ONLY },
};

export function readBlueGreen({ reader, rollout }: SpecContext, blueGreen: Mapping): BlueGreenStrategySpec {
  const path = "spec.strategy.blueGreen";
  reader.checkFields(blueGreen, path, BLUE_GREEN_FIELDS);
  const activeService = reader.requiredString(blueGreen.activeService, `${path}.activeService`);
  const previewService = reader.string(blueGreen.previewService, `${path}.previewService`) || undefined;
  if (previewService === activeService)
    throw reader.error(`${path}.previewService`, "must differ from activeService");
  const autoPromotionEnabled =
    reader.boolean(blueGreen.autoPromotionEnabled, `${path}.autoPromotionEnabled`) ??
    DEFAULT_AUTO_PROMOTION_ENABLED;
  const autoPromotionSeconds = reader.integer(
    blueGreen.autoPromotionSeconds,
    `${path}.autoPromotionSeconds`,
    { min: 0 },
  );
  const previewReplicaCount = reader.integer(blueGreen.previewReplicaCount, `${path}.previewReplicaCount`, {
    min: 0,
  });
  if (previewReplicaCount === 0) {
    throw reader.unsupported(
      `${path}.previewReplicaCount`,
      "0 preview replicas leave the preview port nothing to serve",
    );
  }
  const spec: BlueGreenStrategySpec = {
    kind: "blueGreen",
    activeService,
    autoPromotionEnabled,
    ...scaleDownDelays(reader, blueGreen, path, true),
  };
  if (previewService) spec.previewService = previewService;
  // Argo ignores autoPromotionSeconds when autoPromotionEnabled is false, and 0 means "at once".
  if (autoPromotionEnabled && autoPromotionSeconds) spec.autoPromotionSeconds = autoPromotionSeconds;
  if (previewReplicaCount !== undefined) spec.previewReplicaCount = previewReplicaCount;
  for (const key of ["prePromotionAnalysis", "postPromotionAnalysis"] as const) {
    if (blueGreen[key] !== undefined && blueGreen[key] !== null) {
      spec[key] = readAnalysisRef(reader, blueGreen[key], `${path}.${key}`, rollout);
    }
  }
  return spec;
}
