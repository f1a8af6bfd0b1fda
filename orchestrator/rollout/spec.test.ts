import { describe, expect, it } from "vitest";
import { parseRollout, RolloutSpecError } from "./spec.ts";
import {
  blueGreenObject,
  canaryObject,
  nginx,
  podTemplate,
  refusalOf,
  rolloutObject,
  routed,
  SOURCE,
} from "./spec-fixtures.ts";

const parse = (object: unknown) => parseRollout(object, SOURCE);

describe("parseRollout: canary", () => {
  it("reads the steps, the pod template and Argo's defaults for a basic canary", () => {
    const spec = parse(
      canaryObject({
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: "40s" } }],
      }),
    );
    expect(spec).toEqual({
      name: "tinyurl",
      service: "tinyurl",
      replicas: 3,
      imageTag: "1.2.3",
      port: 5000,
      strategy: {
        kind: "canary",
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { durationSeconds: 40 } }],
        trafficRouting: null,
        // A basic canary scales replicas with the weight: Argo applies no delay to it.
        scaleDownDelaySeconds: 0,
        abortScaleDownDelaySeconds: 0,
      },
      source: SOURCE,
    });
  });

  it("takes a pause duration as seconds, a numeric string, or a Go duration", () => {
    const spec = parse(
      canaryObject({
        steps: [{ pause: { duration: 10 } }, { pause: { duration: "30" } }, { pause: { duration: "1h30m" } }],
      }),
    );
    expect(spec.strategy.kind === "canary" && spec.strategy.steps).toEqual([
      { pause: { durationSeconds: 10 } },
      { pause: { durationSeconds: 30 } },
      { pause: { durationSeconds: 5400 } },
    ]);
  });

  it("applies the 30 s delays with nginx traffic routing, and takes explicit ones", () => {
    const defaults = parse(canaryObject({ ...routed, steps: [{ setWeight: 10 }] }));
    expect(defaults.strategy).toMatchObject({
      trafficRouting: nginx,
      canaryService: "tinyurl-canary",
      stableService: "tinyurl",
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
    });
    const explicit = parse(
      canaryObject({ ...routed, scaleDownDelaySeconds: 5, abortScaleDownDelaySeconds: 60 }),
    );
    expect(explicit.strategy).toMatchObject({ scaleDownDelaySeconds: 5, abortScaleDownDelaySeconds: 60 });
    // 0 is Argo's "never scale the aborted version down"; the state machines read it so.
    const keep = parse(canaryObject({ ...routed, abortScaleDownDelaySeconds: 0 }));
    expect(keep.strategy).toMatchObject({ abortScaleDownDelaySeconds: 0 });
    const noRevision = parse(
      canaryObject({ ...routed, scaleDownDelaySeconds: 5, scaleDownDelayRevisionLimit: 0 }),
    );
    expect(noRevision.strategy).toMatchObject({ scaleDownDelaySeconds: 0 });
  });

  it("takes the first of stableIngresses when stableIngress is absent", () => {
    const spec = parse(
      canaryObject({ ...routed, trafficRouting: { nginx: { stableIngresses: ["a", "b"] } } }),
    );
    expect(spec.strategy).toMatchObject({ trafficRouting: { nginx: { stableIngress: "a" } } });
  });

  it("reads background analysis with its starting step (default 0)", () => {
    const analysis = { templates: [{ templateName: "success-rate" }] };
    const spec = parse(canaryObject({ analysis, steps: [{ setWeight: 50 }] }));
    expect(spec.strategy).toMatchObject({
      analysis: {
        templates: [{ templateName: "success-rate", clusterScope: false }],
        args: [],
        startingStep: 0,
      },
    });
    const later = parse(canaryObject({ analysis: { ...analysis, startingStep: 2 } }));
    expect(later.strategy).toMatchObject({ analysis: { startingStep: 2 } });
  });

  it("accepts what cannot change a local release: surge limits, pod metadata, anti-affinity", () => {
    const spec = parse(
      canaryObject(
        {
          maxSurge: "25%",
          maxUnavailable: 1,
          antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 1 } },
          canaryMetadata: { labels: { role: "canary" } },
          stableMetadata: { labels: { role: "stable" } },
          dynamicStableScale: false,
          minPodsPerReplicaSet: 1,
        },
        {
          revisionHistoryLimit: 2,
          paused: false,
          minReadySeconds: 0,
          analysis: { successfulRunHistoryLimit: 3 },
        },
      ),
    );
    expect(spec.strategy).toMatchObject({ kind: "canary", steps: [] });
  });
});

describe("parseRollout: blue-green", () => {
  it("applies Argo's defaults", () => {
    expect(parse(blueGreenObject({})).strategy).toEqual({
      kind: "blueGreen",
      activeService: "tinyurl",
      autoPromotionEnabled: true,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
    });
  });

  it("reads the preview, the promotion settings and both analyses", () => {
    const analysis = { templates: [{ templateName: "success-rate" }], args: [{ name: "x", value: "1" }] };
    const spec = parse(
      blueGreenObject({
        previewService: "tinyurl-preview",
        previewReplicaCount: 1,
        autoPromotionSeconds: 60,
        scaleDownDelaySeconds: 600,
        abortScaleDownDelaySeconds: 10,
        prePromotionAnalysis: analysis,
        postPromotionAnalysis: analysis,
        activeMetadata: { labels: { role: "active" } },
      }),
    );
    const ref = {
      templates: [{ templateName: "success-rate", clusterScope: false }],
      args: [{ name: "x", value: "1" }],
    };
    expect(spec.strategy).toEqual({
      kind: "blueGreen",
      activeService: "tinyurl",
      previewService: "tinyurl-preview",
      previewReplicaCount: 1,
      autoPromotionEnabled: true,
      autoPromotionSeconds: 60,
      scaleDownDelaySeconds: 600,
      abortScaleDownDelaySeconds: 10,
      prePromotionAnalysis: ref,
      postPromotionAnalysis: ref,
    });
  });

  it("drops autoPromotionSeconds when auto-promotion is off, as Argo ignores it", () => {
    const spec = parse(blueGreenObject({ autoPromotionEnabled: false, autoPromotionSeconds: 60 }));
    expect(spec.strategy).toMatchObject({ autoPromotionEnabled: false });
    expect(spec.strategy).not.toHaveProperty("autoPromotionSeconds");
  });
});

describe("parseRollout: the pod template", () => {
  const withContainer = (container: Record<string, unknown>) =>
    rolloutObject({ canary: {} }, { template: podTemplate(container) });

  it("defaults to one replica and keeps the namespace", () => {
    const spec = parse(rolloutObject({ canary: {} }, { replicas: undefined }, { namespace: "canary" }));
    expect(spec).toMatchObject({ replicas: 1, namespace: "canary" });
  });

  it("finds the service in SERVICE, from env or a loaded ConfigMap, before the container's name", () => {
    const env = withContainer({ env: [{ name: "SERVICE", value: "Newsfeed " }] });
    expect(parse(env).service).toBe("newsfeed");
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg" },
      data: { SERVICE: "docs" },
    };
    const fromConfigMap = withContainer({ envFrom: [{ configMapRef: { name: "cfg" } }] });
    expect(parseRollout(fromConfigMap, SOURCE, { objects: [configMap] }).service).toBe("docs");
    const prefixed = withContainer({ envFrom: [{ prefix: "SER", configMapRef: { name: "cfg2" } }] });
    const cfg2 = { ...configMap, metadata: { name: "cfg2" }, data: { VICE: "newsfeed" } };
    expect(parseRollout(prefixed, SOURCE, { objects: [cfg2] }).service).toBe("newsfeed");
    const keyRef = withContainer({
      env: [{ name: "SERVICE", valueFrom: { configMapKeyRef: { name: "cfg", key: "SERVICE" } } }],
    });
    expect(parseRollout(keyRef, SOURCE, { objects: [configMap] }).service).toBe("docs");
    // Unresolvable references fall back to the container's name.
    expect(parse(keyRef).service).toBe("tinyurl");
  });

  it("asks for SERVICE when the image is not one of ours, unless a fallback is given", () => {
    const foreign = withContainer({ name: "rollouts-demo", image: "argoproj/rollouts-demo:blue", ports: [] });
    const error = refusalOf(() => parse(foreign));
    expect(error.path).toBe("spec.template.spec.containers[0].env");
    expect(error.reason).toMatch(/must set SERVICE to one of tinyurl, newsfeed, docs.*rollouts-demo/);
    const spec = parseRollout(foreign, SOURCE, { fallbackService: "docs" });
    expect(spec).toMatchObject({ service: "docs", imageTag: "blue", port: null });
    const wrong = refusalOf(() => parse(withContainer({ env: [{ name: "SERVICE", value: "shop" }] })));
    expect(wrong.reason).toMatch(/sets SERVICE to "shop", not one of/);
  });

  it("takes the port named http, else the first, and the image's tag", () => {
    const ports = [
      { name: "metrics", containerPort: 9090 },
      { name: "http", containerPort: 8080 },
    ];
    expect(parse(withContainer({ ports })).port).toBe(8080);
    expect(parse(withContainer({ ports: [{ containerPort: 7000 }] })).port).toBe(7000);
    expect(parse(withContainer({ image: "registry:5000/canary" })).imageTag).toBeNull();
    expect(parse(withContainer({ image: "registry:5000/canary:2.0@sha256:abc" })).imageTag).toBe("2.0");
    expect(parse(withContainer({ image: undefined })).imageTag).toBeNull();
  });

  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { template: podTemplate({ image: "ghcr.io/canary-platform/canary:9.9" }) },
  };
  const referring = rolloutObject(
    { canary: {} },
    {
      template: undefined,
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web", scaleDown: "never" },
    },
  );

  it("resolves a workloadRef to a loaded Deployment", () => {
    expect(parseRollout(referring, SOURCE, { objects: [deployment] }).imageTag).toBe("9.9");
  });

  it("resolves a workloadRef to a PodTemplate or ReplicaSet in the Rollout's namespace", () => {
    const podTemplateObject = {
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: { name: "web", namespace: "ns" },
      template: podTemplate({ image: "x:7" }),
    };
    const ref = { apiVersion: "v1", kind: "PodTemplate", name: "web" };
    const inNamespace = rolloutObject(
      { canary: {} },
      { template: {}, workloadRef: ref },
      { namespace: "ns" },
    );
    expect(parseRollout(inNamespace, SOURCE, { objects: [podTemplateObject] }).imageTag).toBe("7");
    const elsewhere = rolloutObject({ canary: {} }, { template: undefined, workloadRef: ref });
    expect(refusalOf(() => parseRollout(elsewhere, SOURCE, { objects: [podTemplateObject] })).path).toBe(
      "spec.workloadRef",
    );
    const replicaSet = { ...deployment, kind: "ReplicaSet" };
    const toReplicaSet = rolloutObject(
      { canary: {} },
      { template: undefined, workloadRef: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web" } },
    );
    expect(parseRollout(toReplicaSet, SOURCE, { objects: [replicaSet] }).imageTag).toBe("9.9");
  });

  it("refuses a workload Argo cannot refer to, or one without a template", () => {
    const statefulSet = rolloutObject(
      { canary: {} },
      { template: undefined, workloadRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "web" } },
    );
    expect(refusalOf(() => parse(statefulSet)).reason).toMatch(/apps\/v1 StatefulSet; Argo refers only to/);
    const empty = { ...deployment, spec: {} };
    const error = refusalOf(() => parseRollout(referring, SOURCE, { objects: [empty] }));
    expect(error.reason).toBe("names Deployment web, which has no spec.template");
  });

  it("refuses a workloadRef it cannot resolve, naming what to load", () => {
    const error = refusalOf(() => parse(referring));
    expect(error.path).toBe("spec.workloadRef");
    expect(error.reason).toMatch(
      /Deployment web holds the pod template and is not among the manifests loaded/,
    );
    const bothError = refusalOf(() =>
      parseRollout(
        { ...referring, spec: { ...(referring.spec as object), template: podTemplate() } },
        SOURCE,
        {
          objects: [deployment],
        },
      ),
    );
    expect(bothError.path).toBe("spec.template");
  });
});

describe("RolloutSpecError", () => {
  it("names the file, the document, the object and the field", () => {
    const error = refusalOf(() => parse(canaryObject({ steps: [{ setWeight: 10 }, { experiment: {} }] })));
    expect(error).toBeInstanceOf(RolloutSpecError);
    expect(error.message).toBe(
      "k8s/test/rollout.yaml #2 Rollout/tinyurl: spec.strategy.canary.steps[1].experiment is not supported " +
        "by the local engine (experiments run extra ReplicaSets side by side and need Kubernetes)",
    );
    expect(error.source).toEqual(SOURCE);
    expect(error.object).toBe("Rollout/tinyurl");
  });

  it("leaves out the document number when the source has none", () => {
    const error = refusalOf(() => parseRollout(canaryObject({ pingPong: {} }), { file: "r.yaml" }));
    expect(error.message).toMatch(
      /^r\.yaml Rollout\/tinyurl: spec\.strategy\.canary\.pingPong is not supported/,
    );
  });
});
