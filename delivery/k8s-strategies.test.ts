/**
 * The release plans themselves, as the issue and delivery.md state them: blue-green with a manual promotion
 * between two analyses, canary in 10/25/50/75% steps with a pause and an analysis at each, four analysis
 * templates over the metrics the services expose, and an Argo CD Application per strategy with the
 * notifications asked for.
 */
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { field, type KubeObject, loadManifestFile, loadManifestTree } from "./manifests.ts";
import { buildKustomization } from "./manifests-kustomize.ts";

const K8S = resolve(import.meta.dirname, "../k8s");
const SERVICES = ["docs", "newsfeed", "tinyurl"];
const TEMPLATES = ["success-rate", "error-rate", "latency-p95", "latency-p99"];
const PROMETHEUS = "http://kube-prometheus-stack-prometheus.monitoring:9090";
const SELECTOR = 'service="{{args.service-name}}",rollouts_pod_template_hash="{{args.pod-hash}}"';

const objects = (overlay: string) => buildKustomization(join(K8S, overlay)).objects.map((d) => d.object);
const ofKind = (list: KubeObject[], kind: string) => list.filter((o) => o.kind === kind);
const nameOf = (o: KubeObject) => String(field(o, "metadata", "name"));
const strategyOf = (o: KubeObject, type: string) =>
  field(o, "spec", "strategy", type) as Record<string, unknown>;

/** What a Rollout's analysis should be: the four templates, the service and the new pods' hash. */
const EXPECTED_ANALYSIS = {
  templates: TEMPLATES.map((templateName) => ({ templateName })),
  args: [
    { name: "service-name", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "pod-hash", valueFrom: { podTemplateHashValue: "Latest" } },
  ],
};

describe("blue-green", () => {
  const built = objects("blue-green");
  const rollouts = ofKind(built, "Rollout");

  it("releases each service with a preview, a manual promotion and analyses before and after it", () => {
    expect(rollouts.map(nameOf).sort()).toEqual(SERVICES);
    for (const rollout of rollouts) {
      const name = nameOf(rollout);
      const blueGreen = strategyOf(rollout, "blueGreen");
      expect(blueGreen).toMatchObject({
        activeService: name,
        previewService: `${name}-preview`,
        autoPromotionEnabled: false,
      });
      expect(blueGreen.scaleDownDelaySeconds).toBeGreaterThan(0);
      expect(blueGreen.previewReplicaCount).toBeGreaterThanOrEqual(1);
      expect(blueGreen.prePromotionAnalysis).toEqual(EXPECTED_ANALYSIS);
      expect(blueGreen.postPromotionAnalysis).toEqual(EXPECTED_ANALYSIS);
      expect(field(rollout, "spec", "strategy", "canary")).toBeUndefined();
    }
  });

  it("routes each host to the active Service and the preview host to the preview one", () => {
    const backends = ofKind(built, "Ingress").flatMap((ingress) =>
      (
        field(ingress, "spec", "rules") as {
          host: string;
          http: { paths: { backend: { service: { name: string } } }[] };
        }[]
      ).map((rule) => `${rule.host} → ${rule.http.paths[0]!.backend.service.name}`),
    );
    expect(backends.sort()).toEqual(
      SERVICES.flatMap((s) => [`${s}.localhost → ${s}`, `preview.${s}.localhost → ${s}-preview`]).sort(),
    );
  });
});

describe("canary", () => {
  const built = objects("canary");
  const rollouts = ofKind(built, "Rollout");

  it("shifts 10% → 25% → 50% → 75%, each weight held 2 minutes then analysed, through nginx", () => {
    expect(rollouts.map(nameOf).sort()).toEqual(SERVICES);
    for (const rollout of rollouts) {
      const name = nameOf(rollout);
      const canary = strategyOf(rollout, "canary");
      expect(canary).toMatchObject({
        canaryService: `${name}-canary`,
        stableService: name,
        trafficRouting: { nginx: { stableIngress: name } },
      });
      expect(canary.abortScaleDownDelaySeconds).toBeGreaterThan(0);
      expect(canary.steps).toEqual(
        [10, 25, 50, 75].flatMap((setWeight) => [
          { setWeight },
          { pause: { duration: "2m" } },
          { analysis: EXPECTED_ANALYSIS },
        ]),
      );
      expect(field(rollout, "spec", "strategy", "blueGreen")).toBeUndefined();
    }
  });

  it("keeps live connections open through the ingress for the services that hold them", () => {
    for (const ingress of ofKind(built, "Ingress")) {
      expect(field(ingress, "spec", "ingressClassName")).toBe("nginx");
      const timeout = field(
        ingress,
        "metadata",
        "annotations",
        "nginx.ingress.kubernetes.io/proxy-read-timeout",
      );
      if (nameOf(ingress) !== "tinyurl") expect(Number(timeout)).toBeGreaterThanOrEqual(3600);
    }
  });
});

describe("analysis templates", () => {
  const canary = loadManifestFile(join(K8S, "canary/analysis-templates.yaml")).map((d) => d.object);

  it("are the same in both overlays (kustomize cannot share one file between them)", () => {
    const blueGreen = loadManifestFile(join(K8S, "blue-green/analysis-templates.yaml")).map((d) => d.object);
    expect(blueGreen).toEqual(canary);
  });

  it("judge success rate, error rate, p95 and p99 latency of the new pods of one service", () => {
    expect(canary.map(nameOf)).toEqual(TEMPLATES);
    for (const template of canary) {
      expect(field(template, "spec", "args")).toEqual([{ name: "service-name" }, { name: "pod-hash" }]);
      const metrics = field(template, "spec", "metrics") as Record<string, unknown>[];
      expect(metrics).toHaveLength(1);
      const metric = metrics[0]!;
      expect(metric).toMatchObject({ name: nameOf(template), interval: "1m", count: 3, failureLimit: 1 });
      expect(String(metric.successCondition)).toMatch(/^result\[0\] (>=|<=) 0\.\d+$/);
      expect(field(metric, "provider", "prometheus", "address")).toBe(PROMETHEUS);
      const query = String(field(metric, "provider", "prometheus", "query"));
      // Every series selector starts with the two matchers delivery.md fixes.
      const selectors = [...query.matchAll(/(http_requests_total|http_request_duration_seconds_bucket)\{/g)];
      expect(selectors.length).toBeGreaterThan(0);
      for (const match of selectors)
        expect(query.slice(match.index + match[0].length)).toMatch(new RegExp(`^${escapeRegExp(SELECTOR)}`));
    }
  });

  it("use the services' real metric names and a sample even when nothing failed", () => {
    const queries = Object.fromEntries(
      canary.map((t) => [
        nameOf(t),
        String(field(t, "spec", "metrics", 0, "provider", "prometheus", "query")),
      ]),
    );
    expect(queries["success-rate"]).toMatch(
      /http_requests_total\{[^\]]*status!~"5\.\."[^\]]*\}\[2m\]\)\)\s*or vector\(0\)/,
    );
    expect(queries["error-rate"]).toMatch(
      /http_requests_total\{[^\]]*status=~"5\.\."[^\]]*\}\[2m\]\)\)\s*or vector\(0\)/,
    );
    expect(queries["latency-p95"]).toMatch(
      /histogram_quantile\(0\.95,\s*sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{/,
    );
    expect(queries["latency-p99"]).toMatch(
      /histogram_quantile\(0\.99,\s*sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{/,
    );
  });
});

describe("Argo CD", () => {
  const argocd = loadManifestTree(join(K8S, "argocd")).map((d) => d.object);

  it("has one automated, self-healing, retrying Application per strategy, on main", () => {
    const applications = ofKind(argocd, "Application");
    expect(applications.map((a) => field(a, "spec", "source", "path")).sort()).toEqual([
      "k8s/blue-green",
      "k8s/canary",
    ]);
    for (const application of applications) {
      expect(field(application, "spec", "source")).toMatchObject({
        repoURL: "https://github.com/canary-platform/canary.git",
        targetRevision: "main",
      });
      expect(field(application, "spec", "destination", "namespace")).toBe("canary");
      const syncPolicy = field(application, "spec", "syncPolicy") as Record<string, unknown>;
      expect(syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(syncPolicy.syncOptions).toContain("CreateNamespace=true");
      expect(field(syncPolicy, "retry", "backoff")).toMatchObject({
        duration: expect.any(String),
        factor: 2,
      });
    }
  });

  it("notifies on failed syncs, aborted rollouts and failed analyses, by Slack and email", () => {
    const data = (name: string) =>
      field(
        ofKind(argocd, "ConfigMap").find((c) => nameOf(c) === name),
        "data",
      ) as Record<string, string>;
    const argoCd = data("argocd-notifications-cm");
    const rollouts = data("argo-rollouts-notification-configmap");
    expect(Object.keys(argoCd)).toEqual(
      expect.arrayContaining(["trigger.on-sync-failed", "service.slack", "service.email"]),
    );
    expect(Object.keys(rollouts)).toEqual(
      expect.arrayContaining([
        "trigger.on-rollout-aborted",
        "trigger.on-analysis-run-failed",
        "service.slack",
        "service.email",
      ]),
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
