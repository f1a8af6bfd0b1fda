/**
 * Validates a manifest against the real schema of its apiVersion and kind: Kubernetes' own
 * (kubernetes-models, generated from the API server's OpenAPI), Argo Rollouts', Argo CD's and the
 * Prometheus operator's CRDs.
 * Only API versions a current cluster serves are known, so a removed one (policy/v1beta1) is an unknown
 * kind, not a pass. A kustomize Kustomization is recognised too (it is a build file, not an object).
 */
import * as argoCd from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";
import * as argoRollouts from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import * as prometheusOperator from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as autoscalingV1 from "kubernetes-models/autoscaling/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as batch from "kubernetes-models/batch/v1";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as rbac from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as core from "kubernetes-models/v1";
import { describeObject, field, type KubeObject, type ManifestDocument } from "./manifests.ts";

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

export interface SchemaIssue {
  /** JSON pointer into the object ("" for the object itself). */
  path: string;
  message: string;
}

const MODULES = [
  core,
  apps,
  autoscalingV1,
  autoscalingV2,
  batch,
  networking,
  policy,
  rbac,
  argoRollouts,
  argoCd,
  prometheusOperator,
];

const isModelClass = (value: unknown): value is ModelClass =>
  typeof value === "function" &&
  typeof (value as Partial<ModelClass>).apiVersion === "string" &&
  typeof (value as Partial<ModelClass>).kind === "string";

/** Every top-level kind the models define, keyed "apiVersion kind". */
const MODELS = new Map<string, ModelClass>();
for (const module of MODULES) {
  for (const value of Object.values(module)) {
    if (isModelClass(value)) MODELS.set(`${value.apiVersion} ${value.kind}`, value);
  }
}

export const KUSTOMIZE_API_VERSIONS = ["kustomize.config.k8s.io/v1beta1", "kustomize.config.k8s.io/v1alpha1"];

/** Fields kustomize (v5) reads in a kustomization.yaml; anything else is a typo kustomize would reject. */
const KUSTOMIZATION_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "openapi",
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patchesStrategicMerge",
  "patchesJson6902",
  "patches",
  "images",
  "imageTags",
  "replacements",
  "replicas",
  "vars",
  "sortOptions",
  "resources",
  "components",
  "crds",
  "bases",
  "configMapGenerator",
  "secretGenerator",
  "helmGlobals",
  "helmCharts",
  "helmChartInflationGenerator",
  "generatorOptions",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "buildMetadata",
]);

/** "apiVersion kind" of every kind this validator knows (Kustomization and Component included). */
export function knownKinds(): string[] {
  return [
    ...MODELS.keys(),
    `${KUSTOMIZE_API_VERSIONS[0]} Kustomization`,
    `${KUSTOMIZE_API_VERSIONS[1]} Component`,
  ].sort();
}

function kustomizationIssues(object: KubeObject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const key of Object.keys(object)) {
    if (!KUSTOMIZATION_FIELDS.has(key))
      issues.push({ path: `/${key}`, message: "is not a kustomization field" });
  }
  for (const key of ["resources", "components", "bases", "crds", "configurations"]) {
    const value = object[key];
    if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== "string"))) {
      issues.push({ path: `/${key}`, message: "must be a list of strings" });
    }
  }
  if (object.namespace !== undefined && typeof object.namespace !== "string") {
    issues.push({ path: "/namespace", message: "must be a string" });
  }
  return issues;
}

/** What is wrong with `object` per the schema of its apiVersion and kind; empty when it is valid. */
export function schemaIssues(object: KubeObject): SchemaIssue[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return [{ path: "", message: "has no apiVersion and kind" }];
  }
  if (KUSTOMIZE_API_VERSIONS.includes(apiVersion) && (kind === "Kustomization" || kind === "Component")) {
    return kustomizationIssues(object);
  }
  const Model = MODELS.get(`${apiVersion} ${kind}`);
  if (!Model) return [{ path: "", message: `unknown kind ${kind} (${apiVersion}): no schema for it` }];
  const issues: SchemaIssue[] = [];
  // The API server refuses an object without a name (generateName aside); the generated schemas do not.
  const name = field(object, "metadata", "name");
  if (typeof name !== "string" && typeof field(object, "metadata", "generateName") !== "string") {
    issues.push({ path: "/metadata/name", message: "is required" });
  }
  try {
    new Model(object).validate();
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!errors) throw err;
    for (const e of errors) issues.push({ path: e.instancePath, message: e.message ?? "is invalid" });
  }
  return issues;
}

/** One line per issue: `file[index] Kind/name /path: message`. */
export function validateDocument(document: ManifestDocument): string[] {
  const where = `${document.file}[${document.index}] ${describeObject(document.object)}`;
  return schemaIssues(document.object).map((issue) => `${where} ${issue.path || "/"}: ${issue.message}`);
}

/** Every issue of every document. */
export function validateDocuments(documents: ManifestDocument[]): string[] {
  return documents.flatMap(validateDocument);
}
