/**
 * The envelope every Argo object shares (apiVersion, kind, metadata, spec, status) and lookups among the
 * other manifests of the same sources (ConfigMaps, Secrets, the workload a Rollout refers to).
 */
import { isMapping, type Mapping, SpecReader, type SpecSource } from "./spec-fields.ts";

/** Decoded manifests, as delivery/manifests.ts loads them. */
export type KubeObjects = readonly Mapping[];

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";

const metadataOf = (object: Mapping): Mapping => (isMapping(object.metadata) ? object.metadata : {});

/** `Kind/name` as messages show it. */
export function describeKubeObject(object: unknown): string {
  if (!isMapping(object)) return "?/?";
  const name = metadataOf(object).name;
  return `${typeof object.kind === "string" ? object.kind : "?"}/${typeof name === "string" ? name : "?"}`;
}

/** The object of `kind` named `name` in `namespace` (undefined matches undefined, as one unnamespaced build). */
export function findObject(
  objects: KubeObjects,
  kind: string,
  name: string,
  namespace: string | undefined,
  apiGroup?: string,
): Mapping | undefined {
  return objects.find((object) => {
    const metadata = metadataOf(object);
    const group =
      typeof object.apiVersion === "string" ? object.apiVersion.split("/").slice(0, -1).join("/") : "";
    return (
      object.kind === kind &&
      metadata.name === name &&
      metadata.namespace === namespace &&
      (apiGroup === undefined || group === apiGroup)
    );
  });
}

/** A key of a ConfigMap among `objects`, or undefined when the ConfigMap or the key is not there. */
export function configMapValue(
  objects: KubeObjects,
  namespace: string | undefined,
  name: string,
  key: string,
): string | undefined {
  const data = findObject(objects, "ConfigMap", name, namespace)?.data;
  const value = isMapping(data) ? data[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** A key of a Secret among `objects` (stringData wins over data, as the API server merges them). */
export function secretValue(
  objects: KubeObjects,
  namespace: string | undefined,
  name: string,
  key: string,
): string | undefined {
  const secret = findObject(objects, "Secret", name, namespace);
  const stringData = isMapping(secret?.stringData) ? secret.stringData[key] : undefined;
  if (typeof stringData === "string") return stringData;
  const data = isMapping(secret?.data) ? secret.data[key] : undefined;
  return typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : undefined;
}

/**
 * Checks the envelope of an Argo object and returns a reader for its fields. `status` is what a cluster
 * wrote back (a manifest exported with `kubectl get -o yaml`): it says nothing about the release.
 */
export function objectReader(
  object: unknown,
  source: SpecSource,
  kinds: readonly string[],
): { reader: SpecReader; manifest: Mapping; metadata: Mapping; name: string; namespace?: string } {
  const reader = new SpecReader(source, describeKubeObject(object));
  if (!isMapping(object)) throw reader.error("", "is not a mapping");
  if (typeof object.kind !== "string" || !kinds.includes(object.kind)) {
    throw reader.error("kind", `must be ${kinds.join(" or ")}`);
  }
  if (object.apiVersion !== ARGO_API_VERSION) {
    throw reader.error("apiVersion", `must be ${ARGO_API_VERSION}, not ${String(object.apiVersion)}`);
  }
  reader.checkFields(object, "", {
    apiVersion: "read",
    kind: "read",
    metadata: "read",
    spec: "read",
    status: { ignored: "written by a cluster's controller, not part of the manifest's intent" },
  });
  const metadata = reader.requiredMapping(object.metadata, "metadata");
  const name = reader.requiredString(metadata.name, "metadata.name");
  const namespace = reader.string(metadata.namespace, "metadata.namespace");
  return { reader, manifest: object, metadata, name, ...(namespace === undefined ? {} : { namespace }) };
}
