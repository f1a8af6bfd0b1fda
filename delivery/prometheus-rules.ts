/**
 * The repo's PrometheusRules as the plain rule files Prometheus and promtool read. In a cluster the
 * Prometheus Operator does this conversion (one file per PrometheusRule); here `promtool check/test rules`
 * and the live Prometheus of the tests need it done by hand.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { findPromtool } from "./prometheus-server.ts";
import { type ManifestDocument, readK8sDocuments } from "./promql.ts";

export interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
  [field: string]: unknown;
}

export interface PlainRuleFile {
  /** `<PrometheusRule name>.rules.yaml`: the name promtool unit tests list under rule_files. */
  fileName: string;
  /** The manifest it came from, relative to the repo root. */
  source: string;
  groups: RuleGroup[];
}

/** One plain rule file per PrometheusRule in `documents` (default: all of k8s/). */
export function plainRuleFiles(documents: ManifestDocument[] = readK8sDocuments()): PlainRuleFile[] {
  const files = documents
    .filter((d) => d.object.kind === "PrometheusRule")
    .map(({ file, object }) => {
      const metadata = (object.metadata ?? {}) as { name?: string };
      const spec = (object.spec ?? {}) as { groups?: RuleGroup[] };
      // partial_response_strategy is a Thanos field the operator strips for Prometheus; promtool refuses it.
      const groups = (spec.groups ?? []).map(({ partial_response_strategy: _, ...group }) => group);
      return { fileName: `${metadata.name ?? "unnamed"}.rules.yaml`, source: file, groups };
    });
  const seen = new Map<string, string>();
  for (const file of files) {
    const other = seen.get(file.fileName);
    if (other)
      throw new Error(`two PrometheusRules named like ${file.fileName}: ${other} and ${file.source}`);
    seen.set(file.fileName, file.source);
  }
  return files;
}

/** Writes `files` into `dir` and returns their paths. */
export function writePlainRuleFiles(dir: string, files: PlainRuleFile[] = plainRuleFiles()): string[] {
  return files.map((file) => {
    const path = join(dir, file.fileName);
    writeFileSync(path, `# generated from ${file.source}\n${stringify({ groups: file.groups })}`);
    return path;
  });
}

export interface PromtoolResult {
  code: number | null;
  /** stdout and stderr together, as promtool interleaves its report across both. */
  output: string;
}

/** Runs promtool (see findPromtool) with `args` in `cwd`; never throws on a non-zero exit. */
export function runPromtool(args: string[], cwd?: string): Promise<PromtoolResult> {
  const binary = findPromtool();
  if (!binary)
    return Promise.reject(new Error("promtool not found (apt-get install -y prometheus, or set PROMTOOL)"));
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}
