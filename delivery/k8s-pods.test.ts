/**
 * How the services run in both overlays, per the issue and delivery.md: one image selected by SERVICE on
 * its configured port behind a Service of that port, locked-down pods (non-root, read-only root with
 * writable scratch volumes, no privilege escalation, no capabilities, RuntimeDefault seccomp, no API
 * token), bounded resources, a deny-by-default network with the few paths the services need, scraping
 * as delivery.md describes it, and the external Secrets documented in k8s/README.md.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../functions/shared/config.ts";
import { PLATFORM_EXTERNALS } from "./cross-refs.ts";
import { PLATFORM_ARGOCD } from "./cross-refs-argocd.ts";
import { type Container, type PodSpec, selectorMatches } from "./cross-refs-index.ts";
import { field, type KubeObject } from "./manifests.ts";
import { buildKustomization } from "./manifests-kustomize.ts";
import { imageName } from "./manifests-patch.ts";

const K8S = resolve(import.meta.dirname, "../k8s");
const DEFAULTS = loadConfig({});
const PORTS: Record<string, number> = {
  tinyurl: DEFAULTS.TINYURL_PORT,
  newsfeed: DEFAULTS.NEWSFEED_PORT,
  docs: DEFAULTS.DOCS_PORT,
};

const nameOf = (o: KubeObject) => String(field(o, "metadata", "name"));

describe.each(["blue-green", "canary"])("%s", (overlay) => {
  const built = buildKustomization(join(K8S, overlay)).objects.map((d) => d.object);
  const ofKind = (kind: string) => built.filter((o) => o.kind === kind);
  const find = (kind: string, name: string) => ofKind(kind).find((o) => nameOf(o) === name)!;
  const pods = [...ofKind("Rollout"), ...ofKind("StatefulSet")].map((o) => ({
    name: nameOf(o),
    labels: field(o, "spec", "template", "metadata", "labels") as Record<string, string>,
    spec: field(o, "spec", "template", "spec") as PodSpec & Record<string, unknown>,
  }));

  it("puts everything in the namespace canary", () => {
    expect(new Set(built.map((o) => field(o, "metadata", "namespace")))).toEqual(new Set(["canary"]));
  });

  it.each(Object.entries(PORTS))(
    "runs %s from the one image on its port, behind a Service of that port",
    (service, port) => {
      const pod = pods.find((p) => p.name === service)!;
      const container = pod.spec.containers![0]!;
      expect(imageName(String(container.image))).toBe(PLATFORM_EXTERNALS.appImage);
      expect(field(find("ConfigMap", service), "data", "SERVICE")).toBe(service);
      expect(container.ports).toEqual([{ name: "http", containerPort: port, protocol: "TCP" }]);
      expect(pod.labels).toMatchObject({
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/part-of": "canary",
      });
      expect(field(find("Service", service), "spec", "ports")).toEqual([
        { name: "http", port, targetPort: "http", protocol: "TCP" },
      ]);
      expect(container.livenessProbe?.httpGet?.path).toBe("/healthz");
      expect(container.readinessProbe?.httpGet?.path).toBe("/readyz");
    },
  );

  it("locks every pod down and bounds its resources", () => {
    for (const { name, spec } of pods) {
      expect(spec.automountServiceAccountToken, name).toBe(false);
      expect(spec.securityContext, name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(field(spec, "securityContext", "runAsUser"), name).toEqual(expect.any(Number));
      for (const container of spec.containers as (Container & Record<string, unknown>)[]) {
        expect(container.securityContext, name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        for (const bound of ["requests", "limits"]) {
          expect(
            Object.keys(field(container, "resources", bound) as object).sort(),
            `${name} ${bound}`,
          ).toEqual(["cpu", "memory"]);
        }
      }
    }
    for (const service of Object.keys(PORTS)) {
      expect(field(pods.find((p) => p.name === service)!.spec, "securityContext", "runAsUser")).toBe(10001);
    }
  });

  it("gives the services writable scratch space where they write (DATA_DIR, /tmp)", () => {
    for (const service of Object.keys(PORTS)) {
      const container = pods.find((p) => p.name === service)!.spec.containers![0]! as Container &
        Record<string, unknown>;
      const mounts = (container.volumeMounts as { mountPath: string }[]).map((m) => m.mountPath);
      expect(mounts).toEqual(
        expect.arrayContaining([String(field(find("ConfigMap", service), "data", "DATA_DIR")), "/tmp"]),
      );
    }
  });

  it("denies all traffic by default, then lets in ingress-nginx and Prometheus, and out Redis, libSQL and DNS", () => {
    expect(field(find("NetworkPolicy", "default-deny"), "spec")).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    for (const service of Object.keys(PORTS)) {
      const policy = find("NetworkPolicy", service);
      const from = (
        field(policy, "spec", "ingress", 0, "from") as {
          namespaceSelector: { matchLabels: Record<string, string> };
        }[]
      ).map((peer) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]);
      expect(from).toEqual(["ingress-nginx", "monitoring"]);
      const egress = (
        field(policy, "spec", "egress") as {
          to: Record<string, unknown>[];
          ports: { port: number; protocol: string }[];
        }[]
      ).map((rule) => rule.ports.map((p) => `${p.port}/${p.protocol}`).join(","));
      expect(egress).toEqual(expect.arrayContaining(["6379/TCP", "8080/TCP", "53/UDP,53/TCP"]));
    }
  });

  it("scales, protects and scrapes each service as delivery.md says", () => {
    for (const service of Object.keys(PORTS)) {
      expect(field(find("HorizontalPodAutoscaler", service), "spec", "scaleTargetRef")).toEqual({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        name: service,
      });
      const budget = field(find("PodDisruptionBudget", service), "spec", "selector") as {
        matchLabels: Record<string, string>;
      };
      expect(selectorMatches(budget, pods.find((p) => p.name === service)!.labels)).toBe(true);
      const monitor = field(find("ServiceMonitor", service), "spec") as Record<string, unknown>;
      expect(monitor.podTargetLabels).toEqual(["rollouts-pod-template-hash"]);
      expect(monitor.endpoints).toEqual([
        expect.objectContaining({ port: "http", path: "/metrics", honorLabels: true }),
      ]);
    }
  });
});

describe("k8s/README.md", () => {
  const readme = readFileSync(join(K8S, "README.md"), "utf8");

  it("documents every Secret the manifests reference and each key they read", () => {
    const secrets = {
      ...PLATFORM_EXTERNALS.externalSecrets,
      ...Object.fromEntries(
        Object.values(PLATFORM_ARGOCD.notificationSecrets).map((s) => [s.secret, s.keys]),
      ),
    };
    for (const [secret, keys] of Object.entries(secrets)) {
      expect(readme).toContain(`\`${secret}\``);
      for (const key of keys) expect(readme, `${secret} ${key}`).toContain(`\`${key}\``);
    }
  });

  it("names every folder of k8s/", () => {
    for (const folder of [
      "base",
      "base/libsql",
      "base/redis",
      "blue-green",
      "canary",
      "argocd",
      "monitoring",
    ]) {
      expect(readme).toContain(`\`${folder}/\``);
    }
  });
});
