/**
 * Static checks of the Terraform module in terraform/, for machines without a Terraform binary: every
 * .tf file parses (HashiCorp's own HCL parser, compiled to WebAssembly in @cdktf/hcl2json), every
 * reference resolves (var.X declared and every declared variable used, local.X defined and used,
 * resource/data references declared), every file the module reads exists, the paths the module reads out
 * of YAML files with yamldecode() exist in them, providers and charts are pinned, and the files are laid out
 * as `terraform fmt` would.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { parse as parseYaml } from "yaml";
import { expressions } from "./terraform-expressions.ts";
import { terraformFormatProblems } from "./terraform-format.ts";

/** hcl2json's shape: blocks become arrays of objects, expressions become "${…}" strings. */
type HclJson = Record<string, unknown>;

export interface TerraformFile {
  name: string;
  source: string;
  json: HclJson;
}

export interface TerraformModule {
  dir: string;
  files: TerraformFile[];
}

/** Parses every .tf file of dir. Files that do not parse are returned as problems. */
export async function loadTerraformModule(
  dir: string,
): Promise<{ module: TerraformModule; problems: string[] }> {
  const files: TerraformFile[] = [];
  const problems: string[] = [];
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".tf"))
    .sort();
  if (names.length === 0) problems.push(`${dir}: no .tf files`);
  for (const name of names) {
    const source = readFileSync(join(dir, name), "utf8");
    try {
      files.push({ name, source, json: await parse(name, source) });
    } catch (err) {
      problems.push(`${name}: does not parse: ${(err as Error).message}`);
    }
  }
  return { module: { dir, files }, problems };
}

/** Everything: parse, references, files, pinning, formatting. An empty list means the module passes. */
export async function checkTerraform(dir: string): Promise<string[]> {
  const { module, problems } = await loadTerraformModule(dir);
  // Cross-file checks without one of the files would only echo its parse error many times over.
  if (problems.length > 0) return problems;
  problems.push(...referenceProblems(module), ...fileProblems(module), ...pinningProblems(module));
  for (const file of module.files)
    for (const p of terraformFormatProblems(file.source))
      problems.push(`${file.name}:${p.line}: ${p.rule}: ${p.message}`);
  return problems;
}

const blocks = (json: HclJson, key: string): Record<string, unknown> =>
  (json[key] ?? {}) as Record<string, unknown>;

interface Declarations {
  variables: Set<string>;
  locals: Map<string, unknown>;
  resources: Set<string>;
  data: Set<string>;
  modules: Set<string>;
  /** Names usable as a bare traversal root in a `dynamic` block's content. */
  iterators: Set<string>;
}

export function declarations(module: TerraformModule): Declarations {
  const found: Declarations = {
    variables: new Set(),
    locals: new Map(),
    resources: new Set(),
    data: new Set(),
    modules: new Set(),
    iterators: new Set(),
  };
  for (const { json } of module.files) {
    for (const name of Object.keys(blocks(json, "variable"))) found.variables.add(name);
    for (const group of (json.locals ?? []) as Record<string, unknown>[])
      for (const [name, value] of Object.entries(group)) found.locals.set(name, value);
    for (const [type, named] of Object.entries(blocks(json, "resource")))
      for (const name of Object.keys(named as object)) found.resources.add(`${type}.${name}`);
    for (const [type, named] of Object.entries(blocks(json, "data")))
      for (const name of Object.keys(named as object)) found.data.add(`${type}.${name}`);
    for (const name of Object.keys(blocks(json, "module"))) found.modules.add(name);
    eachEntry(json, (key, value) => {
      if (key !== "dynamic" || typeof value !== "object" || value === null) return;
      for (const [name, list] of Object.entries(value as object)) {
        found.iterators.add(name);
        for (const d of list as { iterator?: string }[]) if (d.iterator) found.iterators.add(d.iterator);
      }
    });
  }
  return found;
}

const BUILT_IN_ROOTS = new Set(["path", "terraform", "each", "count", "self"]);
// A root segment followed by an attribute, not itself part of a longer traversal or a call's result.
const REFERENCE = /(?<![\w.\])"-])([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g;

export function referenceProblems(module: TerraformModule): string[] {
  const declared = declarations(module);
  const problems: string[] = [];
  const usedVariables = new Set<string>();
  const usedLocals = new Set<string>();
  for (const expression of expressions(module)) {
    const forVariables = new Set(
      [...expression.code.matchAll(/\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/g)].flatMap((m) =>
        m.slice(1).filter(Boolean),
      ),
    );
    for (const [, root, attribute, third] of expression.code.matchAll(REFERENCE)) {
      const where = `${expression.file}: \${${expression.raw}}`;
      if (
        !root ||
        !attribute ||
        BUILT_IN_ROOTS.has(root) ||
        forVariables.has(root) ||
        declared.iterators.has(root)
      )
        continue;
      if (root === "var") {
        usedVariables.add(attribute);
        if (!declared.variables.has(attribute))
          problems.push(`${where}: variable "${attribute}" is not declared`);
      } else if (root === "local") {
        usedLocals.add(attribute);
        if (!declared.locals.has(attribute)) problems.push(`${where}: local "${attribute}" is not defined`);
      } else if (root === "data") {
        if (!declared.data.has(`${attribute}.${third}`))
          problems.push(`${where}: data.${attribute}.${third} is not declared`);
      } else if (root === "module") {
        if (!declared.modules.has(attribute))
          problems.push(`${where}: module "${attribute}" is not declared`);
      } else if (!declared.resources.has(`${root}.${attribute}`))
        problems.push(`${where}: ${root}.${attribute} is not a declared resource`);
    }
  }
  for (const name of declared.variables)
    if (!usedVariables.has(name)) problems.push(`variable "${name}" is declared but never used`);
  for (const name of declared.locals.keys())
    if (!usedLocals.has(name)) problems.push(`local "${name}" is defined but never used`);
  return problems;
}

const MODULE_PATH = /\$\{path\.module\}\/([^"$}]+)/g;
const FILE_FUNCTION = /\b(?:file|templatefile|filebase64|filemd5|filesha256)\("([^"$]+)"/g;
const YAML_READ = /^yamldecode\(file\("\$\{path\.module\}\/([^"]+)"\)\)$/;
const TRAVERSAL = /^((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"]*"\])+)/;

/** Files the module reads exist; paths read out of YAML with yamldecode() exist in the YAML. */
export function fileProblems(module: TerraformModule): string[] {
  const problems: string[] = [];
  const all = expressions(module);
  for (const { file, raw } of all)
    for (const [, path] of [...raw.matchAll(MODULE_PATH), ...raw.matchAll(FILE_FUNCTION)])
      if (path && !existsSync(join(module.dir, path))) problems.push(`${file}: ${path} does not exist`);

  // local.x = yamldecode(file(...)) and the traversals made of local.x anywhere.
  const yamlLocals = new Map<string, string>();
  for (const [name, value] of declarations(module).locals) {
    const path = typeof value === "string" ? YAML_READ.exec(value.slice(2, -1))?.[1] : undefined;
    if (path) yamlLocals.set(name, path);
  }
  for (const { file, raw } of all) {
    for (const match of raw.matchAll(/\blocal\.([A-Za-z_][\w-]*)/g)) {
      const path = yamlLocals.get(match[1]!);
      const traversal = TRAVERSAL.exec(raw.slice(match.index + match[0].length))?.[1];
      if (!path || !traversal || !existsSync(join(module.dir, path))) continue;
      const document = parseYaml(readFileSync(join(module.dir, path), "utf8")) as unknown;
      if (resolveTraversal(document, traversal) === undefined)
        problems.push(`${file}: ${path} has nothing at ${traversal} (read as local.${match[1]}${traversal})`);
    }
  }
  return problems;
}

function resolveTraversal(document: unknown, traversal: string): unknown {
  let current = document;
  for (const [, name, index, key] of traversal.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"]*)"\]/g)) {
    if (current === null || typeof current !== "object") return undefined;
    const step = name ?? key ?? Number(index);
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** Calls visit with every object entry at any depth. */
function eachEntry(value: unknown, visit: (key: string, child: unknown) => void): void {
  if (Array.isArray(value)) for (const item of value) eachEntry(item, visit);
  else if (value !== null && typeof value === "object")
    for (const [key, child] of Object.entries(value)) {
      visit(key, child);
      eachEntry(child, visit);
    }
}

/** Required providers are pinned with `~>`; every chart version is a variable with an x.y.z default. */
export function pinningProblems(module: TerraformModule): string[] {
  const problems: string[] = [];
  const defaults = new Map<string, unknown>();
  for (const { json } of module.files)
    for (const [name, [body]] of Object.entries(
      blocks(json, "variable") as Record<string, { default?: unknown }[]>,
    ))
      defaults.set(name, body?.default);
  for (const { name: file, json } of module.files) {
    for (const terraform of (json.terraform ?? []) as {
      required_providers?: Record<string, { version?: string }>[];
    }[])
      for (const providers of terraform.required_providers ?? [])
        for (const [name, { version }] of Object.entries(providers))
          if (!version?.startsWith("~>"))
            problems.push(`${file}: provider ${name} is not pinned with ~> (${version})`);
    for (const [name, [release]] of Object.entries(
      blocks(blocks(json, "resource"), "helm_release") as Record<string, { version?: string }[]>,
    )) {
      const variable = /^\$\{var\.([\w-]+)\}$/.exec(release?.version ?? "")?.[1];
      const pinned = variable !== undefined && /^\d+\.\d+\.\d+$/.test(String(defaults.get(variable)));
      if (!pinned)
        problems.push(`${file}: helm_release.${name} version is not a variable with an x.y.z default`);
    }
  }
  return problems;
}
