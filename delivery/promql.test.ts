// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Grafana variables (${var}) in PromQL strings, not templates
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  alertProbe,
  type ManifestDocument,
  metricNames,
  promqlExpressions,
  readK8sDocuments,
  recordedNames,
  substitutePlaceholders,
} from "./promql.ts";

describe("metricNames", () => {
  it.each([
    [
      'sum by (service, version) (rate(http_requests_total{route!~"/healthz",status=~"5.."}[5m]))',
      ["http_requests_total"],
    ],
    [
      "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
      ["http_request_duration_seconds_bucket"],
    ],
    [
      "service_version:http_request_errors:ratio_rate5m > 0.05 and service_version:http_requests:rate5m > 0.1",
      ["service_version:http_request_errors:ratio_rate5m", "service_version:http_requests:rate5m"],
    ],
    ["a / on (service) group_left (version, pod) b", ["a", "b"]],
    ["a unless ignoring(le) b", ["a", "b"]],
    ["sum(x) by (svc) / sum(y) without (pod)", ["x", "y"]],
    ["SUM BY (a) (x) AND y", ["x", "y"]],
    ["up == 0", ["up"]],
    ['absent(process_start_time_seconds{namespace="canary"})', ["process_start_time_seconds"]],
    ["rate(x[5m] offset 1h) - rate(x[5m] @ end())", ["x"]],
    ["max_over_time(rate(x[1m])[10m:1m])", ["x"]],
    ['{__name__="from_matcher", job="j"} + {job="only-labels"}', ["from_matcher"]],
    ['count_values("version", build_info)', ["build_info"]],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', ["up"]],
    ['rate(x{service="$service"}[$__rate_interval]) * ${factor} + $offset_metric', ["x"]],
    ['rate(x{service="{{args.service-name}}"}[2m])', ["x"]],
    ["1e3 * x + 0x1f - .5 + Inf + NaN", ["x"]],
    ["# a comment naming not_a_metric\nx", ["x"]],
    ["topk(5, x) > bool 1 or vector(0)", ["x"]],
    ["time() - process_start_time_seconds", ["process_start_time_seconds"]],
  ])("%s", (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe("substitutePlaceholders", () => {
  const values = {
    "args.service-name": "tinyurl",
    "args.pod-hash": "6f7d9c",
    service: "docs",
    __rate_interval: "1m",
  };

  it("fills Argo args and every Grafana variable form", () => {
    expect(
      substitutePlaceholders(
        'x{service="{{args.service-name}}",rollouts_pod_template_hash="{{ args.pod-hash }}"}',
        values,
      ),
    ).toBe('x{service="tinyurl",rollouts_pod_template_hash="6f7d9c"}');
    expect(
      substitutePlaceholders(
        'rate(x{a="$service",b="${service}",c="${service:regex}",d="[[service]]"}[$__rate_interval])',
        values,
      ),
    ).toBe('rate(x{a="docs",b="docs",c="docs",d="docs"}[1m])');
  });

  it("leaves capture references alone and refuses a placeholder without a value", () => {
    expect(substitutePlaceholders('label_replace(up, "a", "$1", "b", "(.*)")', values)).toContain('"$1"');
    expect(() => substitutePlaceholders('x{v="$version"}', values)).toThrow(/no value for \$version/);
    expect(() => substitutePlaceholders('x{v="{{args.namespace}}"}', values)).toThrow(
      /no value for \{\{args\.namespace\}\}/,
    );
  });
});

describe("alertProbe", () => {
  it.each([
    ['up{namespace="canary"} == 0', 'up{namespace="canary"} == bool 0'],
    ["a > 0.05\nand\nb > 0.1", "a > bool 0.05\nand\nb > bool 0.1"],
    ['absent(x{a="b"})', 'x{a="b"}'],
    ["absent(a == 1)", "a == bool 1"],
    ["absent(a) or absent(b)", "absent(a) or absent(b)"],
    ["x > bool 1", "x > bool 1"],
    ['x{a!="b",c=~"<d>"} >= 1', 'x{a!="b",c=~"<d>"} >= bool 1'],
    ["a > on (s) b", "a > bool on (s) b"],
    ["max by (name) (rollout_info) > 0", "max by (name) (rollout_info) > bool 0"],
  ])("%s", (expr, probe) => {
    expect(alertProbe(expr)).toBe(probe);
  });
});

const dashboardJson = JSON.stringify({
  title: "Test board",
  templating: {
    list: [
      { name: "datasource", type: "datasource", query: "prometheus" },
      { name: "service", type: "query", query: { query: "label_values(http_requests_total, service)" } },
      { name: "job", type: "query", query: "label_values(job)" },
      { name: "top", type: "query", query: "query_result(topk(3, up))" },
    ],
  },
  panels: [
    {
      id: 1,
      title: "Top",
      targets: [
        { refId: "A", expr: "sum(rate(a[5m]))" },
        { refId: "B", expr: "" },
      ],
    },
    {
      id: 2,
      type: "row",
      title: "Collapsed",
      panels: [{ id: 3, title: "Inside", targets: [{ refId: "A", expr: "b" }] }],
    },
    { id: 4, title: "Logs", datasource: { type: "loki" }, targets: [{ refId: "A", expr: '{app="x"}' }] },
    {
      id: 5,
      title: "Mixed",
      targets: [
        { refId: "A", datasource: { type: "loki" }, expr: "logql" },
        { refId: "B", expr: "c" },
      ],
    },
  ],
});

const documents: ManifestDocument[] = [
  {
    file: "k8s/canary/analysis.yaml",
    index: 0,
    object: {
      kind: "AnalysisTemplate",
      metadata: { name: "success-rate" },
      spec: {
        metrics: [
          { name: "success-rate", provider: { prometheus: { query: "sum(rate(a[2m]))" } } },
          { name: "webhook", provider: { web: { url: "http://x" } } },
        ],
      },
    },
  },
  {
    file: "k8s/monitoring/rule.yaml",
    index: 0,
    object: {
      kind: "PrometheusRule",
      metadata: { name: "r" },
      spec: {
        groups: [
          {
            name: "g",
            rules: [
              { record: "s:a:rate5m", expr: "sum(rate(a[5m]))" },
              { alert: "A", expr: "s:a:rate5m > 1" },
            ],
          },
        ],
      },
    },
  },
  {
    file: "k8s/monitoring/board.yaml",
    index: 0,
    object: { kind: "ConfigMap", data: { "board.json": dashboardJson, "notes.txt": "x" } },
  },
  { file: "k8s/base/cm.yaml", index: 0, object: { kind: "ConfigMap", data: { "settings.json": '{"a":1}' } } },
  { file: "k8s/base/deploy.yaml", index: 0, object: { kind: "Deployment", spec: { metrics: [] } } },
];

describe("promqlExpressions", () => {
  it("finds analysis queries, rules, dashboard targets (nested rows too) and variable queries", () => {
    const found = promqlExpressions(documents).map(({ file, source, label, expr }) => [
      file,
      source,
      label,
      expr,
    ]);
    expect(found).toEqual([
      [
        "k8s/canary/analysis.yaml",
        "analysis",
        "AnalysisTemplate success-rate: metric success-rate",
        "sum(rate(a[2m]))",
      ],
      [
        "k8s/monitoring/rule.yaml",
        "recording-rule",
        "PrometheusRule r: group g, record s:a:rate5m",
        "sum(rate(a[5m]))",
      ],
      ["k8s/monitoring/rule.yaml", "alerting-rule", "PrometheusRule r: group g, alert A", "s:a:rate5m > 1"],
      [
        "k8s/monitoring/board.yaml",
        "dashboard-variable",
        'dashboard "Test board" variable $service',
        "http_requests_total",
      ],
      [
        "k8s/monitoring/board.yaml",
        "dashboard-variable",
        'dashboard "Test board" variable $top',
        "topk(3, up)",
      ],
      [
        "k8s/monitoring/board.yaml",
        "dashboard",
        'dashboard "Test board" panel "Top" target A',
        "sum(rate(a[5m]))",
      ],
      ["k8s/monitoring/board.yaml", "dashboard", 'dashboard "Test board" panel "Inside" target A', "b"],
      ["k8s/monitoring/board.yaml", "dashboard", 'dashboard "Test board" panel "Mixed" target B', "c"],
    ]);
    expect(recordedNames(promqlExpressions(documents))).toEqual(["s:a:rate5m"]);
  });

  it("refuses a ConfigMap .json entry that is not JSON", () => {
    const broken = {
      file: "k8s/x.yaml",
      index: 0,
      object: { kind: "ConfigMap", metadata: { name: "b" }, data: { "d.json": "{" } },
    };
    expect(() => promqlExpressions([broken])).toThrow(/k8s\/x\.yaml: ConfigMap b key d\.json is not JSON/);
  });
});

describe("readK8sDocuments", () => {
  const root = mkdtempSync(join(tmpdir(), "canary-promql-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads every document of every YAML file under k8s/, nested folders included", () => {
    mkdirSync(join(root, "k8s/a/b"), { recursive: true });
    writeFileSync(join(root, "k8s/a/one.yaml"), "kind: A\n---\nkind: B\n---\n# only a comment\n");
    writeFileSync(join(root, "k8s/a/b/two.yml"), "kind: C\n");
    writeFileSync(join(root, "k8s/a/readme.md"), "kind: not yaml\n");
    expect(readK8sDocuments(root).map((d) => `${d.file} ${d.object.kind}`)).toEqual([
      "k8s/a/b/two.yml C",
      "k8s/a/one.yaml A",
      "k8s/a/one.yaml B",
    ]);
    writeFileSync(join(root, "k8s/a/bad.yaml"), "kind: [unclosed\n");
    expect(() => readK8sDocuments(root)).toThrow(/k8s\/a\/bad\.yaml/);
  });
});

describe("the repo's dashboards", () => {
  const configMaps = readK8sDocuments().filter(
    (d) =>
      d.object.kind === "ConfigMap" &&
      Object.keys((d.object.data ?? {}) as object).some((k) => k.endsWith(".json")),
  );
  const dashboards = configMaps.flatMap(({ file, object }) =>
    Object.entries(object.data as Record<string, string>).flatMap(([key, json]) => {
      const board = JSON.parse(json) as {
        uid?: string;
        panels?: unknown[];
        templating?: { list: { name: string }[] };
      };
      return board.panels ? [{ file, object, key, board }] : [];
    }),
  );

  it("are ConfigMaps the Grafana sidecar loads, with unique uids", () => {
    expect(dashboards.length).toBeGreaterThan(0);
    for (const { file, object } of dashboards) {
      const labels = (object.metadata as { labels?: Record<string, string> }).labels ?? {};
      expect(labels.grafana_dashboard, file).toBe("1");
    }
    const uids = dashboards.map((d) => d.board.uid);
    expect(uids.every(Boolean)).toBe(true);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("use only variables they define (or Grafana's own)", () => {
    const builtins = ["__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms"];
    const expressions = promqlExpressions().filter((e) => e.source.startsWith("dashboard"));
    for (const { file, board } of dashboards) {
      const defined = new Set([...builtins, ...(board.templating?.list ?? []).map((v) => v.name)]);
      for (const e of expressions.filter((x) => x.file === file)) {
        for (const m of e.expr.matchAll(/\$\{?([A-Za-z_]\w*)/g))
          expect(defined, `${e.label}: $${m[1]}`).toContain(m[1]);
      }
    }
  });
});
