/**
 * Every PromQL expression the Kubernetes assets hold, wherever it sits: Argo analysis metrics, Prometheus
 * rules, Grafana dashboards shipped as ConfigMaps. The whole of k8s/ is walked, so a new template or
 * dashboard is checked the day it lands (delivery/prometheus-live.test.ts evaluates them all).
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadManifestTree, type ManifestDocument } from "./manifests.ts";

export type { ManifestDocument } from "./manifests.ts";
export { alertProbe, maskPromql, metricNames, substitutePlaceholders } from "./promql-syntax.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "..");

export type PromqlSource =
  | "analysis"
  | "recording-rule"
  | "alerting-rule"
  | "dashboard"
  | "dashboard-variable";

export interface PromqlExpression {
  /** Path relative to the repo root. */
  file: string;
  source: PromqlSource;
  /** Where in the file, for messages: "AnalysisTemplate success-rate: metric success-rate". */
  label: string;
  expr: string;
  /** The series a recording rule writes. */
  record?: string;
}

/**
 * Series Prometheus makes itself for every target, not read from /metrics (plus the alert state series).
 * https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series
 */
export const PROMETHEUS_GENERATED_METRICS = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
  "ALERTS",
  "ALERTS_FOR_STATE",
] as const;

/**
 * Series the Argo Rollouts controller exposes (its /metrics on port 8090), not our services. The local
 * rollout engine's control API serves rollout_info and the replica gauges the same way
 * (orchestrator/rollout/control/metrics.ts); the live test scrapes it.
 */
export const ARGO_ROLLOUTS_CONTROLLER_METRICS = [
  "rollout_info", // {namespace, name, strategy, traffic_router, phase}: 1 for the current phase
  "rollout_info_replicas_available",
  "rollout_info_replicas_unavailable",
  "rollout_info_replicas_desired",
  "rollout_info_replicas_updated",
  "rollout_phase", // deprecated in favour of rollout_info
  "rollout_reconcile_error",
  "analysis_run_info",
  "analysis_run_phase",
  "analysis_run_metric_phase",
  "analysis_run_metric_type",
] as const;

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

/**
 * Every mapping document of every .yaml/.yml file under `root`/k8s (the shared manifest loader), with
 * paths relative to `root`. A file that does not parse throws.
 */
export function readK8sDocuments(root: string = REPO_ROOT): ManifestDocument[] {
  const dir = join(root, "k8s");
  if (!existsSync(dir)) return [];
  return loadManifestTree(dir).map((document) => ({ ...document, file: relative(root, document.file) }));
}

const nameOf = (object: Record<string, unknown>) =>
  (isMapping(object.metadata) && text(object.metadata.name)) || "(unnamed)";

const ANALYSIS_KINDS = new Set(["AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun"]);

function analysisExpressions({ file, object }: ManifestDocument): PromqlExpression[] {
  const spec = isMapping(object.spec) ? object.spec : {};
  return asArray(spec.metrics).flatMap((metric) => {
    if (!isMapping(metric) || !isMapping(metric.provider) || !isMapping(metric.provider.prometheus))
      return [];
    const expr = text(metric.provider.prometheus.query);
    const label = `${object.kind} ${nameOf(object)}: metric ${text(metric.name) ?? "(unnamed)"}`;
    return expr ? [{ file, source: "analysis" as const, label, expr }] : [];
  });
}

function ruleExpressions({ file, object }: ManifestDocument): PromqlExpression[] {
  const spec = isMapping(object.spec) ? object.spec : {};
  return asArray(spec.groups).flatMap((group) =>
    isMapping(group)
      ? asArray(group.rules).flatMap((rule): PromqlExpression[] => {
          const expr = isMapping(rule) ? text(rule.expr) : undefined;
          if (!isMapping(rule) || !expr) return [];
          const record = text(rule.record);
          const where = `PrometheusRule ${nameOf(object)}: group ${text(group.name) ?? "(unnamed)"}`;
          return record
            ? [{ file, source: "recording-rule" as const, label: `${where}, record ${record}`, expr, record }]
            : [
                {
                  file,
                  source: "alerting-rule" as const,
                  label: `${where}, alert ${text(rule.alert)}`,
                  expr,
                },
              ];
        })
      : [],
  );
}

/** A Grafana panel or query is Prometheus unless its data source says it is something else (Loki…). */
const otherDatasource = (item: Record<string, unknown>) =>
  isMapping(item.datasource) &&
  typeof item.datasource.type === "string" &&
  item.datasource.type !== "prometheus";

function panelExpressions(panels: unknown, where: string, file: string): PromqlExpression[] {
  return asArray(panels).flatMap((panel) => {
    if (!isMapping(panel)) return [];
    const title = `${where} panel "${text(panel.title) ?? panel.id}"`;
    const own = otherDatasource(panel)
      ? []
      : asArray(panel.targets).flatMap((target) => {
          const expr = isMapping(target) && !otherDatasource(target) ? text(target.expr) : undefined;
          return expr && isMapping(target)
            ? [{ file, source: "dashboard" as const, label: `${title} target ${target.refId ?? "?"}`, expr }]
            : [];
        });
    return [...own, ...panelExpressions(panel.panels, where, file)]; // rows hold panels when collapsed
  });
}

/** `label_values(selector, label)` and `query_result(expr)` hold PromQL; other variable queries do not. */
function variableExpression(query: string): string | undefined {
  const call = /^\s*(label_values|query_result)\s*\(([\s\S]*)\)\s*$/.exec(query);
  if (!call) return undefined;
  if (call[1] === "query_result") return text(call[2]);
  const args = call[2]!;
  const lastComma = args.lastIndexOf(",");
  return lastComma === -1 ? undefined : text(args.slice(0, lastComma));
}

function dashboardExpressions({ file, object }: ManifestDocument): PromqlExpression[] {
  const data = isMapping(object.data) ? object.data : {};
  return Object.entries(data).flatMap(([key, json]) => {
    if (!key.endsWith(".json") || typeof json !== "string") return [];
    let dashboard: unknown;
    try {
      dashboard = JSON.parse(json);
    } catch (err) {
      throw new Error(
        `${file}: ConfigMap ${nameOf(object)} key ${key} is not JSON: ${(err as Error).message}`,
      );
    }
    if (!isMapping(dashboard) || !Array.isArray(dashboard.panels)) return [];
    const where = `dashboard "${text(dashboard.title) ?? key}"`;
    const templating = isMapping(dashboard.templating) ? dashboard.templating.list : [];
    const variables = asArray(templating).flatMap((variable) => {
      if (!isMapping(variable) || variable.type !== "query" || otherDatasource(variable)) return [];
      const query = isMapping(variable.query) ? variable.query.query : variable.query;
      const expr = typeof query === "string" ? variableExpression(query) : undefined;
      const label = `${where} variable $${text(variable.name)}`;
      return expr ? [{ file, source: "dashboard-variable" as const, label, expr }] : [];
    });
    return [...variables, ...panelExpressions(dashboard.panels, where, file)];
  });
}

/** Every PromQL expression in `documents` (default: all of k8s/), in file order. */
export function promqlExpressions(documents: ManifestDocument[] = readK8sDocuments()): PromqlExpression[] {
  return documents.flatMap((document) => {
    const kind = document.object.kind;
    if (typeof kind === "string" && ANALYSIS_KINDS.has(kind)) return analysisExpressions(document);
    if (kind === "PrometheusRule") return ruleExpressions(document);
    if (kind === "ConfigMap") return dashboardExpressions(document);
    return [];
  });
}

/** Names of the series the repo's recording rules write: they count as known metric names. */
export function recordedNames(expressions: PromqlExpression[]): string[] {
  return [...new Set(expressions.flatMap((e) => (e.record ? [e.record] : [])))].sort();
}
