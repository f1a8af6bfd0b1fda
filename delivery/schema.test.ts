import { describe, expect, it } from "vitest";
import type { KubeObject } from "./manifests.ts";
import { knownKinds, schemaIssues, validateDocument, validateDocuments } from "./schema.ts";

const meta = (name: string) => ({ metadata: { name } });
const template = { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "a", image: "a:1" }] } };

/** One valid object of every family the validator covers. */
const VALID: KubeObject[] = [
  { apiVersion: "v1", kind: "Service", ...meta("s"), spec: { ports: [{ port: 80, targetPort: "http" }] } },
  { apiVersion: "v1", kind: "ConfigMap", ...meta("c"), data: { A: "1" } },
  {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    ...meta("ss"),
    spec: { selector: {}, serviceName: "ss", template },
  },
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    ...meta("h"),
    spec: {
      maxReplicas: 3,
      scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "r" },
    },
  },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget", ...meta("p"), spec: { maxUnavailable: 1 } },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...meta("n"), spec: { podSelector: {} } },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...meta("i"), spec: { ingressClassName: "nginx" } },
  {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    ...meta("r"),
    spec: {
      selector: { matchLabels: { app: "a" } },
      template,
      strategy: { canary: { steps: [{ pause: { duration: "2m" } }] } },
    },
  },
  {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    ...meta("t"),
    spec: { metrics: [{ name: "m", provider: {} }] },
  },
  {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ClusterAnalysisTemplate",
    ...meta("ct"),
    spec: { metrics: [] },
  },
  { apiVersion: "argoproj.io/v1alpha1", kind: "AnalysisRun", ...meta("ar"), spec: { metrics: [] } },
  { apiVersion: "argoproj.io/v1alpha1", kind: "Experiment", ...meta("e"), spec: { templates: [] } },
  {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    ...meta("app"),
    spec: { project: "p", destination: { namespace: "n" }, source: { repoURL: "https://x", path: "k8s" } },
  },
  { apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", ...meta("proj"), spec: { sourceRepos: ["*"] } },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    ...meta("sm"),
    spec: { selector: {}, endpoints: [{ port: "http" }] },
  },
  { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", ...meta("pm"), spec: { selector: {} } },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    ...meta("pr"),
    spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0" }] }] },
  },
  {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: ["a.yaml"],
    namespace: "n",
  },
];

describe("schemaIssues", () => {
  it.each(VALID.map((o) => [`${o.apiVersion} ${o.kind}`, o]))("accepts a valid %s", (_, object) => {
    expect(schemaIssues(object)).toEqual([]);
  });

  it.each([
    [
      "a Service port that is not a number",
      VALID[0],
      { spec: { ports: [{ port: "eighty" }] } },
      "/spec/ports/0/port",
      "must be integer",
    ],
    [
      "an HPA without scaleTargetRef",
      VALID[3],
      { spec: { maxReplicas: 3 } },
      "/spec",
      "must have required property scaleTargetRef",
    ],
    [
      "a Rollout pause of the wrong type",
      VALID[7],
      { spec: { strategy: { canary: { steps: [{ pause: { duration: true } }] } } } },
      "/spec/strategy/canary/steps/0/pause/duration",
      "must be string",
    ],
    [
      "a blue-green Rollout without activeService",
      VALID[7],
      { spec: { strategy: { blueGreen: {} } } },
      "/spec/strategy/blueGreen",
      "must have required property activeService",
    ],
    [
      "an AnalysisTemplate metric without a name",
      VALID[8],
      { spec: { metrics: [{ provider: {} }] } },
      "/spec/metrics/0",
      "must have required property name",
    ],
    [
      "an Application without a destination",
      VALID[12],
      { spec: { project: "p" } },
      "/spec",
      "must have required property destination",
    ],
    [
      "a ServiceMonitor with endpoints that are not a list",
      VALID[14],
      { spec: { selector: {}, endpoints: "http" } },
      "/spec/endpoints",
      "must be array",
    ],
    [
      "a PrometheusRule group without rules being a list",
      VALID[16],
      { spec: { groups: [{ name: "g", rules: {} }] } },
      "/spec/groups/0/rules",
      "must be array",
    ],
  ])("refuses %s, naming the path", (_, valid, change, path, message) => {
    const issues = schemaIssues({ ...valid!, ...change } as KubeObject);
    expect(issues).toContainEqual({ path, message });
  });

  it("refuses an object without a name, as the API server would", () => {
    expect(schemaIssues({ apiVersion: "v1", kind: "ConfigMap", data: {} })).toEqual([
      { path: "/metadata/name", message: "is required" },
    ]);
    expect(schemaIssues({ apiVersion: "v1", kind: "Pod", metadata: { generateName: "p-" } })).toEqual([]);
  });

  it("names an unknown kind, including one of an API version clusters no longer serve", () => {
    expect(schemaIssues({ apiVersion: "example.com/v1", kind: "Widget", ...meta("w") })).toEqual([
      { path: "", message: "unknown kind Widget (example.com/v1): no schema for it" },
    ]);
    expect(
      schemaIssues({ apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", ...meta("p") })[0]?.message,
    ).toBe("unknown kind PodDisruptionBudget (policy/v1beta1): no schema for it");
    expect(schemaIssues({ data: {} })).toEqual([{ path: "", message: "has no apiVersion and kind" }]);
  });

  it("refuses kustomization fields kustomize does not have, and badly typed ones", () => {
    const kustomization = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };
    expect(schemaIssues({ ...kustomization, resource: ["a.yaml"] })).toEqual([
      { path: "/resource", message: "is not a kustomization field" },
    ]);
    expect(schemaIssues({ ...kustomization, resources: "a.yaml", namespace: 1 })).toEqual([
      { path: "/resources", message: "must be a list of strings" },
      { path: "/namespace", message: "must be a string" },
    ]);
  });

  it("knows the kinds the assets use", () => {
    expect(knownKinds()).toEqual(
      expect.arrayContaining([
        "apps/v1 Deployment",
        "v1 Secret",
        "autoscaling/v2 HorizontalPodAutoscaler",
        "argoproj.io/v1alpha1 Rollout",
        "argoproj.io/v1alpha1 Experiment",
        "argoproj.io/v1alpha1 AppProject",
        "monitoring.coreos.com/v1 PrometheusRule",
        "kustomize.config.k8s.io/v1beta1 Kustomization",
      ]),
    );
  });
});

describe("validateDocument", () => {
  it("names the file, the document, the object and the schema path", () => {
    const document = {
      file: "k8s/x.yaml",
      index: 1,
      object: { ...VALID[0]!, spec: { ports: [{ port: "eighty" }] } },
    };
    expect(validateDocument(document)).toEqual([
      "k8s/x.yaml[1] Service/s /spec/ports/0/port: must be integer",
    ]);
    expect(validateDocuments([document, { file: "k8s/y.yaml", index: 0, object: VALID[1]! }])).toHaveLength(
      1,
    );
    expect(
      validateDocument({ file: "k8s/z.yaml", index: 0, object: { kind: "Widget", apiVersion: "x/v1" } }),
    ).toEqual(["k8s/z.yaml[0] Widget/? /: unknown kind Widget (x/v1): no schema for it"]);
  });
});
