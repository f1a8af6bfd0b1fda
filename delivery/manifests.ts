/**
 * Kubernetes manifests as plain objects: every YAML document of a file or of a folder tree, each with its
 * file and position so that a problem found later (schema, cross-reference, rollout engine) can point at
 * its source. Nothing here knows about kinds: it is the loader every delivery check and the local rollout
 * engine share.
 */
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";

/** A decoded manifest: a YAML mapping, typically with apiVersion, kind and metadata. */
export type KubeObject = Record<string, unknown>;

export interface ManifestDocument {
  /** The file as the caller named it (joined onto the folder given to loadManifestTree). */
  file: string;
  /** Position of the document in its file, from 0; empty and non-object documents keep their number. */
  index: number;
  object: KubeObject;
}

/** A file that is not valid YAML, or whose meaning differs between YAML 1.1 and 1.2 readers. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly index: number | undefined,
    message: string,
  ) {
    super(`${index === undefined ? file : `${file}[${index}]`}: ${message}`);
    this.name = "ManifestError";
  }
}

export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml"];

const isObject = (value: unknown): value is KubeObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Every mapping document of `text`. Lists and scalars (a JSON6902 patch file, an empty document) are not
 * objects and are skipped. Kubernetes tools disagree on the YAML version (kubectl's decoder reads 1.1, where
 * `on`, `yes` and `0755` are a boolean and a number; kustomize reads 1.2, where they are strings), so a
 * document that decodes differently under the two is refused: quote the value.
 */
export function parseManifests(text: string, file: string): ManifestDocument[] {
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const yaml11 = parseAllDocuments(text, { version: "1.1", uniqueKeys: true });
  const manifests: ManifestDocument[] = [];
  documents.forEach((document, index) => {
    const error = document.errors[0];
    if (error) throw new ManifestError(file, index, error.message);
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    const asYaml11: unknown = yaml11[index]?.toJS({ maxAliasCount: 100 });
    const divergence = firstDifference(value, asYaml11, "");
    if (divergence !== undefined) {
      throw new ManifestError(
        file,
        index,
        `${divergence || "the document"} reads differently in YAML 1.1 and 1.2; quote the value`,
      );
    }
    if (isObject(value)) manifests.push({ file, index, object: value });
  });
  return manifests;
}

/** The path of the first place where two decoded values differ, or undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path;
    for (let i = 0; i < a.length; i++) {
      const found = firstDifference(a[i], b[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], `${path}/${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : path;
}

export function loadManifestFile(file: string): ManifestDocument[] {
  return parseManifests(readFileSync(file, "utf8"), file);
}

/** Every file under `dir` (recursively, hidden folders skipped) with one of `extensions`, sorted. */
export function listManifestFiles(
  dir: string,
  extensions: readonly string[] = MANIFEST_EXTENSIONS,
): string[] {
  const files: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listManifestFiles(path, extensions));
    else if (entry.isFile() && extensions.includes(extname(entry.name))) files.push(path);
  }
  return files;
}

/** Every object document of every manifest file under `dir`, in file order then document order. */
export function loadManifestTree(
  dir: string,
  extensions: readonly string[] = MANIFEST_EXTENSIONS,
): ManifestDocument[] {
  return listManifestFiles(dir, extensions).flatMap(loadManifestFile);
}

/** A field of a decoded manifest, or undefined when any step of `path` is missing or not an object. */
export function field(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof step === "number" ? !Array.isArray(current) : !isObject(current)) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** `kind/name` of an object, as messages show it ("?" for what is missing). */
export function describeObject(object: KubeObject): string {
  const name = field(object, "metadata", "name");
  return `${typeof object.kind === "string" ? object.kind : "?"}/${typeof name === "string" ? name : "?"}`;
}

/** `file[index] kind/name`: where a document is and what it is. */
export function describeDocument(document: ManifestDocument): string {
  return `${document.file}[${document.index}] ${describeObject(document.object)}`;
}
