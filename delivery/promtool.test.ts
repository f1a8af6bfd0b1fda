import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlainRuleFile, plainRuleFiles, runPromtool, writePlainRuleFiles } from "./prometheus-rules.ts";
import { skipWithoutPrometheus } from "./prometheus-server.ts";
import { REPO_ROOT } from "./promql.ts";

const ruleFiles = plainRuleFiles();
const rules = ruleFiles.flatMap((file) =>
  file.groups.flatMap((group) =>
    group.rules.map((rule): Record<string, unknown> & { file: string } => ({ ...rule, file: file.source })),
  ),
);
const alerts = rules.filter((rule) => typeof rule.alert === "string");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

describe("the repo's PrometheusRules", () => {
  it("hold recording rules and alerts", () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(alerts.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThan(alerts.length);
  });

  it("name recorded series level:metric:operations", () => {
    for (const rule of rules.filter((r) => typeof r.record === "string")) {
      expect(rule.record, rule.file).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
    }
  });

  it("give every alert a severity, a summary, a description and a runbook section that exists", () => {
    const troubleshooting = readFileSync(join(REPO_ROOT, "docs/troubleshooting.md"), "utf8");
    const anchors = new Set([...troubleshooting.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchor(m[1]!)));
    for (const rule of alerts) {
      const what = `${rule.file}: ${rule.alert}`;
      const labels = (rule.labels ?? {}) as Record<string, string>;
      const annotations = (rule.annotations ?? {}) as Record<string, string>;
      expect(["critical", "warning", "info"], what).toContain(labels.severity);
      expect(annotations.summary, what).toBeTruthy();
      expect(annotations.description, what).toBeTruthy();
      const runbook = /\/docs\/troubleshooting\.md#([\w-]+)$/.exec(annotations.runbook_url ?? "");
      expect(runbook, `${what}: runbook_url ${annotations.runbook_url}`).not.toBeNull();
      expect(anchors, `${what}: no heading for #${runbook![1]}`).toContain(runbook![1]);
    }
  });
});

/** promtool unit tests under k8s/ (`*.test.yaml`, next to the rules they test). */
function unitTestFiles(dir = join(REPO_ROOT, "k8s")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return unitTestFiles(path);
    return /\.test\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/** A temp dir holding `files` as plain rules and a copy of every unit test, as promtool expects them. */
function workspace(files: PlainRuleFile[]): { dir: string; rules: string[]; tests: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "canary-promtool-"));
  const rules = writePlainRuleFiles(dir, files);
  const tests = unitTestFiles().map((source) => {
    const copy = join(dir, basename(source));
    copyFileSync(source, copy);
    return copy;
  });
  return { dir, rules, tests };
}

describe.skipIf(skipWithoutPrometheus("promtool over the repo's rules", ["promtool"]))("promtool", () => {
  const dirs: string[] = [];
  let repo: ReturnType<typeof workspace>;
  beforeAll(() => {
    repo = workspace(ruleFiles);
    dirs.push(repo.dir);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("check rules accepts every rule file", async () => {
    const { code, output } = await runPromtool(["check", "rules", ...repo.rules]);
    expect(output).toContain("SUCCESS");
    expect(code, output).toBe(0);
  });

  it("test rules passes every alert's unit tests", async () => {
    expect(repo.tests.length).toBeGreaterThan(0);
    const { code, output } = await runPromtool(["test", "rules", ...repo.tests], repo.dir);
    expect(code, output).toBe(0);
    // Every alert is exercised by some unit test.
    const tested = repo.tests.map((file) => readFileSync(file, "utf8")).join("\n");
    for (const rule of alerts)
      expect(tested, `no unit test for ${rule.alert}`).toContain(`alertname: ${rule.alert}`);
  });

  it("check rules refuses a rule that does not parse", async () => {
    const broken: PlainRuleFile = {
      fileName: "broken.rules.yaml",
      source: "(test)",
      groups: [{ name: "broken", rules: [{ record: "a:b:c", expr: "sum(rate(http_requests_total[5m])" }] }],
    };
    const { dir, rules: files } = workspace([broken]);
    dirs.push(dir);
    const { code, output } = await runPromtool(["check", "rules", ...files]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/FAILED/);
  });

  it("test rules fails when an alert's threshold moves (the unit tests pin it)", async () => {
    const mutated = structuredClone(ruleFiles);
    let changed = 0;
    for (const group of mutated.flatMap((file) => file.groups)) {
      for (const rule of group.rules) {
        if (rule.alert !== "ServiceHighErrorRate") continue;
        const expr = String(rule.expr);
        rule.expr = expr.replace("> 0.05", "> 0.5");
        if (rule.expr !== expr) changed++;
      }
    }
    expect(changed).toBe(1);
    const { dir, tests } = workspace(mutated);
    dirs.push(dir);
    const { code, output } = await runPromtool(["test", "rules", ...tests], dir);
    expect(code).not.toBe(0);
    expect(output).toContain("alertname: ServiceHighErrorRate");
  });
});
