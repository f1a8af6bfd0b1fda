/**
 * Every PromQL expression in k8s/ against the real thing: the three services run, take some traffic, and a
 * real Prometheus scrapes them with the target labels a ServiceMonitor gives them in the cluster and
 * evaluates the repo's rules. Then every metric name must be one the services expose (or a recording rule,
 * or a series Prometheus or the Argo Rollouts controller makes), and every expression must evaluate and
 * return a sample. The controller's rollout_info comes from the local engine's control API, reporting an
 * aborted rollout, so the RolloutAborted alert has its series too.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../functions/shared/net.ts";
import { eventually } from "../functions/shared/testing/eventually.ts";
import { type ServiceProcess, startServiceProcess } from "../functions/shared/testing/service-process.ts";
import { serveControl } from "../orchestrator/rollout/control/api.ts";
import { canaryStatus, FakeRolloutControl } from "../orchestrator/rollout/control/testing/fake-control.ts";
import { writePlainRuleFiles } from "./prometheus-rules.ts";
import {
  type PrometheusServer,
  type ScrapeJob,
  sampleCount,
  skipWithoutPrometheus,
  startPrometheus,
} from "./prometheus-server.ts";
import {
  ARGO_ROLLOUTS_CONTROLLER_METRICS,
  alertProbe,
  metricNames,
  PROMETHEUS_GENERATED_METRICS,
  promqlExpressions,
  recordedNames,
  substitutePlaceholders,
} from "./promql.ts";

const SERVICES = ["tinyurl", "newsfeed", "docs"] as const;
type Service = (typeof SERVICES)[number];
const VERSION = "v-live";
/** The rollouts-pod-template-hash Argo puts on each ReplicaSet's pods (sanitised to an underscore name). */
const POD_HASH: Record<Service, string> = { tinyurl: "5d8f7c6b9", newsfeed: "7b6c9d8f5", docs: "6c9f8d7b5" };

/** What Argo (analysis args) and Grafana (variables) would put in the placeholders, per service. */
const placeholders = (service: Service) => ({
  "args.service-name": service,
  "args.pod-hash": POD_HASH[service],
  service,
  version: VERSION,
  __rate_interval: "1m",
  __interval: "15s",
  __range: "5m",
});

/** Requests a person would make, including 4xx. There is no clean way to make these services answer 5xx. */
async function traffic(urls: Record<Service, string>): Promise<Record<Service, number[]>> {
  const status = async (url: string, init?: RequestInit) => {
    const response = await fetch(url, { redirect: "manual", ...init });
    await response.arrayBuffer();
    return response.status;
  };
  const json = (body: string): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const seen = {} as Record<Service, number[]>;
  for (const service of SERVICES) {
    seen[service] = [await status(`${urls[service]}/`), await status(`${urls[service]}/no/such/page`)];
  }
  const created = await fetch(`${urls.tinyurl}/shorten`, json('{"url":"https://example.com/live"}'));
  const { code } = (await created.json()) as { code: string };
  seen.tinyurl.push(
    created.status,
    await status(`${urls.tinyurl}/${code}`),
    await status(`${urls.tinyurl}/shorten`, json("{")),
  );
  seen.newsfeed.push(
    await status(`${urls.newsfeed}/api/newsfeed`),
    await status(`${urls.newsfeed}/api/recommendations/reader-1`),
    await status(`${urls.newsfeed}/api/like/1`, { method: "POST" }),
  );
  seen.docs.push(
    await status(`${urls.docs}/api/documents`, json('{"title":"live"}')),
    await status(`${urls.docs}/api/documents`, json("{}")),
  );
  return seen;
}

/** Metric names in a /metrics page: every sample line, and every declared family with its series suffixes. */
function exposedNames(page: string): string[] {
  const names = new Set<string>();
  for (const line of page.split("\n")) {
    const declared = /^# TYPE (\S+) (\S+)/.exec(line);
    if (declared) {
      const [, name, type] = declared;
      names.add(name!);
      if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name! + suffix);
      if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name! + suffix);
    } else if (line && !line.startsWith("#")) names.add(/^[^{\s]+/.exec(line)![0]);
  }
  return [...names];
}

const hasPlaceholder = (expr: string) => /\{\{\s*args\.|\$|\[\[/.test(expr);

describe.skipIf(skipWithoutPrometheus("PromQL against live services"))("the repo's PromQL, live", () => {
  const expressions = promqlExpressions();
  const dirs: string[] = [];
  const urls = {} as Record<Service, string>;
  let services: ServiceProcess | undefined;
  let prometheus: PrometheusServer | undefined;
  let rollouts: Awaited<ReturnType<typeof serveControl>> | undefined;
  let statuses: Record<Service, number[]>;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "canary-live-data-"));
    const rulesDir = mkdtempSync(join(tmpdir(), "canary-live-rules-"));
    dirs.push(dataDir, rulesDir);
    const ports = { tinyurl: await freePort(), newsfeed: await freePort(), docs: await freePort() };
    services = await startServiceProcess({
      SERVICES: SERVICES.join(","),
      TINYURL_PORT: String(ports.tinyurl),
      NEWSFEED_PORT: String(ports.newsfeed),
      DOCS_PORT: String(ports.docs),
      DATA_DIR: dataDir,
      APP_VERSION: VERSION,
    });
    // It resolves on the first "listening" line; the others start after it.
    for (const service of SERVICES) {
      urls[service] = `http://127.0.0.1:${ports[service]}`;
      await eventually(() => fetch(`${urls[service]}/healthz`).then((r) => r.ok), Boolean, {
        what: `${service} /healthz`,
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    }
    // The Argo Rollouts controller's series, as the local engine's control API serves them, for a rollout
    // that was aborted: what the RolloutAborted alert watches.
    rollouts = await serveControl(
      new FakeRolloutControl([canaryStatus({ phase: "Degraded", aborted: true, namespace: "canary" })]),
      { port: 0 },
    );
    prometheus = await startPrometheus({
      ruleFiles: writePlainRuleFiles(rulesDir),
      // What the ServiceMonitors (k8s/base/*/servicemonitor.yaml: Service <name>-metrics, honorLabels,
      // podTargetLabels) give each pod in the cluster. The target's `service` label is the Kubernetes
      // Service; honorLabels lets the metrics' own `service` win, as the queries expect.
      jobs: SERVICES.map(
        (service): ScrapeJob => ({
          job: `${service}-metrics`,
          honorLabels: true,
          targets: [
            {
              url: urls[service],
              labels: {
                namespace: "canary",
                service: `${service}-metrics`,
                pod: `${service}-${POD_HASH[service]}-x7k2p`,
                container: "app",
                endpoint: "http",
                rollouts_pod_template_hash: POD_HASH[service],
              },
            },
          ],
        }),
      ).concat({
        // Like the chart's controller ServiceMonitor: no honorLabels, so the rollout's namespace arrives as
        // exported_namespace next to the controller's own.
        job: "argo-rollouts-metrics",
        honorLabels: false,
        targets: [{ url: rollouts!.url, labels: { namespace: "argo-rollouts" } }],
      }),
    });
    // Twice, with a scrape between, so counters move between two scrapes and rates are not zero.
    await traffic(urls);
    await prometheus.waitForScrapes(1, { since: new Date() });
    statuses = await traffic(urls);
    await prometheus.waitForScrapes(2, { since: new Date() });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await rollouts?.close();
    services?.child.kill("SIGTERM");
    await services?.exited;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("sends successes and client errors to every service", () => {
    for (const service of SERVICES) {
      expect(
        statuses[service].some((s) => s >= 200 && s < 400),
        `${service}: ${statuses[service]}`,
      ).toBe(true);
      expect(
        statuses[service].some((s) => s >= 400 && s < 500),
        `${service}: ${statuses[service]}`,
      ).toBe(true);
    }
  });

  it("finds the rules and dashboards of k8s/monitoring", () => {
    const sources = new Set(expressions.map((e) => e.source));
    for (const source of ["recording-rule", "alerting-rule", "dashboard"] as const)
      expect(sources).toContain(source);
  });

  it("uses only metric names the services expose, the repo records, or Prometheus and Argo make", async () => {
    const known = new Set<string>([
      ...recordedNames(expressions),
      ...PROMETHEUS_GENERATED_METRICS,
      ...ARGO_ROLLOUTS_CONTROLLER_METRICS,
    ]);
    for (const service of SERVICES) {
      for (const name of exposedNames(await (await fetch(`${urls[service]}/metrics`)).text()))
        known.add(name);
    }
    const unknown = expressions.flatMap((e) =>
      metricNames(e.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${e.file}: ${e.label}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it("has recording rules that see the traffic", async () => {
    for (const service of SERVICES) {
      await prometheus!.waitForSamples(
        `service_version:http_requests:rate5m{service="${service}"} > 0`,
        15_000,
      );
    }
  });

  it("evaluates every expression, and each returns a sample (alerts through their probe)", async () => {
    const failures: string[] = [];
    for (const e of expressions) {
      const query = e.source === "alerting-rule" ? alertProbe(e.expr) : e.expr;
      const variants = hasPlaceholder(query) ? SERVICES : [undefined];
      for (const service of variants) {
        const where = `${e.file}: ${e.label}${service ? ` (${service})` : ""}`;
        try {
          const text = service ? substitutePlaceholders(query, placeholders(service)) : query;
          const result = await prometheus!.query(text);
          if (sampleCount(result) > 0) continue;
          failures.push(`${where}: no sample for ${text}`);
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
