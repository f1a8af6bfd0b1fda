import { describe, expect, it } from "vitest";
import { checkCrossRefs } from "./cross-refs.ts";
import { fixtureBuild, fixtureObject } from "./cross-refs-fixtures.ts";
import { rolloutAnalyses, rolloutServices } from "./cross-refs-rollouts.ts";
import type { ManifestDocument } from "./manifests.ts";

type Strategy = Record<string, unknown>;

/** The problems of the fixture after changing its Rollout's canary strategy. */
function problemsAfterCanary(change: (canary: Strategy, documents: ManifestDocument[]) => void): string[] {
  const documents = fixtureBuild();
  const strategy = (fixtureObject(documents, "Rollout").spec as { strategy: { canary: Strategy } }).strategy;
  change(strategy.canary, documents);
  return checkCrossRefs(documents);
}

const firstAnalysis = (canary: Strategy) =>
  (canary.steps as { analysis?: { templates: unknown[]; args: Record<string, unknown>[] } }[])[1]!.analysis!;
const WHERE = "fixture.yaml[7] Rollout/tinyurl";

describe("Rollout cross-references", () => {
  it("the selector matches the pod template", () => {
    const documents = fixtureBuild();
    (fixtureObject(documents, "Rollout").spec as Strategy).selector = { matchLabels: { app: "other" } };
    expect(checkCrossRefs(documents)).toContain(
      `${WHERE}: spec.selector does not match the pod template's labels`,
    );
  });

  it("the canary and stable Services exist and select the Rollout's pods", () => {
    expect(problemsAfterCanary((c) => void Object.assign(c, { canaryService: "tinyurl-next" }))).toEqual([
      `${WHERE}: canary.canaryService tinyurl-next does not exist`,
    ]);
    const problems = problemsAfterCanary((_, d) => {
      (fixtureObject(d, "Service", "tinyurl-canary").spec as Strategy).selector = { app: "elsewhere" };
    });
    expect(problems).toContain(
      `${WHERE}: canary.canaryService tinyurl-canary does not select the Rollout's pods`,
    );
  });

  it("traffic routing has two distinct Services", () => {
    expect(problemsAfterCanary((c) => void delete c.canaryService)).toEqual([
      `${WHERE}: canary.trafficRouting needs both stableService and canaryService`,
    ]);
    expect(problemsAfterCanary((c) => void Object.assign(c, { canaryService: "tinyurl" }))).toEqual([
      `${WHERE}: one Service is named twice: tinyurl, tinyurl`,
    ]);
  });

  it("the blue-green Services exist too", () => {
    const documents = fixtureBuild();
    const spec = fixtureObject(documents, "Rollout").spec as Strategy;
    spec.strategy = { blueGreen: { activeService: "tinyurl", previewService: "tinyurl-preview" } };
    expect(checkCrossRefs(documents)).toEqual([
      `${WHERE}: blueGreen.previewService tinyurl-preview does not exist`,
    ]);
  });

  it("the stable Ingress exists and routes to the stable Service", () => {
    const missing = problemsAfterCanary(
      (c) => void Object.assign(c, { trafficRouting: { nginx: { stableIngresses: ["web"] } } }),
    );
    expect(missing).toEqual([`${WHERE}: stableIngress web does not exist`]);
    const elsewhere = problemsAfterCanary((c) => void Object.assign(c, { stableService: "tinyurl-metrics" }));
    expect(elsewhere).toContain(
      `${WHERE}: stableIngress tinyurl has no backend on stableService tinyurl-metrics`,
    );
    const none = problemsAfterCanary((c) => void Object.assign(c, { trafficRouting: { nginx: {} } }));
    expect(none).toEqual([`${WHERE}: trafficRouting.nginx names no stableIngress`]);
  });

  describe("analyses", () => {
    it("name templates that exist", () => {
      const problems = problemsAfterCanary((c) => {
        firstAnalysis(c).templates = [
          { templateName: "latency" },
          { templateName: "error-rate", clusterScope: true },
        ];
      });
      expect(problems).toEqual([
        `${WHERE}: canary.steps[1].analysis: AnalysisTemplate latency does not exist`,
        `${WHERE}: canary.steps[1].analysis: ClusterAnalysisTemplate error-rate does not exist`,
        `${WHERE}: canary.steps[1].analysis passes arg service-name, which no template declares`,
        `${WHERE}: canary.steps[1].analysis passes arg pod-hash, which no template declares`,
      ]);
      expect(
        problemsAfterCanary((c) => {
          firstAnalysis(c).templates = [];
        }),
      ).toEqual([`${WHERE}: canary.steps[1].analysis names no template`]);
    });

    it("pass every arg without a default, and none that no template declares", () => {
      const problems = problemsAfterCanary((c) => {
        firstAnalysis(c).args = [
          { name: "service-name", value: "tinyurl" },
          { name: "pod_hash", value: "abc" },
        ];
      });
      expect(problems).toEqual([
        `${WHERE}: canary.steps[1].analysis passes arg pod_hash, which no template declares`,
        `${WHERE}: canary.steps[1].analysis passes no value for arg pod-hash`,
      ]);
    });

    it("give each arg a value Argo can resolve", () => {
      const problems = problemsAfterCanary((c) => {
        firstAnalysis(c).args = [
          { name: "service-name", valueFrom: { fieldRef: {} } },
          { name: "pod-hash", valueFrom: { podTemplateHashValue: "Canary" } },
          { name: "window" },
        ];
      });
      expect(problems).toEqual([
        `${WHERE}: canary.steps[1].analysis: arg service-name: fieldRef has no fieldPath`,
        `${WHERE}: canary.steps[1].analysis: arg pod-hash: podTemplateHashValue is Stable or Latest, not Canary`,
        `${WHERE}: canary.steps[1].analysis: arg window has neither value nor valueFrom`,
      ]);
    });

    it("are found wherever a Rollout starts one", () => {
      const rollout = {
        spec: {
          strategy: {
            blueGreen: { activeService: "a", prePromotionAnalysis: {}, postPromotionAnalysis: {} },
            canary: { analysis: {}, steps: [{ setWeight: 5 }, { analysis: {} }] },
          },
        },
      };
      expect(rolloutAnalyses(rollout).map((a) => a.where)).toEqual([
        "blueGreen.prePromotionAnalysis",
        "blueGreen.postPromotionAnalysis",
        "canary.analysis",
        "canary.steps[1].analysis",
      ]);
      expect(rolloutServices(rollout)).toEqual([{ field: "blueGreen.activeService", name: "a" }]);
    });
  });

  it("templates use only the args they declare, once each", () => {
    const documents = fixtureBuild();
    const template = fixtureObject(documents, "AnalysisTemplate", "error-rate").spec as {
      args: unknown[];
      metrics: unknown[];
    };
    template.args.push({ name: "pod-hash" });
    template.metrics.push({ name: "typo", provider: { web: { url: "http://x/{{ args.service }}" } } });
    expect(checkCrossRefs(documents)).toEqual([
      "fixture.yaml[6] AnalysisTemplate/error-rate: declares an arg twice",
      "fixture.yaml[6] AnalysisTemplate/error-rate: uses {{args.service}} but declares no such arg",
    ]);
  });
});
