/**
 * AnalysisTemplate and ClusterAnalysisTemplate manifests → AnalysisTemplateSpec, with Argo's defaults and
 * checks (utils/analysis/factory.go ValidateMetric; defaults.go). Metrics use the prometheus or web
 * provider; every other provider, and every knob the engine does not implement, is refused by name.
 */

import {
  type FieldRules,
  isEmptyValue,
  type Mapping,
  type SpecReader,
  type SpecSource,
} from "./spec-fields.ts";
import { type KubeObjects, objectReader, secretValue } from "./spec-objects.ts";
import { DRY_RUN, MEASUREMENT_RETENTION } from "./spec-refs.ts";
import type { AnalysisTemplateSpec, MetricProviderSpec, MetricSpec } from "./types.ts";

/** Argo's default: four errors in a row make a metric Error (defaults.DefaultConsecutiveErrorLimit). */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** The web provider's timeout when timeoutSeconds is absent or ≤ 0 (webmetric.go). */
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;
/** The web provider's jsonPath when absent: the whole body (webmetric.go). */
export const DEFAULT_WEB_JSON_PATH = "{$}";

const TEMPLATE_FIELDS: FieldRules = {
  metrics: "read",
  args: "read",
  dryRun: DRY_RUN,
  measurementRetention: MEASUREMENT_RETENTION,
  templates: {
    refused: "templates nested in a template: list them in the Rollout's analysis instead",
    allowed: isEmptyValue,
  },
};

const METRIC_FIELDS: FieldRules = {
  name: "read",
  interval: "read",
  initialDelay: "read",
  count: "read",
  successCondition: "read",
  failureCondition: "read",
  failureLimit: "read",
  inconclusiveLimit: "read",
  consecutiveErrorLimit: "read",
  consecutiveSuccessLimit: {
    refused: "consecutiveSuccessLimit: the engine decides by failureLimit and inconclusiveLimit",
    allowed: (value) => value === 0 || value === "0",
  },
  provider: "read",
};

const OTHER_PROVIDER = "the local engine measures with the prometheus and web providers";
const PROVIDERS: FieldRules = {
  prometheus: "read",
  web: "read",
  job: { refused: "a job metric runs a Kubernetes Job" },
  plugin: { refused: "metric plugins are binaries loaded by Argo's controller" },
  kayenta: { refused: `Kayenta; ${OTHER_PROVIDER}` },
  datadog: { refused: `Datadog; ${OTHER_PROVIDER}` },
  newRelic: { refused: `New Relic; ${OTHER_PROVIDER}` },
  wavefront: { refused: `Wavefront; ${OTHER_PROVIDER}` },
  cloudWatch: { refused: `CloudWatch; ${OTHER_PROVIDER}` },
  graphite: { refused: `Graphite; ${OTHER_PROVIDER}` },
  influxdb: { refused: `InfluxDB; ${OTHER_PROVIDER}` },
  skywalking: { refused: `SkyWalking; ${OTHER_PROVIDER}` },
};

const AUTHENTICATION = {
  refused: "authenticated requests (sigv4, oauth2, basicAuth)",
  allowed: isEmptyValue,
};
const INSECURE = { refused: "skipping TLS verification", allowed: (value: unknown) => value === false };

const PROMETHEUS_FIELDS: FieldRules = {
  address: "read",
  query: "read",
  authentication: AUTHENTICATION,
  insecure: INSECURE,
  headers: { refused: "request headers for Prometheus", allowed: isEmptyValue },
  timeout: { refused: "a per-query timeout (the engine's Prometheus client uses its own)" },
  rangeQuery: { refused: "range queries; the engine runs instant queries" },
};

const WEB_FIELDS: FieldRules = {
  url: "read",
  method: "read",
  headers: "read",
  body: "read",
  jsonBody: "read",
  timeoutSeconds: "read",
  jsonPath: "read",
  insecure: INSECURE,
  authentication: AUTHENTICATION,
};

/**
 * An AnalysisTemplate or ClusterAnalysisTemplate. `objects` are the other manifests of the same sources: an
 * argument's `valueFrom.secretKeyRef` is read from a Secret among them.
 */
export function parseAnalysisTemplate(
  object: unknown,
  source: SpecSource,
  objects: KubeObjects = [],
): AnalysisTemplateSpec {
  const { reader, manifest, name, namespace } = objectReader(object, source, [
    "AnalysisTemplate",
    "ClusterAnalysisTemplate",
  ]);
  const clusterScope = manifest.kind === "ClusterAnalysisTemplate";
  const spec = reader.requiredMapping(manifest.spec, "spec");
  reader.checkFields(spec, "spec", TEMPLATE_FIELDS);
  const args = reader
    .list(spec.args, "spec.args")
    .map((arg, i) =>
      readTemplateArg(reader, arg, `spec.args[${i}]`, (secret, key) =>
        secretValue(objects, namespace, secret, key),
      ),
    );
  const metricNodes = reader.list(spec.metrics, "spec.metrics");
  if (metricNodes.length === 0) throw reader.error("spec.metrics", "needs at least one metric");
  const metrics = metricNodes.map((node, i) => readMetric(reader, node, `spec.metrics[${i}]`));
  metrics.forEach((metric, i) => {
    if (metrics.findIndex((m) => m.name === metric.name) !== i) {
      throw reader.error(`spec.metrics[${i}].name`, `repeats the metric name "${metric.name}"`);
    }
  });
  return { name, clusterScope, args, metrics, source };
}

function readTemplateArg(
  reader: SpecReader,
  node: unknown,
  path: string,
  secret: (name: string, key: string) => string | undefined,
): { name: string; value?: string } {
  const arg = reader.requiredMapping(node, path);
  reader.checkFields(arg, path, { name: "read", value: "read", valueFrom: "read" });
  const name = reader.requiredString(arg.name, `${path}.name`);
  const value = reader.string(arg.value, `${path}.value`);
  const from = reader.mapping(arg.valueFrom, `${path}.valueFrom`);
  if (!from) return value === undefined ? { name } : { name, value };
  reader.checkFields(from, `${path}.valueFrom`, {
    secretKeyRef: "read",
    fieldRef: { refused: "a template's fieldRef; pass the value from the Rollout's analysis args" },
  });
  const ref = reader.requiredMapping(from.secretKeyRef, `${path}.valueFrom.secretKeyRef`);
  reader.checkFields(ref, `${path}.valueFrom.secretKeyRef`, { name: "read", key: "read" });
  const secretName = reader.requiredString(ref.name, `${path}.valueFrom.secretKeyRef.name`);
  const key = reader.requiredString(ref.key, `${path}.valueFrom.secretKeyRef.key`);
  const found = secret(secretName, key);
  if (found === undefined) {
    throw reader.error(
      `${path}.valueFrom.secretKeyRef`,
      `names key "${key}" of Secret ${secretName}, which is not among the manifests loaded (pass the Secret's file too)`,
    );
  }
  return { name, value: found };
}

function readMetric(reader: SpecReader, node: unknown, path: string): MetricSpec {
  const metric = reader.requiredMapping(node, path);
  reader.checkFields(metric, path, METRIC_FIELDS);
  const at = (field: string) => `${path}.${field}`;
  const limit = (field: string, min: number) =>
    reader.integer(metric[field], at(field), { min, intOrString: true });
  const failureLimit = limit("failureLimit", 0) ?? 0;
  const inconclusiveLimit = limit("inconclusiveLimit", 0) ?? 0;
  const consecutiveErrorLimit = limit("consecutiveErrorLimit", 0) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  const intervalSeconds = reader.duration(metric.interval, at("interval"));
  const initialDelaySeconds = reader.duration(metric.initialDelay, at("initialDelay"));
  // Argo's EffectiveCount: count 0 or absent is one measurement without an interval, endless with one.
  const count = limit("count", 0) || (intervalSeconds === undefined ? 1 : undefined);
  if (count !== undefined && count > 1 && intervalSeconds === undefined) {
    throw reader.error(at("interval"), `is required when count is more than 1 (count ${count})`);
  }
  if (count !== undefined && count < failureLimit) {
    throw reader.error(at("count"), `(${count}) must be at least failureLimit (${failureLimit})`);
  }
  if (count !== undefined && count < inconclusiveLimit) {
    throw reader.error(at("count"), `(${count}) must be at least inconclusiveLimit (${inconclusiveLimit})`);
  }
  const spec: MetricSpec = {
    name: reader.requiredString(metric.name, at("name")),
    failureLimit,
    inconclusiveLimit,
    consecutiveErrorLimit,
    provider: readProvider(reader, metric.provider, at("provider")),
  };
  if (intervalSeconds !== undefined) spec.intervalSeconds = intervalSeconds;
  if (initialDelaySeconds !== undefined) spec.initialDelaySeconds = initialDelaySeconds;
  if (count !== undefined) spec.count = count;
  const success = reader.string(metric.successCondition, at("successCondition"));
  const failure = reader.string(metric.failureCondition, at("failureCondition"));
  if (success) spec.successCondition = success;
  if (failure) spec.failureCondition = failure;
  return spec;
}

function readProvider(reader: SpecReader, node: unknown, path: string): MetricProviderSpec {
  const provider = reader.requiredMapping(node, path);
  reader.checkFields(provider, path, PROVIDERS);
  const names = Object.keys(provider).filter((key) => provider[key] !== null && provider[key] !== undefined);
  if (names.length !== 1) {
    throw reader.error(path, names.length === 0 ? "names no provider" : `names several providers (${names})`);
  }
  if (provider.prometheus !== undefined) {
    const prometheus = reader.requiredMapping(provider.prometheus, `${path}.prometheus`);
    reader.checkFields(prometheus, `${path}.prometheus`, PROMETHEUS_FIELDS);
    return {
      prometheus: {
        // Empty: the engine's Prometheus (Argo would read ARGO_ROLLOUTS_PROMETHEUS_ADDRESS).
        address: reader.string(prometheus.address, `${path}.prometheus.address`) ?? "",
        query: reader.requiredString(prometheus.query, `${path}.prometheus.query`),
      },
    };
  }
  return { web: readWeb(reader, reader.requiredMapping(provider.web, `${path}.web`), `${path}.web`) };
}

type WebSpec = Extract<MetricProviderSpec, { web: unknown }>["web"];

function readWeb(reader: SpecReader, web: Mapping, path: string): WebSpec {
  reader.checkFields(web, path, WEB_FIELDS);
  const method = reader.string(web.method, `${path}.method`) || "GET";
  if (method !== "GET" && method !== "POST" && method !== "PUT") {
    throw reader.error(`${path}.method`, `must be GET, POST or PUT, not ${method}`);
  }
  const headers = reader.list(web.headers, `${path}.headers`).map((node, i) => {
    const header = reader.requiredMapping(node, `${path}.headers[${i}]`);
    reader.checkFields(header, `${path}.headers[${i}]`, { key: "read", value: "read" });
    return {
      key: reader.requiredString(header.key, `${path}.headers[${i}].key`),
      value: reader.string(header.value, `${path}.headers[${i}].value`) ?? "",
    };
  });
  let body = reader.string(web.body, `${path}.body`) || undefined;
  if (web.jsonBody !== undefined && web.jsonBody !== null) {
    if (body !== undefined) throw reader.error(`${path}.jsonBody`, "and body cannot both be set");
    // As webmetric.go: the JSON is the body, sent as application/json whatever the headers say.
    body = JSON.stringify(web.jsonBody);
    const others = headers.filter((h) => h.key.toLowerCase() !== "content-type");
    headers.splice(0, headers.length, ...others, { key: "Content-Type", value: "application/json" });
  }
  if (body !== undefined && method === "GET") {
    throw reader.error(`${path}.method`, "must be POST or PUT to send a body (Argo fails every measurement)");
  }
  const timeoutSeconds = reader.integer(web.timeoutSeconds, `${path}.timeoutSeconds`) ?? 0;
  const spec: WebSpec = {
    url: reader.requiredString(web.url, `${path}.url`),
    method,
    headers,
    jsonPath: reader.string(web.jsonPath, `${path}.jsonPath`) || DEFAULT_WEB_JSON_PATH,
    timeoutSeconds: timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_WEB_TIMEOUT_SECONDS,
  };
  if (body !== undefined) spec.body = body;
  return spec;
}
