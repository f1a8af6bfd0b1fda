/**
 * Cross-references of Argo Rollouts objects within one build: a Rollout's Services exist and select its
 * pods, its stable Ingress routes to its stable Service, and every analysis it starts names templates that
 * exist and gives each of them every argument it needs (and none that no template declares). The templates'
 * own `{{args.x}}` placeholders must name declared arguments.
 */
import {
  type BuildIndex,
  type LabelSelector,
  namespaceOf,
  selectorMatches,
  serviceSelector,
  type Workload,
} from "./cross-refs-index.ts";
import { field, type KubeObject, type ManifestDocument } from "./manifests.ts";

interface AnalysisArg {
  name: string;
  value?: string;
  valueFrom?: { podTemplateHashValue?: string; fieldRef?: { fieldPath?: string }; secretKeyRef?: unknown };
}

interface RolloutAnalysis {
  templates?: { templateName?: string; clusterScope?: boolean }[];
  args?: AnalysisArg[];
}

/** The Services a Rollout names, by the field that names them (Argo rewrites their selectors). */
export function rolloutServices(rollout: KubeObject): { field: string; name: string }[] {
  const found: { field: string; name: string }[] = [];
  for (const [strategy, fields] of [
    ["blueGreen", ["activeService", "previewService"]],
    ["canary", ["stableService", "canaryService"]],
  ] as const) {
    for (const name of fields) {
      const value = field(rollout, "spec", "strategy", strategy, name);
      if (typeof value === "string" && value !== "")
        found.push({ field: `${strategy}.${name}`, name: value });
    }
  }
  return found;
}

/** Every analysis a Rollout starts, with where it is declared. */
export function rolloutAnalyses(rollout: KubeObject): { where: string; analysis: RolloutAnalysis }[] {
  const found: { where: string; analysis: RolloutAnalysis }[] = [];
  const add = (where: string, value: unknown) => {
    if (value && typeof value === "object") found.push({ where, analysis: value as RolloutAnalysis });
  };
  add(
    "blueGreen.prePromotionAnalysis",
    field(rollout, "spec", "strategy", "blueGreen", "prePromotionAnalysis"),
  );
  add(
    "blueGreen.postPromotionAnalysis",
    field(rollout, "spec", "strategy", "blueGreen", "postPromotionAnalysis"),
  );
  add("canary.analysis", field(rollout, "spec", "strategy", "canary", "analysis"));
  const steps = field(rollout, "spec", "strategy", "canary", "steps");
  if (Array.isArray(steps)) {
    for (const [i, step] of steps.entries()) add(`canary.steps[${i}].analysis`, field(step, "analysis"));
  }
  return found;
}

function checkRolloutServices(index: BuildIndex, document: ManifestDocument, workload: Workload | undefined) {
  const namespace = namespaceOf(document.object);
  const services = rolloutServices(document.object);
  for (const { field: where, name } of services) {
    const service = index.find("Service", name, namespace);
    if (!service) {
      index.report(document, `${where} ${name} does not exist`);
      continue;
    }
    const selector = serviceSelector(service.object);
    if (workload && (!selector || !selectorMatches(selector, workload.labels))) {
      index.report(document, `${where} ${name} does not select the Rollout's pods`);
    }
  }
  const names = services.map((s) => s.name);
  if (new Set(names).size !== names.length)
    index.report(document, `one Service is named twice: ${names.join(", ")}`);
  const canary = field(document.object, "spec", "strategy", "canary");
  if (
    field(canary, "trafficRouting") &&
    !(field(canary, "stableService") && field(canary, "canaryService"))
  ) {
    index.report(document, "canary.trafficRouting needs both stableService and canaryService");
  }
}

function checkStableIngresses(index: BuildIndex, document: ManifestDocument) {
  const nginx = field(document.object, "spec", "strategy", "canary", "trafficRouting", "nginx");
  if (!nginx) return;
  const stableService = field(document.object, "spec", "strategy", "canary", "stableService");
  const single = field(nginx, "stableIngress");
  const many = field(nginx, "stableIngresses");
  const names = [
    ...(typeof single === "string" ? [single] : []),
    ...(Array.isArray(many) ? many : []),
  ] as string[];
  if (names.length === 0) index.report(document, "trafficRouting.nginx names no stableIngress");
  for (const name of names) {
    const ingress = index.find("Ingress", name, namespaceOf(document.object));
    if (!ingress) index.report(document, `stableIngress ${name} does not exist`);
    else if (!ingressBackends(ingress.object).some((b) => b.name === stableService)) {
      index.report(
        document,
        `stableIngress ${name} has no backend on stableService ${String(stableService)}`,
      );
    }
  }
}

/** Every Service backend of an Ingress (rules and default backend). */
export function ingressBackends(
  ingress: KubeObject,
): { name: string; port: { number?: number; name?: string } }[] {
  const backends: unknown[] = [field(ingress, "spec", "defaultBackend", "service")];
  const rules = field(ingress, "spec", "rules");
  for (const rule of Array.isArray(rules) ? rules : []) {
    const paths = field(rule, "http", "paths");
    for (const path of Array.isArray(paths) ? paths : []) backends.push(field(path, "backend", "service"));
  }
  return backends.filter((b) => b && typeof b === "object") as {
    name: string;
    port: { number?: number; name?: string };
  }[];
}

function argumentProblem(arg: AnalysisArg): string | undefined {
  if (arg.value !== undefined) return undefined;
  const from = arg.valueFrom;
  if (!from) return `arg ${arg.name} has neither value nor valueFrom`;
  if (from.podTemplateHashValue !== undefined && !["Stable", "Latest"].includes(from.podTemplateHashValue)) {
    return `arg ${arg.name}: podTemplateHashValue is Stable or Latest, not ${from.podTemplateHashValue}`;
  }
  if (from.fieldRef !== undefined && !from.fieldRef.fieldPath)
    return `arg ${arg.name}: fieldRef has no fieldPath`;
  return undefined;
}

function checkAnalysis(
  index: BuildIndex,
  document: ManifestDocument,
  where: string,
  analysis: RolloutAnalysis,
) {
  const namespace = namespaceOf(document.object);
  const declared = new Map<string, boolean>();
  const templates = analysis.templates ?? [];
  if (templates.length === 0) index.report(document, `${where} names no template`);
  for (const ref of templates) {
    const name = ref.templateName ?? "";
    const template = ref.clusterScope
      ? index.ofKind("ClusterAnalysisTemplate").find((d) => field(d.object, "metadata", "name") === name)
      : index.find("AnalysisTemplate", name, namespace);
    if (!template) {
      index.report(
        document,
        `${where}: ${ref.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate"} ${name} does not exist`,
      );
      continue;
    }
    for (const arg of (field(template.object, "spec", "args") ?? []) as AnalysisArg[]) {
      const hasDefault = arg.value !== undefined || arg.valueFrom !== undefined;
      declared.set(arg.name, (declared.get(arg.name) ?? true) && hasDefault);
    }
  }
  const passed = new Set<string>();
  for (const arg of analysis.args ?? []) {
    passed.add(arg.name);
    const problem = argumentProblem(arg);
    if (problem) index.report(document, `${where}: ${problem}`);
    if (templates.length > 0 && !declared.has(arg.name)) {
      index.report(document, `${where} passes arg ${arg.name}, which no template declares`);
    }
  }
  for (const [name, hasDefault] of declared) {
    if (!hasDefault && !passed.has(name)) index.report(document, `${where} passes no value for arg ${name}`);
  }
}

/** A template's `{{args.name}}` placeholders must name its declared arguments. */
function checkTemplatePlaceholders(index: BuildIndex, document: ManifestDocument) {
  const args = ((field(document.object, "spec", "args") ?? []) as AnalysisArg[]).map((a) => a.name);
  const names = new Set(args);
  if (names.size !== args.length) index.report(document, "declares an arg twice");
  const text = JSON.stringify(field(document.object, "spec", "metrics") ?? []);
  for (const match of text.matchAll(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g)) {
    if (!names.has(match[1]!)) index.report(document, `uses {{args.${match[1]}}} but declares no such arg`);
  }
}

export function checkRollouts(index: BuildIndex): void {
  for (const document of index.ofKind("Rollout")) {
    const workload = index.workloads.find((w) => w.document === document);
    const selector = field(document.object, "spec", "selector") as LabelSelector | undefined;
    if (workload && (!selector || !selectorMatches(selector, workload.labels))) {
      index.report(document, "spec.selector does not match the pod template's labels");
    }
    checkRolloutServices(index, document, workload);
    checkStableIngresses(index, document);
    for (const { where, analysis } of rolloutAnalyses(document.object))
      checkAnalysis(index, document, where, analysis);
  }
  for (const document of [...index.ofKind("AnalysisTemplate"), ...index.ofKind("ClusterAnalysisTemplate")]) {
    checkTemplatePlaceholders(index, document);
  }
}
