import { describe, expect, it } from "vitest";
import {
  analysisRefsOf,
  checkTemplateRefs,
  loadRolloutSources,
  parseAnalysisTemplate,
  parseRollout,
} from "./spec.ts";
import {
  blueGreenObject,
  canaryObject,
  prometheusMetric,
  refusalOf,
  rolloutObject,
  SOURCE,
  templateObject,
} from "./spec-fixtures.ts";
import { resolveFieldPath } from "./spec-refs.ts";

const stepArgs = (args: unknown[]) =>
  canaryObject({ steps: [{ analysis: { templates: [{ templateName: "t" }], args } }] });
const argsOf = (args: unknown[]) => {
  const { strategy } = parseRollout(stepArgs(args), SOURCE);
  const step = strategy.kind === "canary" ? strategy.steps[0] : undefined;
  return step && "analysis" in step ? step.analysis.args : undefined;
};

describe("a Rollout's analysis arguments", () => {
  it("keep literals and pod template hashes, and resolve fieldRefs on the Rollout", () => {
    expect(
      argsOf([
        { name: "a", value: "1" },
        { name: "empty" },
        { name: "new", valueFrom: { podTemplateHashValue: "Latest" } },
        { name: "old", valueFrom: { podTemplateHashValue: "Stable" } },
        { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "team", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
        { name: "replicas", valueFrom: { fieldRef: { fieldPath: "spec.replicas" } } },
        { name: "image", valueFrom: { fieldRef: { fieldPath: "spec.template.spec.containers[0].image" } } },
      ]),
    ).toEqual([
      { name: "a", value: "1" },
      { name: "empty", value: "" },
      { name: "new", podTemplateHashValue: "Latest" },
      { name: "old", podTemplateHashValue: "Stable" },
      { name: "service", value: "tinyurl" },
      { name: "team", value: "links" },
      { name: "replicas", value: "3" },
      { name: "image", value: "ghcr.io/canary-platform/canary:1.2.3" },
    ]);
  });

  it("refuse a fieldRef that names nothing readable, and a hash of another kind", () => {
    const at = "spec.strategy.canary.steps[0].analysis.args[0]";
    for (const fieldPath of [
      "metadata.uid",
      "spec.template",
      "spec.missing.field",
      "spec.template.spec.containers[x]",
    ]) {
      const error = refusalOf(() =>
        parseRollout(stepArgs([{ name: "a", valueFrom: { fieldRef: { fieldPath } } }]), SOURCE),
      );
      expect(error.path).toBe(`${at}.valueFrom.fieldRef.fieldPath`);
      expect(error.reason).toMatch(/names nothing the local engine can read/);
    }
    const hash = refusalOf(() =>
      parseRollout(stepArgs([{ name: "a", valueFrom: { podTemplateHashValue: "Canary" } }]), SOURCE),
    );
    expect(hash.path).toBe(`${at}.valueFrom.podTemplateHashValue`);
    const secret = refusalOf(() =>
      parseRollout(stepArgs([{ name: "a", valueFrom: { secretKeyRef: {} } }]), SOURCE),
    );
    expect(secret.path).toBe(`${at}.valueFrom.secretKeyRef`);
  });
});

describe("resolveFieldPath", () => {
  const rollout = {
    metadata: { name: "r", annotations: { "a.io/x": "y" } },
    spec: { list: [true, null], n: 0 },
  };
  it.each([
    ["metadata.name", "r"],
    ["metadata.namespace", ""],
    ["metadata.annotations['a.io/x']", "y"],
    ["metadata.labels['none']", ""],
    ["spec.list[0]", "true"],
    ["spec.n", "0"],
    ["spec.list[1]", undefined],
    ["spec.list[5]", undefined],
    ["spec.n.deeper", undefined],
    ["metadata.labels", undefined],
  ])("%s → %j", (path, value) => {
    expect(resolveFieldPath(rollout, path)).toBe(value);
  });
});

describe("checkTemplateRefs", () => {
  const template = (name: string, args: unknown[] = [], metric = name, kind = "AnalysisTemplate") =>
    parseAnalysisTemplate(
      templateObject({ args, metrics: [prometheusMetric({ name: metric })] }, name, kind),
      SOURCE,
    );
  const ref = (templates: unknown[], args: unknown[] = []) => ({ templates, args });
  const rollout = (analysis: Record<string, unknown>) =>
    parseRollout(canaryObject({ analysis, steps: [{ setWeight: 5 }, { analysis }] }), SOURCE);

  it("passes when every template is loaded and gets its arguments", () => {
    const templates = [
      template("a", [{ name: "svc" }, { name: "q", value: "d" }]),
      template("c", [], "c", "ClusterAnalysisTemplate"),
    ];
    const spec = rollout(
      ref([{ templateName: "a" }, { templateName: "c", clusterScope: true }], [{ name: "svc", value: "x" }]),
    );
    expect(() => checkTemplateRefs(spec, templates)).not.toThrow();
    expect(analysisRefsOf(spec).map((r) => r.path)).toEqual([
      "spec.strategy.canary.analysis",
      "spec.strategy.canary.steps[1].analysis",
    ]);
  });

  it("names a template that was not loaded, or loaded at the other scope", () => {
    const spec = rollout(ref([{ templateName: "a", clusterScope: true }]));
    const error = refusalOf(() => checkTemplateRefs(spec, [template("a")]));
    expect(error.message).toMatch(
      /Rollout\/tinyurl: spec\.strategy\.canary\.analysis\.templates\[0\] names ClusterAnalysisTemplate a, which was not loaded/,
    );
  });

  it("names an argument without a value that the Rollout does not give", () => {
    const spec = rollout(ref([{ templateName: "a" }, { templateName: "b" }]));
    const templates = [template("a", [{ name: "svc" }]), template("b", [{ name: "svc" }, { name: "hash" }])];
    const error = refusalOf(() => checkTemplateRefs(spec, templates));
    expect(error.path).toBe("spec.strategy.canary.analysis.args");
    expect(error.reason).toBe("must give argument svc (declared by a, b)");
  });

  it("names an argument no template declares (Argo ignores it; it is a typo or a stale name)", () => {
    const spec = rollout(
      ref(
        [{ templateName: "a" }],
        [
          { name: "svc", value: "x" },
          { name: "sevice", value: "y" },
        ],
      ),
    );
    const error = refusalOf(() => checkTemplateRefs(spec, [template("a", [{ name: "svc" }])]));
    expect(error.path).toBe("spec.strategy.canary.analysis.args[1]");
    expect(error.reason).toBe("gives argument sevice, which no template declares");
  });

  it("takes a default from any template, and refuses two different ones", () => {
    const spec = rollout(ref([{ templateName: "a" }, { templateName: "b" }]));
    const withDefault = [template("a", [{ name: "svc" }]), template("b", [{ name: "svc", value: "x" }])];
    expect(() => checkTemplateRefs(spec, withDefault)).not.toThrow();
    const clashing = [
      template("a", [{ name: "svc", value: "y" }]),
      template("b", [{ name: "svc", value: "x" }]),
    ];
    expect(refusalOf(() => checkTemplateRefs(spec, clashing)).reason).toMatch(/argument svc with two values/);
  });

  it("refuses two templates that measure a metric of the same name", () => {
    const spec = rollout(ref([{ templateName: "a" }, { templateName: "b" }]));
    const error = refusalOf(() => checkTemplateRefs(spec, [template("a", [], "m"), template("b", [], "m")]));
    expect(error.reason).toBe('runs two metrics named "m" (a, b)');
  });

  it("checks blue-green's pre- and post-promotion analyses", () => {
    const analysis = ref([{ templateName: "a" }]);
    const spec = parseRollout(
      blueGreenObject({ prePromotionAnalysis: analysis, postPromotionAnalysis: analysis }),
      SOURCE,
    );
    expect(analysisRefsOf(spec).map((r) => r.path)).toEqual([
      "spec.strategy.blueGreen.prePromotionAnalysis",
      "spec.strategy.blueGreen.postPromotionAnalysis",
    ]);
    expect(refusalOf(() => checkTemplateRefs(spec, [])).path).toBe(
      "spec.strategy.blueGreen.prePromotionAnalysis.templates[0]",
    );
  });
});

describe("loadRolloutSources", () => {
  const doc = (object: unknown, index = 0, file = "all.yaml") => ({ file, index, object });

  it("sorts Rollouts and templates, reads the others for references, and lists refusals by field", () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg" },
      data: { SERVICE: "docs" },
    };
    const docsRollout = rolloutObject(
      { canary: {} },
      { template: { spec: { containers: [{ name: "app", envFrom: [{ configMapRef: { name: "cfg" } }] }] } } },
      { name: "docs" },
    );
    const loaded = loadRolloutSources([
      doc(configMap, 0),
      doc(docsRollout, 1),
      doc(templateObject(), 2),
      doc(canaryObject({ steps: [{ experiment: {} }] }), 3),
      doc({ apiVersion: "argoproj.io/v1alpha1", kind: "Experiment", metadata: { name: "e" } }, 4),
      doc("a scalar", 5),
      doc(templateObject(), 6, "other.yaml"),
      doc({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "w" } }, 7),
    ]);
    expect(loaded.rollouts.map((r) => [r.name, r.service])).toEqual([["docs", "docs"]]);
    expect(loaded.templates.map((t) => t.name)).toEqual(["success-rate"]);
    expect(
      loaded.refused.map(({ file, index, kind, name, reason }) => ({ file, index, kind, name, reason })),
    ).toEqual([
      {
        file: "all.yaml",
        index: 3,
        kind: "Rollout",
        name: "tinyurl",
        reason: expect.stringMatching(/^spec\.strategy\.canary\.steps\[0\]\.experiment is not supported/),
      },
      {
        file: "all.yaml",
        index: 4,
        kind: "Experiment",
        name: "e",
        reason: expect.stringMatching(/^kind is not supported .*Experiment runs .*needs Kubernetes/),
      },
      {
        file: "other.yaml",
        index: 6,
        kind: "AnalysisTemplate",
        name: "success-rate",
        reason: "metadata.name repeats AnalysisTemplate/success-rate of all.yaml #2",
      },
      {
        file: "all.yaml",
        index: 7,
        kind: "Workflow",
        name: "w",
        reason: expect.stringMatching(
          /^kind is not supported .*\(Workflow: the engine runs Rollouts and their analysis templates\)/,
        ),
      },
    ]);
    expect(loaded.refused[0]?.error.message).toMatch(/^all\.yaml #3 Rollout\/tinyurl: /);
  });

  it("passes the fallback service to every Rollout", () => {
    const foreign = rolloutObject(
      { canary: {} },
      { template: { spec: { containers: [{ name: "demo", image: "demo:1" }] } } },
    );
    expect(loadRolloutSources([doc(foreign)]).refused).toHaveLength(1);
    expect(loadRolloutSources([doc(foreign)], { fallbackService: "newsfeed" }).rollouts[0]?.service).toBe(
      "newsfeed",
    );
  });
});
