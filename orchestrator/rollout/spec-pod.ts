/**
 * What the engine takes from a Rollout's pod template: which of our services it runs, on which port, at
 * which image tag. The rest of the template (resources, probes, volumes, security context, env) describes
 * Kubernetes pods; locally every replica is a process of the service (README.md, "The pod template").
 */
import { isMapping, type Mapping, type SpecReader } from "./spec-fields.ts";
import { configMapValue, findObject, type KubeObjects } from "./spec-objects.ts";

/** The services a replica can be (functions/start.ts). */
export const SERVICES = ["tinyurl", "newsfeed", "docs"] as const;
export type ServiceName = (typeof SERVICES)[number];

const isService = (value: unknown): value is ServiceName => SERVICES.includes(value as ServiceName);

/** Workloads a Rollout's workloadRef may name, by API group and kind, with where their template is (Argo's templateref.go). */
const WORKLOADS: { group: string; kind: string; template: string[] }[] = [
  { group: "apps", kind: "Deployment", template: ["spec", "template"] },
  { group: "apps", kind: "ReplicaSet", template: ["spec", "template"] },
  { group: "", kind: "PodTemplate", template: ["template"] },
];

/**
 * The pod template: spec.template, or the template of the workload spec.workloadRef names when that
 * workload is among `objects` (Argo resolves it from the cluster; here it must be loaded alongside).
 */
export function resolvePodTemplate(
  reader: SpecReader,
  spec: Mapping,
  namespace: string | undefined,
  objects: KubeObjects,
): { template: Mapping; path: string } {
  const ref = reader.mapping(spec.workloadRef, "spec.workloadRef");
  if (!ref)
    return { template: reader.requiredMapping(spec.template, "spec.template"), path: "spec.template" };
  reader.checkFields(ref, "spec.workloadRef", {
    apiVersion: "read",
    kind: "read",
    name: "read",
    scaleDown: { ignored: "scales the referenced Deployment in a cluster; it is not run locally" },
  });
  const templateNode = reader.mapping(spec.template, "spec.template");
  if (templateNode && Object.keys(templateNode).length > 0) {
    throw reader.error("spec.template", "must be empty when spec.workloadRef is set (Argo refuses both)");
  }
  const apiVersion = reader.requiredString(ref.apiVersion, "spec.workloadRef.apiVersion");
  const kind = reader.requiredString(ref.kind, "spec.workloadRef.kind");
  const name = reader.requiredString(ref.name, "spec.workloadRef.name");
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const known = WORKLOADS.find((w) => w.group === group && w.kind === kind);
  if (!known) {
    throw reader.error(
      "spec.workloadRef",
      `names a ${apiVersion} ${kind}; Argo refers only to Deployments, ReplicaSets and PodTemplates`,
    );
  }
  const workload = findObject(objects, kind, name, namespace, group);
  if (!workload) {
    throw reader.unsupported(
      "spec.workloadRef",
      `the ${kind} ${name} holds the pod template and is not among the manifests loaded; load its file too`,
    );
  }
  let template: unknown = workload;
  for (const step of known.template) template = isMapping(template) ? template[step] : undefined;
  if (!isMapping(template)) {
    throw reader.error("spec.workloadRef", `names ${kind} ${name}, which has no ${known.template.join(".")}`);
  }
  return { template, path: `${kind}/${name} ${known.template.join(".")}` };
}

/** The first container's service, port and image tag. `fallbackService` serves images that are not ours. */
export function readPodTemplate(
  reader: SpecReader,
  template: Mapping,
  path: string,
  context: { namespace: string | undefined; objects: KubeObjects; fallbackService: string | undefined },
): { service: ServiceName; port: number | null; imageTag: string | null } {
  const podSpec = reader.requiredMapping(template.spec, `${path}.spec`);
  const containers = reader.list(podSpec.containers, `${path}.spec.containers`);
  const at = `${path}.spec.containers[0]`;
  if (containers.length === 0) throw reader.error(`${path}.spec.containers`, "needs a container");
  const container = reader.requiredMapping(containers[0], at);
  const containerName = reader.requiredString(container.name, `${at}.name`);
  const image = reader.string(container.image, `${at}.image`);
  const fromEnv = serviceFromEnv(reader, container, at, context.namespace, context.objects);
  let service: string | undefined = fromEnv;
  if (service === undefined && isService(containerName)) service = containerName;
  service ??= context.fallbackService;
  if (!isService(service)) {
    throw reader.error(
      `${at}.env`,
      fromEnv === undefined
        ? `must set SERVICE to one of ${SERVICES.join(", ")}: the container (${containerName}) is not one of ` +
            "the services the engine runs, and no fallback service was given"
        : `sets SERVICE to "${fromEnv}", not one of ${SERVICES.join(", ")}`,
    );
  }
  return { service, port: containerPort(reader, container, at), imageTag: image ? imageTag(image) : null };
}

/** SERVICE as the container would see it: envFrom ConfigMaps first, then env (which wins), later entries winning. */
function serviceFromEnv(
  reader: SpecReader,
  container: Mapping,
  path: string,
  namespace: string | undefined,
  objects: KubeObjects,
): string | undefined {
  let service: string | undefined;
  reader.list(container.envFrom, `${path}.envFrom`).forEach((source) => {
    const name = isMapping(source) && isMapping(source.configMapRef) ? source.configMapRef.name : undefined;
    const prefix = isMapping(source) && typeof source.prefix === "string" ? source.prefix : "";
    if (typeof name !== "string" || !"SERVICE".startsWith(prefix)) return;
    service = configMapValue(objects, namespace, name, "SERVICE".slice(prefix.length)) ?? service;
  });
  reader.list(container.env, `${path}.env`).forEach((variable) => {
    if (!isMapping(variable) || variable.name !== "SERVICE") return;
    if (typeof variable.value === "string") service = variable.value;
    const ref = isMapping(variable.valueFrom) ? variable.valueFrom.configMapKeyRef : undefined;
    if (isMapping(ref) && typeof ref.name === "string" && typeof ref.key === "string") {
      service = configMapValue(objects, namespace, ref.name, ref.key) ?? service;
    }
  });
  return service?.trim().toLowerCase();
}

/** The port named http, else the first one; null when the container declares none. */
function containerPort(reader: SpecReader, container: Mapping, path: string): number | null {
  const ports = reader.list(container.ports, `${path}.ports`);
  const index = Math.max(
    0,
    ports.findIndex((port) => isMapping(port) && port.name === "http"),
  );
  if (ports.length === 0) return null;
  const port = reader.requiredMapping(ports[index], `${path}.ports[${index}]`);
  return (
    reader.integer(port.containerPort, `${path}.ports[${index}].containerPort`, { min: 1, max: 65535 }) ??
    null
  );
}

/** The tag of an image reference (`registry:5000/name:tag@sha256:…` → `tag`); null when it has none. */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split("@")[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return colon === -1 ? null : withoutDigest.slice(colon + 1) || null;
}
