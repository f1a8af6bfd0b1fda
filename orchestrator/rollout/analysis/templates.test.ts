import { describe, expect, it } from "vitest";
import type { AnalysisTemplateSpec, MetricSpec } from "../types.ts";
import { AnalysisArgsError, resolveTemplates } from "./templates.ts";

const prometheusMetric = (name: string, query: string, extra: Partial<MetricSpec> = {}): MetricSpec => ({
  name,
  intervalSeconds: 60,
  count: 3,
  failureLimit: 1,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 2,
  successCondition: "result[0] >= 0.99",
  provider: { prometheus: { address: "http://prometheus:9090", query } },
  ...extra,
});

const template = (
  name: string,
  args: AnalysisTemplateSpec["args"],
  metrics: MetricSpec[],
  index = 0,
): AnalysisTemplateSpec => ({
  name,
  clusterScope: false,
  args,
  metrics,
  source: { file: "k8s/canary/analysis-templates.yaml", index },
});

const successRate = template(
  "success-rate",
  [{ name: "service-name" }, { name: "pod-hash" }, { name: "window", value: "2m" }],
  [
    prometheusMetric(
      "success-rate",
      'sum(rate(http_requests_total{service="{{args.service-name}}",hash="{{ args.pod-hash }}"}[{{args.window}}]))',
    ),
  ],
);

describe("resolveTemplates", () => {
  it("substitutes {{args.NAME}} (spaces allowed) with passed values and defaults", () => {
    const [metric] = resolveTemplates([successRate], { "service-name": "tinyurl", "pod-hash": "5d8f7c6b9" });
    expect(metric).toEqual(
      prometheusMetric(
        "success-rate",
        'sum(rate(http_requests_total{service="tinyurl",hash="5d8f7c6b9"}[2m]))',
      ),
    );
  });

  it("lets a passed value override a default, and leaves the templates untouched", () => {
    const before = structuredClone(successRate);
    const [metric] = resolveTemplates([successRate], { "service-name": "a", "pod-hash": "b", window: "5m" });
    expect("prometheus" in metric!.provider && metric!.provider.prometheus.query).toContain("[5m]");
    expect(successRate).toEqual(before);
  });

  it("substitutes in every string field: name, conditions, web url, headers, body, jsonPath", () => {
    const web: MetricSpec = {
      name: "{{args.svc}}-check",
      successCondition: "result.ok == true && '{{args.svc}}' != ''",
      failureCondition: "default(result, 0) > {{ args.restarts.max-restarts }}",
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      provider: {
        web: {
          url: "http://metrics.test/{{args.svc}}?q={{args.svc}}",
          method: "POST",
          headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
          body: '{"service": "{{args.svc}}"}',
          jsonPath: "{$.{{args.svc}}}",
          timeoutSeconds: 5,
        },
      },
    };
    const [metric] = resolveTemplates(
      [
        template(
          "web",
          [{ name: "svc" }, { name: "token" }, { name: "restarts.max-restarts", value: "3" }],
          [web],
        ),
      ],
      { svc: 'new"s\nfeed', token: "t0k" },
    );
    expect(metric).toEqual({
      ...web,
      name: 'new"s\nfeed-check',
      successCondition: "result.ok == true && 'new\"s\nfeed' != ''",
      failureCondition: "default(result, 0) > 3",
      provider: {
        web: {
          ...("web" in web.provider ? web.provider.web : {}),
          url: 'http://metrics.test/new"s\nfeed?q=new"s\nfeed',
          headers: [{ key: "Authorization", value: "Bearer t0k" }],
          body: '{"service": "new"s\nfeed"}',
          jsonPath: '{$.new"s\nfeed}',
        },
      },
    });
  });

  it("merges the args of several templates and concatenates their metrics in order", () => {
    const errorRate = template(
      "error-rate",
      [{ name: "service-name" }, { name: "window", value: "2m" }],
      [prometheusMetric("error-rate", "errors{service='{{args.service-name}}'}[{{args.window}}]")],
      1,
    );
    const metrics = resolveTemplates([successRate, errorRate], { "service-name": "docs", "pod-hash": "h" });
    expect(metrics.map((m) => m.name)).toEqual(["success-rate", "error-rate"]);
    expect("prometheus" in metrics[1]!.provider && metrics[1]!.provider.prometheus.query).toBe(
      "errors{service='docs'}[2m]",
    );
    // A default declared by one template serves an arg another declares without one.
    const withDefault = template("b", [{ name: "pod-hash", value: "default-hash" }], [], 2);
    const [first] = resolveTemplates([successRate, withDefault], { "service-name": "x" });
    expect("prometheus" in first!.provider && first!.provider.prometheus.query).toContain(
      'hash="default-hash"',
    );
  });

  it.each<[string, AnalysisTemplateSpec[], Record<string, string>, string]>([
    [
      "an arg without a value that is not passed",
      [successRate],
      { "service-name": "x" },
      'args.pod-hash was not resolved: k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/success-rate declares "pod-hash" without a value and none was passed',
    ],
    [
      "an arg no template declares",
      [successRate],
      { "service-name": "x", "pod-hash": "y", "servce-name": "typo" },
      'argument "servce-name" is passed to success-rate but none of them declares it (declared: service-name, pod-hash, window)',
    ],
    [
      "two templates with different defaults for one arg",
      [successRate, template("other", [{ name: "window", value: "5m" }], [], 3)],
      { "service-name": "x", "pod-hash": "y" },
      "Argument `window` specified multiple times with different values: '2m' (k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/success-rate), '5m' (k8s/canary/analysis-templates.yaml #3 AnalysisTemplate/other)",
    ],
    [
      "two metrics with one name",
      [successRate, { ...successRate, name: "copy", clusterScope: true, source: { file: "cluster.yaml" } }],
      { "service-name": "x", "pod-hash": "y" },
      "two metrics have the same name 'success-rate': k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/success-rate and cluster.yaml ClusterAnalysisTemplate/copy",
    ],
    [
      "a placeholder for an undeclared arg",
      [template("t", [], [prometheusMetric("m", "up{job='{{args.job}}'}")])],
      {},
      `k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/t: spec.metrics[0].provider.prometheus.query: failed to resolve {{args.job}} (no argument "job" is declared)`,
    ],
    [
      "a placeholder that is not an arg",
      [
        template(
          "t",
          [],
          [prometheusMetric("m", "up", { successCondition: "{{ templates.x.podTemplateHash }} == 1" })],
        ),
      ],
      {},
      "k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/t: spec.metrics[0].successCondition: failed to resolve {{ templates.x.podTemplateHash }}",
    ],
    [
      "an unclosed placeholder",
      [template("t", [], [prometheusMetric("m", "up{{args.x")])],
      {},
      'k8s/canary/analysis-templates.yaml #0 AnalysisTemplate/t: spec.metrics[0].provider.prometheus.query: "{{" without a closing "}}"',
    ],
  ])("refuses %s", (_, templates, args, message) => {
    let error: unknown;
    try {
      resolveTemplates(templates, args);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AnalysisArgsError);
    expect((error as Error).message).toBe(message);
  });

  it("says so when an undeclared arg is passed to templates that declare none", () => {
    expect(() => resolveTemplates([template("t", [], [prometheusMetric("m", "up")])], { x: "1" })).toThrow(
      'argument "x" is passed to t but none of them declares it (declared: none)',
    );
  });
});
