/**
 * Rollout manifests → RolloutSpec, with Argo's defaults (utils/defaults/defaults.go) and validation
 * (pkg/apis/rollouts/validation). Every field is either read, knowingly left aside because it cannot change
 * a local release (README.md lists them, with why), or refused with a RolloutSpecError naming it.
 */

import { parseAnalysisTemplate } from "./spec-analysis.ts";
import { type FieldRules, isMapping, RolloutSpecError, type SpecSource } from "./spec-fields.ts";
import { describeKubeObject, type KubeObjects, objectReader } from "./spec-objects.ts";
import { readPodTemplate, resolvePodTemplate } from "./spec-pod.ts";
import { readBlueGreen, readCanary, type SpecContext } from "./spec-strategy.ts";
import type { AnalysisTemplateSpec, RolloutSpec } from "./types.ts";

export { parseAnalysisTemplate } from "./spec-analysis.ts";
export { RolloutSpecError, type SpecSource } from "./spec-fields.ts";
export { SERVICES, type ServiceName } from "./spec-pod.ts";
export { analysisRefsOf, checkTemplateRefs, templatesOf } from "./spec-refs.ts";

/** Argo's default replica count (defaults.DefaultReplicas). */
export const DEFAULT_REPLICAS = 1;

export interface RolloutParseOptions {
  /**
   * The other manifests of the same sources: the workload a `workloadRef` names, the ConfigMaps a
   * container's SERVICE comes from, the Secrets of a template's `secretKeyRef`.
   */
  objects?: KubeObjects;
  /** The service to run when the pod template names none (an image that is not ours, e.g. Argo's demo). */
  fallbackService?: string;
}

const ROLLOUT_SPEC_FIELDS: FieldRules = {
  replicas: "read",
  template: "read",
  workloadRef: "read",
  strategy: "read",
  selector: { ignored: "selects a cluster's pods; the engine starts and tracks its own processes" },
  revisionHistoryLimit: { ignored: "how many old ReplicaSets a cluster keeps" },
  analysis: { ignored: "how many finished AnalysisRuns a cluster keeps" },
  rollbackWindow: {
    ignored:
      "fast-tracks a rollback to a recent revision; a local run always goes from stable to a new version",
  },
  minReadySeconds: {
    refused: "a replica counts as available as soon as it is ready",
    allowed: (value) => value === 0,
  },
  paused: {
    refused: "a Rollout paused from the start; use a pause step",
    allowed: (value) => value === false,
  },
  progressDeadlineSeconds: { refused: "no progress deadline: nothing turns a stuck update Degraded" },
  progressDeadlineAbort: { refused: "no progress deadline to abort on", allowed: (value) => value === false },
  restartAt: { refused: "restarting pods at a given time" },
};

/** A Rollout manifest (apiVersion argoproj.io/v1alpha1, kind Rollout) as the engine runs it. */
export function parseRollout(
  object: unknown,
  source: SpecSource,
  options: RolloutParseOptions = {},
): RolloutSpec {
  const { reader, manifest, name, namespace } = objectReader(object, source, ["Rollout"]);
  const objects = options.objects ?? [];
  const spec = reader.requiredMapping(manifest.spec, "spec");
  reader.checkFields(spec, "spec", ROLLOUT_SPEC_FIELDS);
  const replicas = reader.integer(spec.replicas, "spec.replicas", { min: 0 }) ?? DEFAULT_REPLICAS;
  if (replicas === 0)
    throw reader.unsupported("spec.replicas", "0 replicas leave nothing to send traffic to");
  const { template, path } = resolvePodTemplate(reader, spec, namespace, objects);
  const pod = readPodTemplate(reader, template, path, {
    namespace,
    objects,
    fallbackService: options.fallbackService,
  });
  const strategyNode = reader.requiredMapping(spec.strategy, "spec.strategy");
  reader.checkFields(strategyNode, "spec.strategy", { canary: "read", blueGreen: "read" });
  const canary = reader.mapping(strategyNode.canary, "spec.strategy.canary");
  const blueGreen = reader.mapping(strategyNode.blueGreen, "spec.strategy.blueGreen");
  if (!canary === !blueGreen)
    throw reader.error("spec.strategy", "needs exactly one of canary and blueGreen");
  const context: SpecContext = { reader, rollout: manifest };
  const strategy = canary ? readCanary(context, canary) : readBlueGreen(context, blueGreen ?? {});
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    service: pod.service,
    replicas,
    imageTag: pod.imageTag,
    port: pod.port,
    strategy,
    source: { ...source },
  };
}

export interface RefusedObject {
  file: string;
  index: number;
  kind: string;
  name: string;
  /** The field and why, without the location (`spec.strategy.canary.steps[1].experiment is not supported …`). */
  reason: string;
  error: RolloutSpecError;
}

const PARSED_KINDS = new Set(["Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate"]);

/** Argo kinds the engine has no counterpart for (other argoproj.io kinds are refused by their kind). */
const OTHER_ARGO_KINDS: Record<string, string> = {
  Experiment: "an Experiment runs extra ReplicaSets side by side and needs Kubernetes",
  AnalysisRun: "the engine creates AnalysisRuns from a Rollout's templates",
};

/**
 * The Rollouts and analysis templates among already-loaded manifests (delivery/manifests.ts, or a kustomize
 * build). Other objects (Services, ConfigMaps, Secrets, Deployments) are only read for what those refer
 * to. An object that cannot run locally is listed in `refused` with the field and the reason.
 */
export function loadRolloutSources(
  documents: readonly { file: string; index: number; object: unknown }[],
  options: Pick<RolloutParseOptions, "fallbackService"> = {},
): { rollouts: RolloutSpec[]; templates: AnalysisTemplateSpec[]; refused: RefusedObject[] } {
  const objects = documents.map((d) => d.object).filter(isMapping);
  const rollouts: RolloutSpec[] = [];
  const templates: AnalysisTemplateSpec[] = [];
  const refused: RefusedObject[] = [];
  const seen = new Map<string, string>();
  for (const { file, index, object } of documents) {
    if (!isMapping(object) || typeof object.apiVersion !== "string") continue;
    if (!object.apiVersion.startsWith("argoproj.io/")) continue;
    const kind = typeof object.kind === "string" ? object.kind : "?";
    const source = { file, index };
    try {
      if (!PARSED_KINDS.has(kind)) {
        const why =
          OTHER_ARGO_KINDS[kind] ?? `${kind}: the engine runs Rollouts and their analysis templates`;
        throw new RolloutSpecError(
          source,
          describeKubeObject(object),
          "kind",
          `is not supported by the local engine (${why})`,
        );
      }
      const parsed =
        kind === "Rollout"
          ? parseRollout(object, source, { ...options, objects })
          : parseAnalysisTemplate(object, source, objects);
      const key = `${kind}/${namespaceOf(object)}/${parsed.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new RolloutSpecError(source, describeKubeObject(object), "metadata.name", `repeats ${first}`);
      }
      seen.set(key, `${describeKubeObject(object)} of ${file} #${index}`);
      if ("strategy" in parsed) rollouts.push(parsed);
      else templates.push(parsed);
    } catch (error) {
      if (!(error instanceof RolloutSpecError)) throw error;
      const name = describeKubeObject(object).split("/")[1] ?? "?";
      const reason = error.path ? `${error.path} ${error.reason}` : error.reason;
      refused.push({ file, index, kind, name, reason, error });
    }
  }
  return { rollouts, templates, refused };
}

const namespaceOf = (object: Record<string, unknown>): string => {
  const namespace = isMapping(object.metadata) ? object.metadata.namespace : undefined;
  return typeof namespace === "string" ? namespace : "";
};
