import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ArgoCdOptions, checkArgoCd, PLATFORM_ARGOCD } from "./cross-refs-argocd.ts";
import { type KubeObject, type ManifestDocument, parseManifests } from "./manifests.ts";

/** A repository with one overlay: a ConfigMap and a Rollout, deployed into `shop`. */
const repoRoot = mkdtempSync(join(tmpdir(), "canary-argocd-"));
afterAll(() => rmSync(repoRoot, { recursive: true, force: true }));
mkdirSync(join(repoRoot, "deploy/app"), { recursive: true });
writeFileSync(
  join(repoRoot, "deploy/app/kustomization.yaml"),
  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [objects.yaml]\n",
);
writeFileSync(
  join(repoRoot, "deploy/app/objects.yaml"),
  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\n",
);

const OPTIONS: ArgoCdOptions = {
  repoURL: "https://git.example/shop.git",
  repoRoot,
  notificationSecrets: {
    "argocd-notifications-cm": { secret: "argocd-notifications-secret", keys: ["slack-token"] },
  },
};

const ASSETS = `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: { name: shop, namespace: argocd }
spec:
  sourceRepos: [https://git.example/*]
  destinations: [{ server: https://kubernetes.default.svc, namespace: shop }]
  clusterResourceWhitelist: [{ group: "", kind: Namespace }]
  namespaceResourceWhitelist: [{ group: "", kind: ConfigMap }, { group: argoproj.io, kind: "*" }]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
  annotations: { notifications.argoproj.io/subscribe.on-sync-failed.slack: deploys }
spec:
  project: shop
  source: { repoURL: https://git.example/shop.git, targetRevision: main, path: deploy/app }
  destination: { server: https://kubernetes.default.svc, namespace: shop }
  syncPolicy: { syncOptions: [CreateNamespace=true] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-notifications-cm, namespace: argocd }
data:
  service.slack: |
    token: $slack-token
  trigger.on-sync-failed: |
    - when: app.status.operationState.phase in ['Error', 'Failed']
      send: [sync-failed]
  template.sync-failed: |
    message: "{{.app.metadata.name}} failed"
  subscriptions: |
    - recipients: [slack:deploys]
      triggers: [on-sync-failed]
`;

function problemsAfter(
  change: (objects: (kind: string) => KubeObject, documents: ManifestDocument[]) => void,
): string[] {
  const documents = parseManifests(ASSETS, "argocd.yaml");
  const find = (kind: string) => documents.find((d) => d.object.kind === kind)!.object;
  change(find, documents);
  return checkArgoCd(documents, OPTIONS);
}

const spec = (object: KubeObject) => object.spec as Record<string, unknown>;
const data = (object: KubeObject) => object.data as Record<string, string>;

describe("checkArgoCd", () => {
  it("finds nothing wrong in consistent assets", () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  describe("Applications", () => {
    it("use a project that exists", () => {
      expect(
        problemsAfter((o) => {
          spec(o("Application")).project = "default";
        }),
      ).toEqual(["argocd.yaml[1] Application/shop: project default is not defined here"]);
    });

    it("deploy from a repository and to a destination the project allows", () => {
      const problems = problemsAfter((o) => {
        spec(o("Application")).source = { repoURL: "https://github.com/other/x.git", path: "deploy/app" };
        spec(o("Application")).destination = {
          server: "https://kubernetes.default.svc",
          namespace: "default",
        };
      });
      expect(problems).toEqual([
        "argocd.yaml[1] Application/shop: project shop does not allow repository https://github.com/other/x.git",
        "argocd.yaml[1] Application/shop: project shop does not allow destination https://kubernetes.default.svc/default",
      ]);
    });

    it("point at a kustomization of the repository", () => {
      const problems = problemsAfter((o) => {
        spec(o("Application")).source = { repoURL: OPTIONS.repoURL, path: "deploy" };
      });
      expect(problems).toEqual([
        "argocd.yaml[1] Application/shop: source.path deploy is not a kustomization of this repository",
      ]);
    });

    it("deploy only kinds the project permits, the namespace it creates included", () => {
      const problems = problemsAfter((o) => {
        spec(o("AppProject")).namespaceResourceWhitelist = [{ group: "", kind: "ConfigMap" }];
        spec(o("AppProject")).clusterResourceWhitelist = [];
      });
      expect(problems).toEqual([
        "argocd.yaml[1] Application/shop: project shop does not permit argoproj.io/Rollout, which deploy/app contains",
        "argocd.yaml[1] Application/shop: project shop does not permit core/Namespace, which deploy/app contains",
      ]);
    });

    it("subscribe to triggers and services that exist", () => {
      const problems = problemsAfter((o) => {
        (o("Application").metadata as { annotations: Record<string, string> }).annotations = {
          "notifications.argoproj.io/subscribe.on-deployed.teams": "x",
        };
      });
      expect(problems).toEqual([
        "argocd.yaml[1] Application/shop: notifications.argoproj.io/subscribe.on-deployed.teams: trigger on-deployed is not defined in argocd-notifications-cm",
        "argocd.yaml[1] Application/shop: notifications.argoproj.io/subscribe.on-deployed.teams: service teams is not defined in argocd-notifications-cm",
      ]);
    });
  });

  describe("notification settings", () => {
    const CM = "argocd.yaml[2] ConfigMap/argocd-notifications-cm";

    it("trigger templates that exist", () => {
      const problems = problemsAfter((o) => {
        data(o("ConfigMap"))["trigger.on-sync-failed"] = "- send: [missing]\n";
      });
      expect(problems).toEqual([
        `${CM}: trigger.on-sync-failed sends template.missing, which is not defined`,
      ]);
      const empty = problemsAfter((o) => {
        data(o("ConfigMap"))["trigger.on-sync-failed"] = "[]";
      });
      expect(empty).toEqual([`${CM}: trigger.on-sync-failed has no conditions`]);
    });

    it("read credentials from documented Secret keys, never hold them", () => {
      const undocumented = problemsAfter((o) => {
        data(o("ConfigMap"))["service.slack"] = "token: $slack\n";
      });
      expect(undocumented).toEqual([
        `${CM}: service.slack reads $slack, not a documented key of argocd-notifications-secret`,
      ]);
      const inline = problemsAfter((o) => {
        data(o("ConfigMap"))["service.slack"] = "token: xoxb-123\n";
      });
      expect(inline).toEqual([
        `${CM}: service.slack holds a credential in the repository: use a $key reference to argocd-notifications-secret`,
      ]);
    });

    it("subscribe to triggers and services that exist", () => {
      const problems = problemsAfter((o) => {
        data(o("ConfigMap")).subscriptions =
          "- recipients: [email:ops@example.com]\n  triggers: [on-deployed]\n";
      });
      expect(problems).toEqual([
        `${CM}: a subscription names trigger on-deployed, which is not defined`,
        `${CM}: a subscription sends to email, which is not a service here`,
      ]);
    });
  });

  it("knows the platform's repository and notification Secrets", () => {
    expect(PLATFORM_ARGOCD.repoURL).toBe("https://github.com/canary-platform/canary.git");
    expect(Object.keys(PLATFORM_ARGOCD.notificationSecrets).sort()).toEqual([
      "argo-rollouts-notification-configmap",
      "argocd-notifications-cm",
    ]);
  });
});
