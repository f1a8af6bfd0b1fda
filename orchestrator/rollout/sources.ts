/**
 * Where a local rollout's manifests come from: `--file` names a Rollout manifest, or a folder (or
 * kustomization file) under k8s/. A folder with a kustomization is built as kustomize builds it
 * (delivery/manifests-kustomize.ts), so `k8s/canary` yields the Rollouts with the overlay's strategy and the
 * templates it applies; a plain file is read with every AnalysisTemplate in its folder.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { loadManifestFile, loadManifestTree, type ManifestDocument } from "../../delivery/manifests.ts";
import { buildKustomization, findKustomizationFile } from "../../delivery/manifests-kustomize.ts";
import { checkTemplateRefs, loadRolloutSources, type RefusedObject, SERVICES } from "./spec.ts";
import type { AnalysisTemplateSpec, RolloutSpec } from "./types.ts";

export class RolloutSourceError extends Error {
  override name = "RolloutSourceError";
}

export interface RolloutSource {
  rollout: RolloutSpec;
  templates: AnalysisTemplateSpec[];
  /** Objects in the same manifests the engine could not load (reported, not fatal unless chosen). */
  refused: RefusedObject[];
}

const TEMPLATE_KINDS = new Set(["AnalysisTemplate", "ClusterAnalysisTemplate"]);

/** The documents `--file` stands for, paths relative to the working directory in messages. */
export function manifestDocuments(path: string): ManifestDocument[] {
  const full = resolve(path);
  if (!existsSync(full)) throw new RolloutSourceError(`${path}: no such file or folder`);
  const isDir = statSync(full).isDirectory();
  const kustomizationDir = isDir
    ? findKustomizationFile(full)
      ? full
      : undefined
    : /^kustomization\.ya?ml$/i.test(basename(full))
      ? dirname(full)
      : undefined;
  const rel = (d: ManifestDocument) => ({ ...d, file: relative(process.cwd(), d.file) || d.file });
  if (kustomizationDir) return buildKustomization(kustomizationDir).objects.map(rel);
  if (isDir) return loadManifestTree(full).map(rel);
  // A single manifest: its own documents, and the templates beside it.
  const own = loadManifestFile(full);
  const siblings = loadManifestTree(dirname(full)).filter(
    (d) => resolve(d.file) !== full && TEMPLATE_KINDS.has(String(d.object.kind)),
  );
  return [...own, ...siblings].map(rel);
}

/** The Rollout named `name` (or the only one), its templates checked against its references. */
export function loadRollout(path: string, name?: string): RolloutSource {
  const documents = manifestDocuments(path);
  const { rollouts, templates, refused } = loadRolloutSources(documents);
  const refusedRollout = refused.find((r) => r.kind === "Rollout" && (!name || r.name === name));
  const candidates = name ? rollouts.filter((r) => r.name === name) : rollouts;
  if (candidates.length === 0) {
    if (refusedRollout) throw deeperRefusal(documents, refusedRollout);
    const known = rollouts.map((r) => r.name).join(", ") || "none";
    throw new RolloutSourceError(
      name ? `${path}: no Rollout named "${name}" (Rollouts there: ${known})` : `${path}: no Rollout found`,
    );
  }
  if (candidates.length > 1)
    throw new RolloutSourceError(
      `${path} has several Rollouts (${candidates.map((r) => r.name).join(", ")}): choose one with --name`,
    );
  const rollout = candidates[0]!;
  checkTemplateRefs(rollout, templates);
  return { rollout, templates, refused };
}

/**
 * A Rollout of an image that is not one of our services is refused for its SERVICE before its strategy is
 * read. When a service given would only reveal another refusal (an experiment step, say), that one is the
 * error to show: no SERVICE fixes it.
 */
function deeperRefusal(documents: ManifestDocument[], first: RefusedObject): Error {
  const again = loadRolloutSources(documents, { fallbackService: SERVICES[0] }).refused.find(
    (r) => r.kind === "Rollout" && r.file === first.file && r.index === first.index,
  );
  return again && again.error.path !== first.error.path ? again.error : first.error;
}
