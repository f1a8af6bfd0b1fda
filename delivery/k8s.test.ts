/**
 * Everything under k8s/ (k8s/monitoring included) as a cluster would take it: every YAML file parses, every
 * object validates against its real schema, every kustomization builds (as kustomize itself builds it,
 * when kubectl is installed to ask), the builds that are applied hold their cross-references, and the
 * probes ask paths the running services answer. The same validator accepts Argo Rollouts' own examples,
 * so it is no stricter than Argo.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killServiceProcesses, startServiceProcess } from "../functions/shared/testing/service-process.ts";
import { checkCrossRefs, PLATFORM_EXTERNALS } from "./cross-refs.ts";
import { type ProbeTarget, probeTargets } from "./cross-refs-app.ts";
import { checkArgoCd } from "./cross-refs-argocd.ts";
import { BuildIndex } from "./cross-refs-index.ts";
import { loadManifestTree, type ManifestDocument } from "./manifests.ts";
import {
  buildDifferences,
  buildKustomization,
  type KustomizeBuild,
  kubectlKustomize,
  listKustomizations,
} from "./manifests-kustomize.ts";
import { validateDocuments } from "./schema.ts";

const ROOT = resolve(import.meta.dirname, "..");
const K8S = join(ROOT, "k8s");
const ARGO_EXAMPLES = resolve(ROOT, process.env.CANARY_SHARED ?? "../shared", "conformance/argo-rollouts");

const isKubernetesObject = (d: ManifestDocument) => "apiVersion" in d.object || "kind" in d.object;
/** A broken file or kustomization fails the test that reads it, named, rather than the whole file's load. */
const attempt = <T>(run: () => T): T | Error => {
  try {
    return run();
  } catch (err) {
    return err as Error;
  }
};
const unwrap = <T>(value: T | Error): T => {
  if (value instanceof Error) throw value;
  return value;
};
const loaded = attempt(() => loadManifestTree(K8S));
const kustomizations = listKustomizations(K8S);
const builds = new Map(kustomizations.map((dir) => [dir, attempt(() => buildKustomization(dir))]));
const built = (dir: string): KustomizeBuild => unwrap(builds.get(dir)!);
const goodBuilds = [...builds.values()].filter((b): b is KustomizeBuild => !(b instanceof Error));
/** The kustomizations no other one includes: what gets applied (kubectl apply -k, Argo CD). */
const included = new Set(
  goodBuilds.flatMap((b) => b.kustomizations.slice(1).map((file) => resolve(dirname(file)))),
);
const applied = kustomizations.filter((dir) => !included.has(resolve(dir)));
const relativeTo = (dir: string) => dir.slice(ROOT.length + 1);

describe("k8s/", () => {
  const documents = () => unwrap(loaded);

  it("parses: every YAML document of every file", () => {
    expect(documents().length).toBeGreaterThan(40);
  });

  it("validates: every Kubernetes object against the schema of its kind", () => {
    expect(validateDocuments(documents().filter(isKubernetesObject))).toEqual([]);
  });

  it("keeps YAML that is not a Kubernetes object (promtool's unit tests) out of every build", () => {
    const others = new Set(
      documents()
        .filter((d) => !isKubernetesObject(d))
        .map((d) => d.file),
    );
    const files = goodBuilds.flatMap((b) => b.objects.map((d) => resolve(d.file)));
    expect(files.filter((file) => others.has(file))).toEqual([]);
  });

  it("holds no Secret with values: secrets are referenced, created outside the repository", () => {
    expect(
      documents()
        .filter((d) => d.object.kind === "Secret")
        .map((d) => d.file),
    ).toEqual([]);
  });

  it("applies the overlays, Argo CD's settings and the monitoring assets, each on its own", () => {
    expect(applied.map(relativeTo)).toEqual(
      expect.arrayContaining(["k8s/argocd", "k8s/blue-green", "k8s/canary"]),
    );
    expect(applied.map(relativeTo)).not.toContain("k8s/base");
  });

  describe.each(kustomizations.map((dir) => [relativeTo(dir), dir]))("%s", (_, dir) => {
    it("builds, every object it emits valid", () => {
      const build = built(dir);
      expect(build.objects.length).toBeGreaterThan(0);
      expect(validateDocuments(build.objects)).toEqual([]);
    });

    it("builds as kustomize builds it", (context) => {
      const reference = kubectlKustomize(dir);
      // A cross-check where a recent kubectl happens to be installed: Debian's (1.20) embeds a kustomize too
      // old for `replacements`, so a fresh machine cannot install one and this skips even under CI.
      if (!reference) {
        console.warn(
          `kubectl is not installed: ${relativeTo(dir)} is not compared with kustomize's own build`,
        );
        context.skip();
      }
      expect(buildDifferences(built(dir).objects, reference!)).toEqual([]);
    });
  });

  it.each(applied.map((dir) => [relativeTo(dir), dir]))(
    "%s, as applied, holds its cross-references",
    (_, dir) => {
      expect(checkCrossRefs(built(dir).objects, PLATFORM_EXTERNALS)).toEqual([]);
    },
  );

  it("k8s/argocd: Applications, project and notifications agree with each other and with the repository", () => {
    const argocd = loadManifestTree(join(K8S, "argocd"));
    expect(argocd.filter((d) => d.object.kind === "Application")).toHaveLength(2);
    expect(checkArgoCd(argocd)).toEqual([]);
  });
});

describe("probes ask paths the services answer", () => {
  let targets: ProbeTarget[] = [];
  let services: string[] = [];
  const urls = new Map<string, string>();
  const dataDir = mkdtempSync(join(tmpdir(), "canary-probes-"));

  beforeAll(async () => {
    targets = ["blue-green", "canary"].flatMap((overlay) =>
      probeTargets(new BuildIndex(built(join(K8S, overlay)).objects), PLATFORM_EXTERNALS.appImage),
    );
    services = [...new Set(targets.map((t) => t.service))].sort();
    const started = await Promise.all(
      services.map((service) =>
        startServiceProcess({ SERVICE: service, [`${service.toUpperCase()}_PORT`]: "0", DATA_DIR: dataDir }),
      ),
    );
    for (const [i, process] of started.entries()) urls.set(services[i]!, process.url);
  });
  afterAll(() => {
    killServiceProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("covers liveness and readiness of the three services in both overlays", () => {
    expect(services).toEqual(["docs", "newsfeed", "tinyurl"]);
    expect(new Set(targets.map((t) => t.probe))).toEqual(
      new Set(["livenessProbe", "readinessProbe", "startupProbe"]),
    );
  });

  it("answers every probe with 200", async () => {
    const answers = await Promise.all(
      targets.map(
        async (t) =>
          `${t.service} ${t.probe} ${t.path} → ${(await fetch(`${urls.get(t.service)}${t.path}`)).status}`,
      ),
    );
    expect(answers.filter((a) => !a.endsWith("→ 200"))).toEqual([]);
    expect(answers.length).toBe(targets.length);
  });
});

describe("Argo Rollouts' own examples", () => {
  const examples = ["examples", "docs"].flatMap((folder) => loadManifestTree(join(ARGO_EXAMPLES, folder)));

  it("are all found", () => {
    expect(examples.length).toBeGreaterThanOrEqual(25);
    expect(new Set(examples.map((d) => d.object.kind))).toEqual(
      new Set([
        "Rollout",
        "Service",
        "Ingress",
        "AnalysisTemplate",
        "ClusterAnalysisTemplate",
        "Experiment",
        "Secret",
        "Deployment",
      ]),
    );
  });

  it("validate: the validator is not stricter than Argo", () => {
    expect(validateDocuments(examples)).toEqual([]);
  });
});
