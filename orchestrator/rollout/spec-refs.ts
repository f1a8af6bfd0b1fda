/**
 * The analyses a Rollout starts (steps, background, pre- and post-promotion): which templates, with which
 * arguments. `valueFrom.fieldRef` is resolved here against the Rollout itself, as Argo resolves it
 * (utils/analysis/factory.go); `podTemplateHashValue` stays symbolic for the engine. checkTemplateRefs then
 * checks what Argo checks when it creates the AnalysisRun: the templates exist, their metric names do not
 * collide, every argument without a value gets one, and (stricter than Argo) every argument passed is declared.
 */

import {
  type FieldRule,
  type FieldRules,
  isEmptyValue,
  isMapping,
  type Mapping,
  RolloutSpecError,
  type SpecReader,
} from "./spec-fields.ts";
import type { AnalysisArgSpec, AnalysisRefSpec, AnalysisTemplateSpec, RolloutSpec } from "./types.ts";

export const DRY_RUN: FieldRule = {
  refused: "dry-run metrics never fail the run; every metric here decides the rollout",
  allowed: isEmptyValue,
};
export const MEASUREMENT_RETENTION: FieldRule = {
  ignored: "only trims the measurements kept in an AnalysisRun's status; the counts that decide stay",
};

const REF_FIELDS: FieldRules = {
  templates: "read",
  args: "read",
  dryRun: DRY_RUN,
  measurementRetention: MEASUREMENT_RETENTION,
  analysisRunMetadata: { ignored: "labels and annotations of AnalysisRun objects" },
};

/** `strategy.canary.analysis`, a step's `analysis`, or blue-green's pre/post-promotion analysis. */
export function readAnalysisRef(
  reader: SpecReader,
  node: unknown,
  path: string,
  rollout: Mapping,
  extraFields: FieldRules = {},
): AnalysisRefSpec {
  const ref = reader.requiredMapping(node, path);
  reader.checkFields(ref, path, { ...REF_FIELDS, ...extraFields });
  const templateNodes = reader.list(ref.templates, `${path}.templates`);
  if (templateNodes.length === 0) throw reader.error(`${path}.templates`, "needs at least one template");
  const templates = templateNodes.map((templateNode, i) => {
    const at = `${path}.templates[${i}]`;
    const template = reader.requiredMapping(templateNode, at);
    reader.checkFields(template, at, { templateName: "read", clusterScope: "read" });
    return {
      templateName: reader.requiredString(template.templateName, `${at}.templateName`),
      clusterScope: reader.boolean(template.clusterScope, `${at}.clusterScope`) ?? false,
    };
  });
  const args = reader
    .list(ref.args, `${path}.args`)
    .map((arg, i) => readRolloutArg(reader, arg, `${path}.args[${i}]`, rollout));
  return { templates, args };
}

function readRolloutArg(reader: SpecReader, node: unknown, path: string, rollout: Mapping): AnalysisArgSpec {
  const arg = reader.requiredMapping(node, path);
  reader.checkFields(arg, path, { name: "read", value: "read", valueFrom: "read" });
  const name = reader.requiredString(arg.name, `${path}.name`);
  const from = reader.mapping(arg.valueFrom, `${path}.valueFrom`);
  // As Argo builds the run's arguments: a missing value is the empty string.
  if (!from) return { name, value: reader.string(arg.value, `${path}.value`) ?? "" };
  reader.checkFields(from, `${path}.valueFrom`, { podTemplateHashValue: "read", fieldRef: "read" });
  if (from.podTemplateHashValue !== undefined) {
    const which = from.podTemplateHashValue;
    if (which !== "Stable" && which !== "Latest") {
      throw reader.error(
        `${path}.valueFrom.podTemplateHashValue`,
        `must be Stable or Latest, not ${String(which)}`,
      );
    }
    return { name, podTemplateHashValue: which };
  }
  const fieldRef = reader.requiredMapping(from.fieldRef, `${path}.valueFrom.fieldRef`);
  reader.checkFields(fieldRef, `${path}.valueFrom.fieldRef`, { fieldPath: "read" });
  const fieldPath = reader.requiredString(fieldRef.fieldPath, `${path}.valueFrom.fieldRef.fieldPath`);
  const value = resolveFieldPath(rollout, fieldPath);
  if (value === undefined) {
    throw reader.error(
      `${path}.valueFrom.fieldRef.fieldPath`,
      `(${fieldPath}) names nothing the local engine can read: metadata.name, metadata.namespace, ` +
        "metadata.labels['…'], metadata.annotations['…'], or a path to a value under spec",
    );
  }
  return { name, value };
}

const METADATA_KEY = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/**
 * A fieldRef's value on the Rollout. metadata paths as Kubernetes' downward API reads them (a missing label
 * is ""); other paths walk the object like Argo's extractValueFromRollout and must end on a scalar.
 */
export function resolveFieldPath(rollout: Mapping, fieldPath: string): string | undefined {
  const metadata = isMapping(rollout.metadata) ? rollout.metadata : {};
  if (fieldPath === "metadata.name" || fieldPath === "metadata.namespace") {
    const value = metadata[fieldPath.slice("metadata.".length)];
    return typeof value === "string" ? value : "";
  }
  const keyed = METADATA_KEY.exec(fieldPath);
  if (keyed) {
    const [, map = "", key = ""] = keyed;
    const entries = metadata[map];
    const value = isMapping(entries) ? entries[key] : undefined;
    return typeof value === "string" ? value : "";
  }
  if (fieldPath.startsWith("metadata")) return undefined;
  let current: unknown = rollout;
  for (const section of fieldPath.split(/[.[\]]+/).filter(Boolean)) {
    if (Array.isArray(current)) current = /^\d+$/.test(section) ? current[Number(section)] : undefined;
    else if (isMapping(current)) current = current[section];
    else return undefined;
  }
  if (current === undefined || current === null || typeof current === "object") return undefined;
  return String(current);
}

/** Every analysis a Rollout starts, with the field that declares it. */
export function analysisRefsOf(rollout: RolloutSpec): { path: string; ref: AnalysisRefSpec }[] {
  const found: { path: string; ref: AnalysisRefSpec }[] = [];
  const { strategy } = rollout;
  if (strategy.kind === "canary") {
    if (strategy.analysis) found.push({ path: "spec.strategy.canary.analysis", ref: strategy.analysis });
    strategy.steps.forEach((step, i) => {
      if ("analysis" in step)
        found.push({ path: `spec.strategy.canary.steps[${i}].analysis`, ref: step.analysis });
    });
  } else {
    const { prePromotionAnalysis: pre, postPromotionAnalysis: post } = strategy;
    if (pre) found.push({ path: "spec.strategy.blueGreen.prePromotionAnalysis", ref: pre });
    if (post) found.push({ path: "spec.strategy.blueGreen.postPromotionAnalysis", ref: post });
  }
  return found;
}

/** The templates an analysis names, in order; throws when one is missing. */
export function templatesOf(
  rollout: RolloutSpec,
  ref: AnalysisRefSpec,
  templates: readonly AnalysisTemplateSpec[],
  path = "spec.strategy",
): AnalysisTemplateSpec[] {
  return ref.templates.map(({ templateName, clusterScope }, i) => {
    const found = templates.find((t) => t.name === templateName && t.clusterScope === clusterScope);
    if (!found) {
      const kind = clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
      throw refError(
        rollout,
        `${path}.templates[${i}]`,
        `names ${kind} ${templateName}, which was not loaded`,
      );
    }
    return found;
  });
}

/**
 * Checks every analysis of a Rollout against the loaded templates as Argo does when it creates the run
 * (utils/analysis/helpers.go flattenArgs, flattenMetrics, MergeArgs); throws the first problem.
 */
export function checkTemplateRefs(rollout: RolloutSpec, templates: readonly AnalysisTemplateSpec[]): void {
  for (const { path, ref } of analysisRefsOf(rollout)) {
    const used = templatesOf(rollout, ref, templates, path);
    const metricOwner = new Map<string, string>();
    const declared = new Map<string, string | undefined>();
    for (const template of used) {
      for (const metric of template.metrics) {
        const owner = metricOwner.get(metric.name);
        if (owner !== undefined) {
          throw refError(
            rollout,
            path,
            `runs two metrics named "${metric.name}" (${owner}, ${template.name})`,
          );
        }
        metricOwner.set(metric.name, template.name);
      }
      for (const arg of template.args) {
        const previous = declared.get(arg.name);
        if (previous !== undefined && arg.value !== undefined && previous !== arg.value) {
          throw refError(rollout, path, `gets argument ${arg.name} with two values from its templates`);
        }
        if (previous === undefined) declared.set(arg.name, arg.value);
      }
    }
    for (const [name, value] of declared) {
      if (value === undefined && !ref.args.some((arg) => arg.name === name)) {
        const owners = used.filter((t) => t.args.some((a) => a.name === name)).map((t) => t.name);
        throw refError(
          rollout,
          `${path}.args`,
          `must give argument ${name} (declared by ${owners.join(", ")})`,
        );
      }
    }
    // Argo ignores an argument no template declares; here it is refused, as the AnalysisRun
    // (analysis/templates.ts) and delivery's cross-reference checks refuse it: it is a typo or a stale name.
    ref.args.forEach((arg, i) => {
      if (!declared.has(arg.name)) {
        throw refError(
          rollout,
          `${path}.args[${i}]`,
          `gives argument ${arg.name}, which no template declares`,
        );
      }
    });
  }
}

function refError(rollout: RolloutSpec, path: string, reason: string): RolloutSpecError {
  return new RolloutSpecError(rollout.source, `Rollout/${rollout.name}`, path, reason);
}
