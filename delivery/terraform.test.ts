// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in these strings is Terraform interpolation syntax, not a mistaken template literal.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { checkTerraform, loadTerraformModule } from "./terraform.ts";
import { interpolations } from "./terraform-expressions.ts";

const TERRAFORM_DIR = join(import.meta.dirname, "..", "terraform");

const temporaryDirs: string[] = [];
afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the repository's module, to break one thing in. */
function copyOfModule(): string {
  const dir = mkdtempSync(join(tmpdir(), "canary-terraform-"));
  temporaryDirs.push(dir);
  cpSync(TERRAFORM_DIR, dir, { recursive: true });
  return dir;
}

const edit = (dir: string, file: string, change: (text: string) => string) =>
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), "utf8")));

describe("the repository's terraform/", () => {
  it("passes every check: parse, references, files, pinning, terraform fmt layout", async () => {
    expect(await checkTerraform(TERRAFORM_DIR)).toEqual([]);
  });

  it("creates the kind cluster, the namespaces and the five Helm releases", async () => {
    const { module } = await loadTerraformModule(TERRAFORM_DIR);
    const resources = Object.assign({}, ...module.files.map((f) => f.json.resource ?? {}));
    expect(Object.keys(resources.helm_release).sort()).toEqual([
      "argo_cd",
      "argo_rollouts",
      "ingress_nginx",
      "kube_prometheus_stack",
      "redis",
    ]);
    const [cluster] = resources.kind_cluster.this;
    const [controlPlane] = cluster.kind_config[0].node;
    expect(controlPlane.labels).toEqual({ "ingress-ready": "true" });
    expect(controlPlane.extra_port_mappings.map((m: { container_port: number }) => m.container_port)).toEqual(
      [80, 443],
    );
    const locals = module.files.flatMap((f) => (f.json.locals ?? []) as Record<string, string>[]);
    const namespaces = locals.find((l) => l.namespaces)?.namespaces;
    for (const ns of ["canary", "argocd", "argo-rollouts", "monitoring", "ingress-nginx"])
      expect(namespaces).toContain(`"${ns}"`);
    const outputs = Object.assign({}, ...module.files.map((f) => f.json.output ?? {}));
    for (const name of [
      "argocd_url",
      "argo_rollouts_dashboard_url",
      "grafana_url",
      "prometheus_url",
      "service_urls",
    ])
      expect(outputs).toHaveProperty(name);
    expect(outputs).toHaveProperty("kubeconfig_path");
    expect(outputs).toHaveProperty("cluster_name");
  });

  it("gives the charts the settings the delivery assets rely on", () => {
    const values = (name: string) =>
      parseYaml(readFileSync(join(TERRAFORM_DIR, "values", `${name}.yaml`), "utf8"));
    const rollouts = values("argo-rollouts");
    expect(rollouts.dashboard.enabled).toBe(true);
    expect(rollouts.controller.metrics.serviceMonitor.enabled).toBe(true);
    const stack = values("kube-prometheus-stack");
    for (const key of ["serviceMonitor", "podMonitor", "rule"])
      expect(stack.prometheus.prometheusSpec[`${key}SelectorNilUsesHelmValues`]).toBe(false);
    expect(stack.grafana.sidecar.dashboards).toMatchObject({
      label: "grafana_dashboard",
      searchNamespace: "ALL",
    });
    expect(stack.grafana.dashboards["argo-rollouts"]["argo-rollouts"].url).toMatch(
      /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-rollouts\/[0-9a-f]{40}\/examples\/dashboard\.json$/,
    );
    expect(values("redis")).toMatchObject({
      architecture: "standalone",
      auth: { existingSecret: "canary-redis", existingSecretPasswordKey: "redis-password" },
    });
    expect(values("ingress-nginx").controller).toMatchObject({
      hostPort: { enabled: true },
      nodeSelector: { "ingress-ready": "true" },
    });
  });
});

describe("checkTerraform on a broken copy", () => {
  it("reports a file that does not parse", async () => {
    const dir = copyOfModule();
    appendFileSync(join(dir, "main.tf"), 'resource "x" {\n  a =\n}\n');
    expect(await checkTerraform(dir)).toEqual([
      expect.stringMatching(/^main\.tf: does not parse: .*Invalid expression/),
    ]);
  });

  it("reports a variable used but not declared, also inside a for expression", async () => {
    const dir = copyOfModule();
    edit(dir, "outputs.tf", (t) => t.replace("var.service_hosts : name =>", "var.service_host : name =>"));
    edit(dir, "outputs.tf", (t) => t.replace("http://${host}", "http://${var.scheme_host}"));
    const problems = await checkTerraform(dir);
    expect(problems).toContainEqual(expect.stringMatching(/variable "service_host" is not declared/));
    expect(problems).toContainEqual(expect.stringMatching(/variable "scheme_host" is not declared/));
    // and the real one is now unused
    expect(problems).toContainEqual('variable "service_hosts" is declared but never used');
  });

  it("reports a local that is not defined, and one never used", async () => {
    const dir = copyOfModule();
    edit(dir, "main.tf", (t) => t.replace("for_each = local.namespaces", "for_each = local.namespace_names"));
    const problems = await checkTerraform(dir);
    expect(problems).toContainEqual(expect.stringMatching(/local "namespace_names" is not defined/));
    expect(problems).toContainEqual('local "namespaces" is defined but never used');
  });

  it("reports references to resources that do not exist", async () => {
    const dir = copyOfModule();
    edit(dir, "main.tf", (t) =>
      t.replace("[helm_release.kube_prometheus_stack]", "[helm_release.prometheus]"),
    );
    edit(dir, "outputs.tf", (t) => t.replace("kind_cluster.this.name", "kind_cluster.default.name"));
    edit(dir, "outputs.tf", (t) =>
      t.replace("kind_cluster.this.kubeconfig_path", "data.kind_cluster.x.kubeconfig_path"),
    );
    const problems = await checkTerraform(dir);
    expect(problems).toContainEqual(
      expect.stringMatching(/helm_release\.prometheus is not a declared resource/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/kind_cluster\.default is not a declared resource/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/data\.kind_cluster\.x is not declared/));
  });

  it("reports a values file that is missing", async () => {
    const dir = copyOfModule();
    rmSync(join(dir, "values", "redis.yaml"));
    expect(await checkTerraform(dir)).toEqual(["main.tf: values/redis.yaml does not exist"]);
  });

  it("reports a hostname the outputs read from a values file that no longer has it", async () => {
    const dir = copyOfModule();
    edit(dir, "values/argo-cd.yaml", (t) =>
      t.replace("    hostname: argocd.localhost", "    host: argocd.localhost"),
    );
    expect(await checkTerraform(dir)).toEqual([
      "outputs.tf: values/argo-cd.yaml has nothing at .server.ingress.hostname (read as local.argo_cd_values.server.ingress.hostname)",
    ]);
  });

  it("reports an unpinned provider and a chart version that is not a pinned variable", async () => {
    const dir = copyOfModule();
    edit(dir, "providers.tf", (t) => t.replace('version = "~> 3.1"', 'version = ">= 3.1"'));
    edit(dir, "variables.tf", (t) => t.replace('default     = "2.41.0"', 'default     = "2.x"'));
    expect(await checkTerraform(dir)).toEqual([
      "main.tf: helm_release.argo_rollouts version is not a variable with an x.y.z default",
      "providers.tf: provider helm is not pinned with ~> (>= 3.1)",
    ]);
  });

  it("reports layout terraform fmt would change, with file and line", async () => {
    const dir = copyOfModule();
    edit(dir, "outputs.tf", (t) =>
      t.replace("  value       = kind_cluster.this.name", "  value = kind_cluster.this.name"),
    );
    expect(await checkTerraform(dir)).toEqual(["outputs.tf:3: align-=: = at column 9, fmt puts it at 15"]);
  });
});

describe("interpolations", () => {
  it("splices nested interpolations in and blanks literal text", () => {
    expect(interpolations('a ${f("x.y ${var.b}")} and ${local.c} $${not.this}')).toEqual([
      { raw: 'f("x.y ${var.b}")', code: 'f("" (var.b))' },
      { raw: "local.c", code: "local.c" },
    ]);
  });
});
