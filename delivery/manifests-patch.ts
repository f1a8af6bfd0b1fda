/**
 * The transformations the kustomize resolver applies: JSON6902 patches (RFC 6902 add, remove, replace,
 * test), kustomize's resource selectors, `images` (new tag, name or digest) and `replacements` (copy one
 * field, or one delimited part of it, into fields of other resources). Each refuses what it does not
 * implement instead of guessing.
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "./manifests.ts";

/** A kustomize resource selector (a patch `target`, a replacement `source` or `select`). */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface Replacement {
  source: Selector & { fieldPath?: string; options?: { delimiter?: string; index?: number } };
  targets: { select: Selector; reject?: Selector[]; fieldPaths: string[]; options?: unknown }[];
}

const SELECTOR_KEYS = new Set(["group", "version", "kind", "name", "namespace"]);

/** Whether `selector` picks `object` (every field it names must match exactly). */
export function selects(selector: Selector, object: KubeObject): boolean {
  for (const key of Object.keys(selector)) {
    if (!SELECTOR_KEYS.has(key)) throw new Error(`selector field "${key}" is not supported by this resolver`);
  }
  const apiVersion = String(object.apiVersion ?? "");
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const actual: Record<keyof Selector, unknown> = {
    group,
    version,
    kind: object.kind,
    name: metadata.name,
    namespace: metadata.namespace,
  };
  return (Object.keys(selector) as (keyof Selector)[]).every((key) => selector[key] === actual[key]);
}

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] =>
  typeof value === "object" && value !== null;

/** RFC 6901: "/a~1b/0" → ["a/b", "0"]. */
function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function arrayIndex(token: string, length: number, allowEnd: boolean, path: string): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${path}: "${token}" is not an array index`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length))
    throw new Error(`${path}: index ${index} is out of range`);
  return index;
}

/** RFC 6902 on a copy of `document`; the original is left untouched. */
export function applyJsonPatch(document: unknown, operations: unknown[]): unknown {
  let result = structuredClone(document);
  for (const raw of operations) {
    const operation = raw as { op?: unknown; path?: unknown; value?: unknown };
    if (typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw new Error(`a JSON6902 operation needs op and path: ${JSON.stringify(raw)}`);
    }
    const { op, path } = operation as { op: string; path: string };
    if (!["add", "remove", "replace", "test"].includes(op)) {
      throw new Error(`JSON6902 "${op}" is not supported by this resolver`);
    }
    if (op !== "remove" && !("value" in operation)) throw new Error(`${op} ${path} needs a value`);
    const tokens = pointerTokens(path);
    const last = tokens.pop();
    if (last === undefined) {
      if (op === "test") {
        if (!isDeepStrictEqual(result, operation.value)) throw new Error(`test ${path} failed`);
      } else if (op === "remove") throw new Error("cannot remove the whole document");
      else result = structuredClone(operation.value);
      continue;
    }
    let parent: unknown = result;
    for (const token of tokens) {
      const next: unknown = Array.isArray(parent)
        ? parent[arrayIndex(token, parent.length, false, path)]
        : isContainer(parent)
          ? (parent as Record<string, unknown>)[token]
          : undefined;
      if (!isContainer(next)) throw new Error(`${path}: "${token}" does not exist`);
      parent = next;
    }
    const value = structuredClone(operation.value);
    if (Array.isArray(parent)) {
      const index = arrayIndex(last, parent.length, op === "add", path);
      if (op === "add") parent.splice(index, 0, value);
      else if (op === "remove") parent.splice(index, 1);
      else if (op === "replace") parent[index] = value;
      else if (!isDeepStrictEqual(parent[index], value)) throw new Error(`test ${path} failed`);
    } else if (isContainer(parent)) {
      const object = parent as Record<string, unknown>;
      if (op !== "add" && !(last in object)) throw new Error(`${path} does not exist`);
      if (op === "add" || op === "replace") object[last] = value;
      else if (op === "remove") delete object[last];
      else if (!isDeepStrictEqual(object[last], value)) throw new Error(`test ${path} failed`);
    } else {
      throw new Error(`${path}: the parent is not an object or a list`);
    }
  }
  return result;
}

type Step = { key: string } | { match: [string, string] };

/** kustomize field paths: `spec.containers.[name=app].image`, `metadata.labels.[app.kubernetes.io/name]`. */
export function fieldPathSteps(fieldPath: string): Step[] {
  const steps: Step[] = [];
  for (const part of fieldPath.match(/\[[^\]]*\]|[^.[\]]+/g) ?? []) {
    if (!part.startsWith("[")) steps.push({ key: part });
    else {
      const inner = part.slice(1, -1);
      const equals = inner.indexOf("=");
      steps.push(equals < 0 ? { key: inner } : { match: [inner.slice(0, equals), inner.slice(equals + 1)] });
    }
  }
  if (steps.length === 0) throw new Error(`empty field path "${fieldPath}"`);
  return steps;
}

/** The container holding the last step of `steps`, and that step; throws when the path does not exist. */
function locate(object: unknown, steps: Step[], fieldPath: string): [Record<string, unknown>, string] {
  let current: unknown = object;
  for (const [i, step] of steps.entries()) {
    const isLast = i === steps.length - 1;
    if ("match" in step) {
      if (isLast || !Array.isArray(current))
        throw new Error(`field path ${fieldPath}: [${step.match.join("=")}] needs a list`);
      const [key, value] = step.match;
      current = current.find(
        (item: unknown) => isContainer(item) && String((item as Record<string, unknown>)[key]) === value,
      );
    } else {
      if (!isContainer(current) || Array.isArray(current) || !(step.key in current)) break;
      if (isLast) return [current as Record<string, unknown>, step.key];
      current = (current as Record<string, unknown>)[step.key];
    }
  }
  throw new Error(`field path ${fieldPath} does not exist`);
}

/** kustomize `replacements`: reads the source field and writes it into every target field. */
export function applyReplacement(objects: KubeObject[], replacement: Replacement): void {
  const { fieldPath = "metadata.name", options, ...selector } = replacement.source;
  const sources = objects.filter((o) => selects(selector, o));
  if (sources.length !== 1) {
    throw new Error(
      `replacement source ${JSON.stringify(selector)} matches ${sources.length} resources, not 1`,
    );
  }
  const [holder, key] = locate(sources[0], fieldPathSteps(fieldPath), fieldPath);
  let value = holder[key];
  if (options?.delimiter !== undefined) {
    const part = String(value).split(options.delimiter)[options.index ?? 0];
    if (part === undefined)
      throw new Error(`${fieldPath} has no part ${options.index} split on "${options.delimiter}"`);
    value = part;
  }
  for (const target of replacement.targets) {
    if (target.options !== undefined) throw new Error("replacement target options are not supported here");
    const chosen = objects.filter(
      (o) => selects(target.select, o) && !(target.reject ?? []).some((r) => selects(r, o)),
    );
    if (chosen.length === 0)
      throw new Error(`replacement target ${JSON.stringify(target.select)} matches nothing`);
    for (const object of chosen) {
      for (const path of target.fieldPaths) {
        const [container, last] = locate(object, fieldPathSteps(path), path);
        container[last] = structuredClone(value);
      }
    }
  }
}

/** A kustomize `images:` entry. */
export interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The image name without tag or digest (`host:port/repo:tag@sha` → `host:port/repo`). */
export function imageName(image: string): string {
  const withoutDigest = image.split("@")[0]!;
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** The tag of an image reference, or undefined when it has none. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split("@")[0]!;
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(colon + 1) : undefined;
}

const CONTAINER_LISTS = [
  ["spec", "containers"],
  ["spec", "initContainers"],
  ["spec", "template", "spec", "containers"],
  ["spec", "template", "spec", "initContainers"],
  ["spec", "jobTemplate", "spec", "template", "spec", "containers"],
  ["spec", "jobTemplate", "spec", "template", "spec", "initContainers"],
];

export function setImages(object: KubeObject, override: ImageOverride): void {
  for (const path of CONTAINER_LISTS) {
    let list: unknown = object;
    for (const step of path) list = (list as Record<string, unknown> | undefined)?.[step];
    if (!Array.isArray(list)) continue;
    for (const container of list as { image?: unknown }[]) {
      if (typeof container.image !== "string" || imageName(container.image) !== override.name) continue;
      const name = override.newName ?? override.name;
      const tag = imageTag(container.image);
      if (override.digest) container.image = `${name}@${override.digest}`;
      else if (override.newTag) container.image = `${name}:${override.newTag}`;
      else container.image = tag === undefined ? name : `${name}:${tag}`;
    }
  }
}
