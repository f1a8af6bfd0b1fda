/** `--file` → the Rollout: kustomizations built, plain manifests with the templates beside them, clear errors. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadRollout, manifestDocuments, RolloutSourceError } from "./sources.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rollout-sources-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const rollout = (name: string, template = "ok") => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: tinyurl
          image: ghcr.io/canary-platform/canary:0.1.0
          ports: [{ name: http, containerPort: 5000 }]
  strategy:
    canary:
      steps:
        - setWeight: 50
        - analysis: { templates: [{ templateName: ${template} }] }
`;
const template = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: ok }
spec:
  metrics:
    - name: ok
      successCondition: result == true
      provider: { web: { url: "http://127.0.0.1:1/ok", jsonPath: "{$.ok}" } }
`;

describe("loadRollout", () => {
  it("builds a kustomization and picks the Rollout by name", () => {
    const { rollout: spec, templates } = loadRollout("k8s/canary", "newsfeed");
    expect(spec).toMatchObject({ name: "newsfeed", service: "newsfeed", imageTag: "0.1.0" });
    expect(spec.strategy.kind).toBe("canary");
    expect(templates.map((t) => t.name)).toContain("success-rate");
    expect(manifestDocuments("k8s/canary/kustomization.yaml").length).toBe(
      manifestDocuments("k8s/canary").length,
    );
  });

  it("asks for --name when there are several, and names the ones there for an unknown name", () => {
    expect(() => loadRollout("k8s/canary")).toThrow(
      /several Rollouts \(.*tinyurl.*\): choose one with --name/,
    );
    expect(() => loadRollout("k8s/canary", "nope")).toThrow(
      /no Rollout named "nope" \(Rollouts there: .*docs/,
    );
    expect(() => loadRollout("no/such/place")).toThrow(RolloutSourceError);
  });

  it("reads a plain manifest with the templates beside it, or a folder without a kustomization", () => {
    const dir = folder({ "rollout.yaml": rollout("plain"), "templates.yaml": template });
    expect(loadRollout(join(dir, "rollout.yaml")).templates.map((t) => t.name)).toEqual(["ok"]);
    expect(loadRollout(dir).rollout.name).toBe("plain");
    const empty = folder({ "templates.yaml": template });
    expect(() => loadRollout(empty)).toThrow(/no Rollout found/);
  });

  it("refuses a Rollout whose template is missing", () => {
    const dir = folder({ "rollout.yaml": rollout("lonely", "missing") });
    expect(() => loadRollout(join(dir, "rollout.yaml"))).toThrow(/missing/);
  });
});
