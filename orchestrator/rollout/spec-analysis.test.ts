import { describe, expect, it } from "vitest";
import { parseAnalysisTemplate } from "./spec.ts";
import { prometheusMetric, refusalOf, SOURCE, templateObject } from "./spec-fixtures.ts";

const parse = (object: unknown, objects: Record<string, unknown>[] = []) =>
  parseAnalysisTemplate(object, SOURCE, objects);
const withMetric = (overrides: Record<string, unknown>) =>
  templateObject({ metrics: [prometheusMetric(overrides)] });
const metricOf = (overrides: Record<string, unknown>) => parse(withMetric(overrides)).metrics[0];
const web = (fields: Record<string, unknown>) => ({
  provider: { web: { url: "http://127.0.0.1/x", ...fields } },
});
const webOf = (fields: Record<string, unknown>) => {
  const provider = metricOf(web(fields))?.provider;
  return provider && "web" in provider ? provider.web : undefined;
};

describe("parseAnalysisTemplate", () => {
  it("reads a prometheus metric with Argo's defaults", () => {
    expect(parse(templateObject({ args: [{ name: "service-name" }, { name: "q", value: "1" }] }))).toEqual({
      name: "success-rate",
      clusterScope: false,
      args: [{ name: "service-name" }, { name: "q", value: "1" }],
      metrics: [
        {
          name: "success-rate",
          intervalSeconds: 60,
          count: 3,
          successCondition: "result[0] >= 0.99",
          failureLimit: 0,
          inconclusiveLimit: 0,
          consecutiveErrorLimit: 4,
          provider: { prometheus: { address: "http://prometheus:9090", query: "up" } },
        },
      ],
      source: SOURCE,
    });
  });

  it("reads a ClusterAnalysisTemplate as cluster-scoped", () => {
    expect(parse(templateObject({}, "always-pass", "ClusterAnalysisTemplate")).clusterScope).toBe(true);
  });

  it("reads limits, delays and conditions, numbers given as strings too", () => {
    expect(
      metricOf({
        interval: "30s",
        initialDelay: "1m",
        count: "5",
        failureLimit: 2,
        inconclusiveLimit: "1",
        consecutiveErrorLimit: 0,
        failureCondition: "result[0] < 0.9",
        consecutiveSuccessLimit: 0,
      }),
    ).toMatchObject({
      intervalSeconds: 30,
      initialDelaySeconds: 60,
      count: 5,
      failureLimit: 2,
      inconclusiveLimit: 1,
      consecutiveErrorLimit: 0,
      failureCondition: "result[0] < 0.9",
    });
  });

  it("counts as Argo does: one measurement without an interval, endless with one and no count", () => {
    expect(metricOf({ interval: undefined, count: undefined })).toMatchObject({ count: 1 });
    expect(metricOf({ interval: undefined, count: 0 })).toMatchObject({ count: 1 });
    const endless = metricOf({ interval: "10s", count: undefined });
    expect(endless).toMatchObject({ intervalSeconds: 10 });
    expect(endless).not.toHaveProperty("count");
  });

  it("reads an empty prometheus address as the engine's own Prometheus", () => {
    const metric = metricOf({ provider: { prometheus: { query: "up" } } });
    expect(metric?.provider).toEqual({ prometheus: { address: "", query: "up" } });
  });

  it("reads the web provider with its defaults", () => {
    expect(webOf({ jsonPath: "{$.ok}" })).toEqual({
      url: "http://127.0.0.1/x",
      method: "GET",
      headers: [],
      jsonPath: "{$.ok}",
      timeoutSeconds: 10,
    });
    expect(webOf({})).toMatchObject({ jsonPath: "{$}" });
    expect(webOf({ timeoutSeconds: 0 })).toMatchObject({ timeoutSeconds: 10 });
    expect(webOf({ timeoutSeconds: 3 })).toMatchObject({ timeoutSeconds: 3 });
  });

  it("sends a body with POST or PUT; a jsonBody as application/json, as Argo does", () => {
    const headers = [
      { key: "content-type", value: "text/plain" },
      { key: "X-Token", value: "t" },
    ];
    expect(webOf({ method: "PUT", body: "x=1", headers })).toMatchObject({
      method: "PUT",
      body: "x=1",
      headers,
    });
    expect(webOf({ method: "POST", jsonBody: { q: [1] }, headers })).toMatchObject({
      body: '{"q":[1]}',
      headers: [
        { key: "X-Token", value: "t" },
        { key: "Content-Type", value: "application/json" },
      ],
    });
  });

  it("reads an argument's secretKeyRef from a loaded Secret, stringData over data", () => {
    const template = templateObject({
      args: [{ name: "url", valueFrom: { secretKeyRef: { name: "s", key: "url" } } }],
    });
    const secret = (fields: Record<string, unknown>) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      ...fields,
    });
    const fromData = secret({ data: { url: Buffer.from("http://a").toString("base64") } });
    expect(parse(template, [fromData]).args).toEqual([{ name: "url", value: "http://a" }]);
    const both = secret({ data: { url: "aGk=" }, stringData: { url: "http://b" } });
    expect(parse(template, [both]).args).toEqual([{ name: "url", value: "http://b" }]);
    const error = refusalOf(() => parse(template));
    expect(error.path).toBe("spec.args[0].valueFrom.secretKeyRef");
    expect(error.reason).toMatch(/Secret s, which is not among the manifests loaded/);
  });
});

const UNSUPPORTED: [string, Record<string, unknown>, string, RegExp][] = [
  ...[
    "job",
    "kayenta",
    "datadog",
    "newRelic",
    "wavefront",
    "cloudWatch",
    "graphite",
    "influxdb",
    "skywalking",
    "plugin",
  ].map((name): [string, Record<string, unknown>, string, RegExp] => [
    `the ${name} provider`,
    withMetric({ provider: { [name]: {} } }),
    `spec.metrics[0].provider.${name}`,
    /Kubernetes Job|prometheus and web providers|binaries/,
  ]),
  ["dryRun", templateObject({ dryRun: [{ metricName: "*" }] }), "spec.dryRun", /dry-run/],
  ["nested templates", templateObject({ templates: [{ templateName: "x" }] }), "spec.templates", /nested/],
  [
    "consecutiveSuccessLimit",
    withMetric({ consecutiveSuccessLimit: 2 }),
    "spec.metrics[0].consecutiveSuccessLimit",
    /failureLimit/,
  ],
  ["a templated count", withMetric({ count: "{{args.count}}" }), "spec.metrics[0].count", /placeholder/],
  [
    "prometheus authentication",
    withMetric({ provider: { prometheus: { query: "up", authentication: { sigv4: { region: "x" } } } } }),
    "spec.metrics[0].provider.prometheus.authentication",
    /sigv4/,
  ],
  [
    "prometheus headers",
    withMetric({ provider: { prometheus: { query: "up", headers: [{ key: "a", value: "b" }] } } }),
    "spec.metrics[0].provider.prometheus.headers",
    /headers/,
  ],
  [
    "prometheus timeout",
    withMetric({ provider: { prometheus: { query: "up", timeout: 5 } } }),
    "spec.metrics[0].provider.prometheus.timeout",
    /timeout/,
  ],
  [
    "prometheus range queries",
    withMetric({ provider: { prometheus: { query: "up", rangeQuery: {} } } }),
    "spec.metrics[0].provider.prometheus.rangeQuery",
    /instant/,
  ],
  [
    "insecure web requests",
    withMetric(web({ insecure: true })),
    "spec.metrics[0].provider.web.insecure",
    /TLS/,
  ],
  [
    "a template argument's fieldRef",
    templateObject({ args: [{ name: "a", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }),
    "spec.args[0].valueFrom.fieldRef",
    /Rollout's analysis args/,
  ],
];

describe("unsupported analysis features are refused by name", () => {
  it.each(UNSUPPORTED)("%s", (_, object, path, why) => {
    const error = refusalOf(() => parse(object));
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(/^is not supported by the local engine \(/);
    expect(error.reason).toMatch(why);
  });
});

const INVALID: [string, Record<string, unknown>, string, RegExp][] = [
  ["no metrics", templateObject({ metrics: [] }), "spec.metrics", /at least one metric/],
  [
    "two metrics of one name",
    templateObject({ metrics: [prometheusMetric(), prometheusMetric()] }),
    "spec.metrics[1].name",
    /repeats the metric name "success-rate"/,
  ],
  [
    "count above 1 without an interval",
    withMetric({ interval: undefined, count: 3 }),
    "spec.metrics[0].interval",
    /required when count is more than 1/,
  ],
  [
    "count below failureLimit",
    withMetric({ count: 1, failureLimit: 2 }),
    "spec.metrics[0].count",
    /at least failureLimit/,
  ],
  [
    "count below inconclusiveLimit",
    withMetric({ count: 1, inconclusiveLimit: 2 }),
    "spec.metrics[0].count",
    /at least inconclusiveLimit/,
  ],
  ["a negative failureLimit", withMetric({ failureLimit: -1 }), "spec.metrics[0].failureLimit", /at least 0/],
  [
    "an interval without a unit",
    withMetric({ interval: "30" }),
    "spec.metrics[0].interval",
    /unit after 30 is missing/,
  ],
  ["a numeric interval", withMetric({ interval: 30 }), "spec.metrics[0].interval", /duration string/],
  ["no provider", withMetric({ provider: {} }), "spec.metrics[0].provider", /names no provider/],
  [
    "two providers",
    withMetric({ provider: { prometheus: { query: "up" }, web: { url: "http://x" } } }),
    "spec.metrics[0].provider",
    /several providers/,
  ],
  [
    "no query",
    withMetric({ provider: { prometheus: { address: "http://p" } } }),
    "spec.metrics[0].provider.prometheus.query",
    /is required/,
  ],
  [
    "no url",
    withMetric({ provider: { web: { jsonPath: "{$}" } } }),
    "spec.metrics[0].provider.web.url",
    /is required/,
  ],
  [
    "a web method Argo lacks",
    withMetric(web({ method: "DELETE" })),
    "spec.metrics[0].provider.web.method",
    /GET, POST or PUT/,
  ],
  [
    "a body with GET",
    withMetric(web({ body: "x" })),
    "spec.metrics[0].provider.web.method",
    /POST or PUT to send a body/,
  ],
  [
    "body and jsonBody",
    withMetric(web({ method: "POST", body: "x", jsonBody: {} })),
    "spec.metrics[0].provider.web.jsonBody",
    /cannot both/,
  ],
  [
    "a header without a key",
    withMetric(web({ headers: [{ value: "v" }] })),
    "spec.metrics[0].provider.web.headers[0].key",
    /is required/,
  ],
  ["an unknown metric field", withMetric({ intervall: "1m" }), "spec.metrics[0].intervall", /not a field/],
  [
    "an argument without a name",
    templateObject({ args: [{ value: "v" }] }),
    "spec.args[0].name",
    /is required/,
  ],
  [
    "a secretKeyRef without a key",
    templateObject({ args: [{ name: "a", valueFrom: { secretKeyRef: { name: "s" } } }] }),
    "spec.args[0].valueFrom.secretKeyRef.key",
    /is required/,
  ],
  [
    "a wrong kind",
    { ...templateObject(), kind: "AnalysisRun" },
    "kind",
    /AnalysisTemplate or ClusterAnalysisTemplate/,
  ],
  ["no spec", { ...templateObject(), spec: undefined }, "spec", /is required/],
];

describe("templates Argo would reject are refused with the field", () => {
  it.each(INVALID)("%s", (_, object, path, why) => {
    const error = refusalOf(() => parse(object));
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(why);
  });
});
