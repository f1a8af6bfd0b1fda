/**
 * A canary Rollout for tinyurl whose one analysis can only be Inconclusive: Argo's web provider reads a
 * score from `metricUrl` (a server the test runs), successful above 0.9, failed below 0.1. Written to a
 * temp dir at test time, because the URL's port is only known then.
 */
import { stringify } from "yaml";

export const INCONCLUSIVE_ROLLOUT = "tinyurl-inconclusive";

export function inconclusiveRolloutYaml(metricUrl: string): string {
  const rollout = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: INCONCLUSIVE_ROLLOUT },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "tinyurl" } },
      template: {
        metadata: { labels: { app: "tinyurl" } },
        spec: {
          containers: [
            {
              name: "tinyurl",
              image: "ghcr.io/canary-platform/canary:0.1.0",
              ports: [{ name: "http", containerPort: 5000 }],
            },
          ],
        },
      },
      strategy: {
        canary: {
          canaryService: "tinyurl-canary",
          stableService: "tinyurl",
          trafficRouting: { nginx: { stableIngress: "tinyurl" } },
          steps: [
            { setWeight: 50 },
            { analysis: { templates: [{ templateName: "score" }] } },
            { setWeight: 100 },
          ],
        },
      },
    },
  };
  const template = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "score" },
    spec: {
      metrics: [
        {
          name: "score",
          successCondition: "result > 0.9",
          failureCondition: "result < 0.1",
          provider: { web: { url: metricUrl, jsonPath: "{$.value}" } },
        },
      ],
    },
  };
  return [rollout, template].map((doc) => stringify(doc)).join("---\n");
}
