/**
 * What `kustomize build <dir>` emits, for the subset of kustomize the repository uses: `resources` (files
 * and folders, recursively, with kustomize's load restrictions), `namespace`, `images`, JSON6902 `patches`
 * with a target, and `replacements`. Anything else in a kustomization is refused rather than ignored, so a
 * build here never silently differs from kustomize's. delivery/k8s.test.ts compares the two when kubectl
 * (which embeds kustomize) is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { type KubeObject, loadManifestFile, type ManifestDocument, parseManifests } from "./manifests.ts";
import {
  applyJsonPatch,
  applyReplacement,
  type ImageOverride,
  type Replacement,
  type Selector,
  selects,
  setImages,
} from "./manifests-patch.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

const SUPPORTED_FIELDS = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "resources",
  "namespace",
  "images",
  "patches",
  "replacements",
]);

/** Kinds kustomize knows are cluster-scoped, which its namespace transformer skips (CRDs it does not know). */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "ClusterRole",
  "ClusterRoleBinding",
  "CSIDriver",
  "CustomResourceDefinition",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "RuntimeClass",
  "StorageClass",
  "ValidatingWebhookConfiguration",
]);

export class KustomizeError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "KustomizeError";
  }
}

export interface KustomizeBuild {
  /** The folder built. */
  root: string;
  /** The objects the build emits, in kustomize's order (resources in the order listed, depth first). */
  objects: ManifestDocument[];
  /** Every kustomization file read, this one first. */
  kustomizations: string[];
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: Selector;
}

/** The kustomization file of `dir`, or undefined when it has none. */
export function findKustomizationFile(dir: string): string | undefined {
  const found = KUSTOMIZATION_FILES.map((name) => join(dir, name)).filter((file) => existsSync(file));
  if (found.length > 1)
    throw new KustomizeError(dir, `more than one kustomization file: ${found.join(", ")}`);
  return found[0];
}

/** Builds the kustomization in `dir` as `kustomize build dir` would. */
export function buildKustomization(dir: string): KustomizeBuild {
  return buildAt(dir, []);
}

/** kustomize's identity of a resource: two in one build may not share it. */
export function resourceId(object: KubeObject): string {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return `${String(object.apiVersion)} ${String(object.kind)} ${String(metadata.namespace ?? "")}/${String(metadata.name)}`;
}

function buildAt(dir: string, referrers: string[]): KustomizeBuild {
  const root = realpathSync(dir);
  const file = findKustomizationFile(dir);
  if (!file) throw new KustomizeError(dir, `no ${KUSTOMIZATION_FILES.join(" / ")} in this folder`);
  const spec = readKustomization(file);
  const objects: ManifestDocument[] = [];
  const kustomizations = [file];
  for (const entry of stringList(spec.resources, file, "resources")) {
    const target = join(dir, entry);
    if (/^[a-z]+:\/\//i.test(entry) || !existsSync(target)) {
      throw new KustomizeError(file, `resource "${entry}" does not exist`);
    }
    if (statSync(target).isDirectory()) {
      refuseCycle(realpathSync(target), [root, ...referrers], file, entry);
      const nested = buildAt(target, [root, ...referrers]);
      objects.push(...nested.objects);
      kustomizations.push(...nested.kustomizations);
    } else {
      objects.push(...loadManifestFile(restrictToRoot(target, root, file, entry)));
    }
  }
  refuseDuplicates(objects, file);

  for (const patch of patchEntries(spec.patches, file)) applyPatch(objects, patch, dir, root, file);
  if (spec.namespace !== undefined) {
    if (typeof spec.namespace !== "string") throw new KustomizeError(file, "namespace must be a string");
    for (const { object } of objects) {
      if (CLUSTER_SCOPED.has(String(object.kind))) continue;
      object.metadata = { ...(object.metadata as object), namespace: spec.namespace };
    }
  }
  for (const image of imageOverrides(spec.images, file)) {
    for (const { object } of objects) setImages(object, image);
  }
  for (const replacement of replacementEntries(spec.replacements, file)) {
    try {
      applyReplacement(
        objects.map((d) => d.object),
        replacement,
      );
    } catch (err) {
      throw new KustomizeError(file, (err as Error).message);
    }
  }
  return { root: dir, objects, kustomizations };
}

function readKustomization(file: string): Record<string, unknown> {
  const [document, ...rest] = parseManifests(readFileSync(file, "utf8"), file);
  if (!document || rest.length > 0) throw new KustomizeError(file, "a kustomization is one YAML mapping");
  const spec = document.object;
  if (spec.kind !== undefined && spec.kind !== "Kustomization") {
    throw new KustomizeError(file, `kind ${String(spec.kind)} is not supported (only Kustomization)`);
  }
  for (const key of Object.keys(spec)) {
    if (!SUPPORTED_FIELDS.has(key)) {
      throw new KustomizeError(file, `field "${key}" is not supported by this resolver`);
    }
  }
  return spec;
}

function stringList(value: unknown, file: string, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new KustomizeError(file, `${name} must be a list of strings`);
  }
  return value as string[];
}

/** kustomize's root-only load restriction: a file must be in or below the kustomization's folder. */
function restrictToRoot(target: string, root: string, file: string, entry: string): string {
  const real = realpathSync(target);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new KustomizeError(
      file,
      `"${entry}" is outside ${root}: kustomize loads files in or below it only`,
    );
  }
  return target;
}

/** kustomize refuses a folder that is, or contains, one already on the way here (it would loop). */
function refuseCycle(candidate: string, visited: string[], file: string, entry: string): void {
  for (const root of visited) {
    if (root === candidate || root.startsWith(candidate + sep)) {
      throw new KustomizeError(file, `"${entry}" contains ${relative(candidate, root) || "itself"}: a cycle`);
    }
  }
}

function refuseDuplicates(objects: ManifestDocument[], file: string): void {
  const seen = new Map<string, ManifestDocument>();
  for (const document of objects) {
    const metadata = document.object.metadata as { name?: unknown } | undefined;
    if (typeof metadata?.name !== "string" || !document.object.kind || !document.object.apiVersion) {
      throw new KustomizeError(
        file,
        `${document.file}[${document.index}] lacks apiVersion, kind or metadata.name`,
      );
    }
    const id = resourceId(document.object);
    const earlier = seen.get(id);
    if (earlier) {
      throw new KustomizeError(file, `${id} is defined twice (${earlier.file}, ${document.file})`);
    }
    seen.set(id, document);
  }
}

function patchEntries(value: unknown, file: string): PatchEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new KustomizeError(file, "patches must be a list");
  return value.map((entry: PatchEntry) => {
    if (!entry.target) {
      throw new KustomizeError(
        file,
        "a patch without a target is a strategic merge patch: not supported here",
      );
    }
    if ((entry.path === undefined) === (entry.patch === undefined)) {
      throw new KustomizeError(file, "a patch has exactly one of path and patch");
    }
    return entry;
  });
}

function applyPatch(objects: ManifestDocument[], entry: PatchEntry, dir: string, root: string, file: string) {
  const text =
    entry.patch ?? readFileSync(restrictToRoot(join(dir, entry.path!), root, file, entry.path!), "utf8");
  const operations: unknown = parse(text);
  if (!Array.isArray(operations)) {
    throw new KustomizeError(file, "only JSON6902 patches (a list of operations) are supported here");
  }
  let matched: ManifestDocument[];
  try {
    matched = objects.filter((d) => selects(entry.target!, d.object));
  } catch (err) {
    throw new KustomizeError(file, (err as Error).message);
  }
  if (matched.length === 0) {
    throw new KustomizeError(file, `patch target ${JSON.stringify(entry.target)} matches no resource`);
  }
  for (const document of matched) {
    try {
      document.object = applyJsonPatch(document.object, operations) as KubeObject;
    } catch (err) {
      throw new KustomizeError(file, `patch on ${resourceId(document.object)}: ${(err as Error).message}`);
    }
  }
}

function imageOverrides(value: unknown, file: string): ImageOverride[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v: ImageOverride) => typeof v?.name !== "string")) {
    throw new KustomizeError(file, "images must be a list of {name, newName?, newTag?, digest?}");
  }
  return value as ImageOverride[];
}

function replacementEntries(value: unknown, file: string): Replacement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new KustomizeError(file, "replacements must be a list");
  return value.map((entry: Replacement & { path?: unknown }) => {
    if (entry.path !== undefined)
      throw new KustomizeError(file, "replacements from a file are not supported");
    if (!entry.source || !Array.isArray(entry.targets)) {
      throw new KustomizeError(file, "a replacement has a source and targets");
    }
    return entry;
  });
}

/** Folders under `dir` (itself included, hidden ones skipped) that hold a kustomization, sorted. */
export function listKustomizations(dir: string): string[] {
  const found = findKustomizationFile(dir) ? [dir] : [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith("."))
      found.push(...listKustomizations(join(dir, entry.name)));
  }
  return found;
}

/**
 * The objects `kubectl kustomize dir` (kustomize as kubectl embeds it) emits, or undefined when kubectl is
 * not installed: the reference this resolver is compared with.
 */
export function kubectlKustomize(dir: string): ManifestDocument[] | undefined {
  const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
  if (result.status !== 0)
    throw new KustomizeError(dir, `kubectl kustomize failed: ${result.stderr || result.error}`);
  return parseManifests(result.stdout, `kubectl kustomize ${dir}`);
}

/** Ids of the resources two builds disagree on (missing from one, or different), sorted. */
export function buildDifferences(a: ManifestDocument[], b: ManifestDocument[]): string[] {
  const byId = (documents: ManifestDocument[]) =>
    new Map(documents.map((d) => [resourceId(d.object), d.object]));
  const left = byId(a);
  const right = byId(b);
  return [...new Set([...left.keys(), ...right.keys()])]
    .filter((id) => !isDeepStrictEqual(left.get(id), right.get(id)))
    .sort();
}
