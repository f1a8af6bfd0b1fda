/**
 * Argo's own example manifests (the shared folder: CANARY_SHARED, default ../shared) either load or are
 * refused with the field that stops them, and the repository's Rollouts, after a kustomize build, load whole.
 * Argo's examples run its demo image, not one of our services, so they load with a fallback service.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { listManifestFiles } from "../../delivery/manifests.ts";
import { buildKustomization } from "../../delivery/manifests-kustomize.ts";
import { checkTemplateRefs, loadRolloutSources, RolloutSpecError } from "./spec.ts";
import type { RolloutSpec } from "./types.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ARGO = resolve(ROOT, process.env.CANARY_SHARED ?? "../shared", "conformance/argo-rollouts");
const FALLBACK_SERVICE = "tinyurl";

/** Without the shared folder the walk is skipped, loudly; under CI=true it fails. */
const skip = !existsSync(ARGO) && process.env.CI !== "true";
if (skip)
  console.warn(`\n!! SKIPPING Argo's conformance manifests: ${ARGO} is missing (set CANARY_SHARED)\n`);

/** Every YAML document under examples/ and docs/, grouped by folder: each folder is one `kubectl apply -f`. */
function documentsByFolder() {
  const files = ["examples", "docs"].flatMap((dir) => listManifestFiles(join(ARGO, dir)));
  const folders = new Map<string, { file: string; index: number; object: unknown }[]>();
  for (const path of files) {
    const file = relative(ARGO, path);
    const documents = parseAllDocuments(readFileSync(path, "utf8")).map((document, index) => {
      if (document.errors.length > 0) throw new Error(`${file} #${index}: ${document.errors[0]?.message}`);
      return { file, index, object: document.toJS() as unknown };
    });
    folders.set(dirname(file), [...(folders.get(dirname(file)) ?? []), ...documents]);
  }
  return folders;
}

const isArgoObject = (o: unknown): o is { kind: string; metadata: { name: string } } =>
  typeof o === "object" &&
  o !== null &&
  String((o as { apiVersion?: unknown }).apiVersion).startsWith("argoproj.io/");

/** What uses only supported features, by file and kind/name. */
const LOADS = [
  "docs/getting-started/basic/rollout.yaml Rollout/rollouts-demo",
  "docs/getting-started/nginx/rollout.yaml Rollout/rollouts-demo",
  "examples/rollout-analysis-step.yaml Rollout/rollout-analysis-step",
  "examples/rollout-background-analysis.yaml Rollout/rollout-background-analysis",
  "examples/rollout-bluegreen.yaml Rollout/rollout-bluegreen",
  "examples/rollout-canary.yaml Rollout/rollout-canary",
  "examples/rollout-rolling-update.yaml Rollout/rollout-rollingupdate",
  "examples/rollout-secret.yaml Rollout/rollout-secret",
  "examples/rollout-secret.yaml AnalysisTemplate/analysis-secret",
  "examples/rollout-template-ref.yaml Rollout/rollout-ref-deployment",
];

/** What is refused, and the field that says why. */
const REFUSED: Record<string, string> = {
  "examples/analysis-templates.yaml AnalysisTemplate/pass": "spec.metrics[0].provider.job",
  "examples/analysis-templates.yaml AnalysisTemplate/random-fail": "spec.metrics[0].provider.job",
  "examples/cluster-analysis-templates.yaml ClusterAnalysisTemplate/always-pass":
    "spec.metrics[0].provider.job",
  "examples/experiment-with-analysis.yaml Experiment/experiment-with-analysis": "kind",
  "examples/rollout-baseline-vs-canary.yaml Rollout/rollout-baseline-vs-canary":
    "spec.strategy.canary.steps[0].experiment",
  "examples/rollout-canary-preview.yaml Rollout/rollout-canary-preview":
    "spec.strategy.canary.steps[0].experiment",
  "examples/rollout-experiment-step.yaml Rollout/rollout-experiment-step":
    "spec.strategy.canary.steps[1].experiment",
};

describe.skipIf(skip)("Argo's example manifests", () => {
  const folders = skip ? new Map() : documentsByFolder();
  const results = [...folders.values()].map((documents) => ({
    documents,
    ...loadRolloutSources(documents, { fallbackService: FALLBACK_SERVICE }),
  }));
  const loaded = results.flatMap(({ rollouts, templates }) =>
    [
      ...rollouts.map((r) => ({ kind: "Rollout", spec: r })),
      ...templates.map((t) => ({
        kind: t.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate",
        spec: t,
      })),
    ].map(({ kind, spec }) => `${spec.source.file} ${kind}/${spec.name}`),
  );
  const refused = results.flatMap((r) => r.refused);
  const rollout = (name: string): RolloutSpec => {
    const found = results.flatMap((r) => r.rollouts).find((r) => r.name === name);
    if (!found) throw new Error(`${name} did not load`);
    return found;
  };

  it("loads or refuses every Argo object, and prints which", () => {
    const rows = [
      ...loaded.map((id) => [...id.split(" "), "loaded"]),
      ...refused.map((r) => [r.file, `${r.kind}/${r.name}`, `refused: ${r.reason}`]),
    ].sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
    const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
    console.log(
      `\nArgo's examples (${ARGO}):\n${rows.map((row) => `  ${row[0]?.padEnd(width(0))}  ${row[1]?.padEnd(width(1))}  ${row[2]}`).join("\n")}\n`,
    );
    const argoObjects = [...folders.values()].flat().filter((d) => isArgoObject(d.object));
    expect(loaded.length + refused.length).toBe(argoObjects.length);
    expect(argoObjects.length).toBeGreaterThanOrEqual(17);
  });

  it("loads the ones that use only supported features", () => {
    expect(loaded.sort()).toEqual([...LOADS].sort());
  });

  it("refuses the others, each with the field that stops it", () => {
    const byId = Object.fromEntries(refused.map((r) => [`${r.file} ${r.kind}/${r.name}`, r]));
    expect(Object.keys(byId).sort()).toEqual(Object.keys(REFUSED).sort());
    for (const [id, path] of Object.entries(REFUSED)) {
      const refusal = byId[id]!;
      expect(refusal.error).toBeInstanceOf(RolloutSpecError);
      expect(refusal.error.path, id).toBe(path);
      expect(refusal.reason, id).toMatch(
        new RegExp(`^${path.replace(/[.[\]]/g, "\\$&")} is not supported by the local engine \\(.+\\)$`),
      );
    }
  });

  it("reads their plans as Argo does", () => {
    expect(rollout("rollout-canary").strategy).toMatchObject({
      kind: "canary",
      steps: [
        { setWeight: 20 },
        { pause: {} },
        { setWeight: 40 },
        { pause: { durationSeconds: 40 } },
        { setWeight: 60 },
        { pause: { durationSeconds: 20 } },
        { setWeight: 80 },
        { pause: { durationSeconds: 20 } },
      ],
      trafficRouting: null,
    });
    expect(rollout("rollout-bluegreen")).toMatchObject({
      replicas: 2,
      port: 8080,
      imageTag: "blue",
      strategy: {
        kind: "blueGreen",
        activeService: "rollout-bluegreen-active",
        previewService: "rollout-bluegreen-preview",
        autoPromotionEnabled: false,
        scaleDownDelaySeconds: 30,
      },
    });
    const nginx = results.flatMap((r) => r.rollouts).find((r) => r.source.file.includes("nginx"));
    expect(nginx?.strategy).toMatchObject({
      trafficRouting: { nginx: { stableIngress: "rollouts-demo-stable" } },
      abortScaleDownDelaySeconds: 30,
    });
    expect(rollout("rollout-ref-deployment")).toMatchObject({ replicas: 5, imageTag: "blue", port: 8080 });
    expect(rollout("rollout-background-analysis").strategy).toMatchObject({ analysis: { startingStep: 0 } });
  });

  it("checks analysis references: a refused template is named where a Rollout uses it", () => {
    const examples = results.find((r) => r.documents[0]?.file.startsWith("examples/"))!;
    expect(() => checkTemplateRefs(rollout("rollout-secret"), examples.templates)).not.toThrow();
    expect(() => checkTemplateRefs(rollout("rollout-analysis-step"), examples.templates)).toThrow(
      /steps\[1\]\.analysis\.templates\[0\] names AnalysisTemplate random-fail, which was not loaded/,
    );
  });

  it("asks for SERVICE without a fallback: the demo image is not one of our services", () => {
    const { refused: withoutFallback } = loadRolloutSources(folders.get("examples") ?? []);
    const canary = withoutFallback.find((r) => r.name === "rollout-canary");
    expect(canary?.reason).toMatch(
      /^spec\.template\.spec\.containers\[0\]\.env must set SERVICE to one of tinyurl, newsfeed, docs/,
    );
  });
});

describe("the repository's Rollouts, after a kustomize build", () => {
  const PORTS = { tinyurl: 5000, newsfeed: 5001, docs: 5002 };
  const ANALYSIS = {
    templates: ["success-rate", "error-rate", "latency-p95", "latency-p99"].map((templateName) => ({
      templateName,
      clusterScope: false,
    })),
  };

  it.each(["canary", "blue-green"])(
    "k8s/%s loads whole, with every template its analyses need",
    (overlay) => {
      const { objects } = buildKustomization(join(ROOT, "k8s", overlay));
      const { rollouts, templates, refused } = loadRolloutSources(objects);
      expect(refused).toEqual([]);
      expect(rollouts.map((r) => r.name).sort()).toEqual(["docs", "newsfeed", "tinyurl"]);
      expect(templates.map((t) => t.name).sort()).toEqual([
        "error-rate",
        "latency-p95",
        "latency-p99",
        "success-rate",
      ]);
      for (const rollout of rollouts) {
        checkTemplateRefs(rollout, templates);
        const name = rollout.name as keyof typeof PORTS;
        expect(rollout).toMatchObject({
          service: name,
          port: PORTS[name],
          imageTag: "0.1.0",
          replicas: 1,
          namespace: "canary",
        });
        const args = [
          { name: "service-name", value: name },
          { name: "pod-hash", podTemplateHashValue: "Latest" },
        ];
        if (rollout.strategy.kind === "canary") {
          expect(overlay).toBe("canary");
          expect(rollout.strategy.trafficRouting).toEqual({ nginx: { stableIngress: name } });
          expect(rollout.strategy.steps).toEqual(
            [10, 25, 50, 75].flatMap((weight) => [
              { setWeight: weight },
              { pause: { durationSeconds: 120 } },
              { analysis: { ...ANALYSIS, args } },
            ]),
          );
        } else {
          expect(overlay).toBe("blue-green");
          expect(rollout.strategy).toMatchObject({
            activeService: name,
            previewService: `${name}-preview`,
            autoPromotionEnabled: false,
            previewReplicaCount: 1,
            prePromotionAnalysis: { ...ANALYSIS, args },
            postPromotionAnalysis: { ...ANALYSIS, args },
          });
        }
      }
      for (const metric of templates.flatMap((t) => t.metrics)) {
        expect(metric).toMatchObject({
          intervalSeconds: 60,
          count: 3,
          failureLimit: 1,
          consecutiveErrorLimit: 2,
        });
      }
    },
  );
});
