import { describe, expect, it } from "vitest";
import { checkCrossRefs, PLATFORM_EXTERNALS } from "./cross-refs.ts";
import { fixtureBuild, fixtureContainer, fixtureObject } from "./cross-refs-fixtures.ts";
import type { KubeObject, ManifestDocument } from "./manifests.ts";

/** The problems of the fixture after `change`. */
function problemsAfter(change: (documents: ManifestDocument[]) => void): string[] {
  const documents = fixtureBuild();
  change(documents);
  return checkCrossRefs(documents);
}

const spec = (object: KubeObject) => object.spec as Record<string, unknown>;
const withoutKind =
  (kind: string, name = "tinyurl") =>
  (documents: ManifestDocument[]) => {
    const at = documents.findIndex(
      (d) => d.object.kind === kind && (d.object.metadata as { name: string }).name === name,
    );
    documents.splice(at, 1);
  };

describe("checkCrossRefs", () => {
  it("finds nothing wrong in a consistent build", () => {
    expect(checkCrossRefs(fixtureBuild())).toEqual([]);
  });

  describe("Services", () => {
    it("select pods of the build", () => {
      const problems = problemsAfter((d) => {
        spec(fixtureObject(d, "Service", "tinyurl-metrics")).selector = { "app.kubernetes.io/name": "shop" };
      });
      expect(problems).toEqual(["fixture.yaml[4] Service/tinyurl-metrics: selects no pods of this build"]);
    });

    it("reach a container port", () => {
      const problems = problemsAfter((d) => {
        spec(fixtureObject(d, "Service", "tinyurl-metrics")).ports = [
          { name: "http", port: 5000, targetPort: "web" },
        ];
      });
      expect(problems).toEqual([
        "fixture.yaml[4] Service/tinyurl-metrics: targetPort web is not a container port of Rollout/tinyurl",
      ]);
    });
  });

  describe("Ingresses", () => {
    it("route to Services that exist, on a port they have", () => {
      const missing = problemsAfter(withoutKind("Service"));
      expect(missing).toContain("fixture.yaml[5] Ingress/tinyurl: backend Service tinyurl does not exist");
      const wrongPort = problemsAfter((d) => {
        const rule = (
          spec(fixtureObject(d, "Ingress")).rules as { http: { paths: { backend: unknown }[] } }[]
        )[0]!;
        rule.http.paths[0]!.backend = { service: { name: "tinyurl", port: { number: 80 } } };
      });
      expect(wrongPort).toEqual(["fixture.yaml[5] Ingress/tinyurl: Service tinyurl has no port 80"]);
    });
  });

  it("HorizontalPodAutoscalers scale an object of the build", () => {
    const problems = problemsAfter((d) => {
      spec(fixtureObject(d, "HorizontalPodAutoscaler")).scaleTargetRef = {
        apiVersion: "apps/v1",
        kind: "Rollout",
        name: "tinyurl",
      };
    });
    expect(problems).toEqual([
      "fixture.yaml[8] HorizontalPodAutoscaler/tinyurl: scaleTargetRef apps/v1 Rollout/tinyurl is not in this build",
    ]);
  });

  it("PodDisruptionBudgets select pods", () => {
    const problems = problemsAfter((d) => {
      spec(fixtureObject(d, "PodDisruptionBudget")).selector = {
        matchExpressions: [{ key: "tier", operator: "Exists" }],
      };
    });
    expect(problems).toEqual(["fixture.yaml[9] PodDisruptionBudget/tinyurl: selects no pods of this build"]);
  });

  describe("NetworkPolicies", () => {
    const policy = (d: ManifestDocument[]) => spec(fixtureObject(d, "NetworkPolicy"));

    it("select pods", () => {
      const problems = problemsAfter((d) => {
        policy(d).podSelector = { matchLabels: { "app.kubernetes.io/name": "tinyurl-v2" } };
      });
      expect(problems).toEqual(["fixture.yaml[10] NetworkPolicy/tinyurl: podSelector selects no pods"]);
    });

    it("name peers that exist here or are documented externals", () => {
      const problems = problemsAfter((d) => {
        policy(d).egress = [
          { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }] },
        ];
      });
      expect(problems).toEqual([
        "fixture.yaml[10] NetworkPolicy/tinyurl: egress[0] names pods that are neither in this build nor external",
      ]);
      expect(PLATFORM_EXTERNALS.externalPods).toContainEqual({ "app.kubernetes.io/name": "redis" });
    });

    it("allow ports the selected pods name", () => {
      const problems = problemsAfter((d) => {
        policy(d).ingress = [{ ports: [{ port: "metrics" }] }];
      });
      expect(problems).toEqual([
        "fixture.yaml[10] NetworkPolicy/tinyurl: ingress[0] allows port metrics, which the selected pods do not name",
      ]);
    });
  });

  describe("ServiceMonitors", () => {
    const monitor = (d: ManifestDocument[]) => spec(fixtureObject(d, "ServiceMonitor"));

    it("select a Service with the endpoint's port", () => {
      expect(
        problemsAfter((d) => {
          monitor(d).selector = { matchLabels: { team: "x" } };
        }),
      ).toEqual(["fixture.yaml[11] ServiceMonitor/tinyurl: selects no Service of this build"]);
      expect(
        problemsAfter((d) => {
          monitor(d).endpoints = [{ port: "metrics" }];
        }),
      ).toEqual([
        "fixture.yaml[11] ServiceMonitor/tinyurl: endpoint port metrics is not a port of Service tinyurl-metrics",
      ]);
    });

    it("do not scrape through the Services Argo Rollouts rewrites", () => {
      const problems = problemsAfter((d) => {
        monitor(d).selector = { matchLabels: { "app.kubernetes.io/name": "tinyurl" } };
      });
      expect(problems).toEqual([
        "fixture.yaml[11] ServiceMonitor/tinyurl: selects Service tinyurl, whose selector Argo Rollouts rewrites (pods missed or scraped twice)",
        "fixture.yaml[11] ServiceMonitor/tinyurl: selects Service tinyurl-canary, whose selector Argo Rollouts rewrites (pods missed or scraped twice)",
      ]);
    });
  });

  describe("what pods use", () => {
    it("ConfigMaps of the build, with the keys read", () => {
      const problems = problemsAfter((d) => {
        fixtureObject(d, "ConfigMap").data = { SERVICE: "tinyurl" };
      });
      expect(problems).toEqual([
        "fixture.yaml[7] Rollout/tinyurl: container tinyurl LOG_LEVEL: ConfigMap tinyurl has no key LOG_LEVEL",
      ]);
      expect(problemsAfter(withoutKind("ConfigMap"))).toContain(
        "fixture.yaml[7] Rollout/tinyurl: container tinyurl: ConfigMap tinyurl is not in this build",
      );
    });

    it("Secrets of the build or documented ones, with documented keys", () => {
      const env = (d: ManifestDocument[]) =>
        fixtureContainer(d).env as { valueFrom: { secretKeyRef?: Record<string, string> } }[];
      expect(
        problemsAfter((d) => {
          env(d)[0]!.valueFrom.secretKeyRef!.key = "auth";
        }).at(0),
      ).toBe(
        "fixture.yaml[7] Rollout/tinyurl: container tinyurl AUTH_SECRET: key auth of Secret canary-secrets is not documented",
      );
      expect(
        problemsAfter((d) => {
          env(d)[0]!.valueFrom.secretKeyRef!.name = "mine";
        }).at(0),
      ).toBe(
        "fixture.yaml[7] Rollout/tinyurl: container tinyurl AUTH_SECRET: Secret mine is neither in this build nor documented",
      );
      const inBuild = problemsAfter((d) => {
        env(d)[0]!.valueFrom.secretKeyRef!.name = "mine";
        d.push({
          file: "secret.yaml",
          index: 0,
          object: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "mine", namespace: "canary" },
            stringData: { other: "x" },
          },
        });
      });
      expect(inBuild).toEqual([
        "fixture.yaml[7] Rollout/tinyurl: container tinyurl AUTH_SECRET: Secret mine has no key auth-secret",
      ]);
    });

    it("volumes' ConfigMaps and Secrets, and the service account", () => {
      const problems = problemsAfter((d) => {
        const pod = fixtureObject(d, "Rollout").spec as { template: { spec: Record<string, unknown> } };
        pod.template.spec.volumes = [
          { name: "a", configMap: { name: "settings" } },
          { name: "b", secret: { secretName: "tls" } },
        ];
        pod.template.spec.serviceAccountName = "robot";
      });
      expect(problems).toEqual([
        "fixture.yaml[7] Rollout/tinyurl: serviceAccountName robot is not in this build",
        "fixture.yaml[7] Rollout/tinyurl: volume a: ConfigMap settings is not in this build",
        "fixture.yaml[7] Rollout/tinyurl: volume b: Secret tls is neither in this build nor documented",
      ]);
    });
  });
});
