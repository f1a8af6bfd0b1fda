/**
 * The platform's own containers (the one image, SERVICE picking the service) checked against the code that
 * runs in them: every environment variable is one functions/shared/config.ts reads and its value parses,
 * exactly one service runs, its `http` container port is the port that service listens on, probes target
 * that port, and the pods' app.kubernetes.io/version label (APP_VERSION) is the image tag.
 */
import { configSchema, loadConfig } from "../functions/shared/config.ts";
import type { BuildIndex, Container, Workload } from "./cross-refs-index.ts";
import { field, type ManifestDocument } from "./manifests.ts";
import { imageName, imageTag } from "./manifests-patch.ts";

/** Variables the image's runtime reads besides the app's own (Node's). */
const RUNTIME_VARIABLES = new Set(["NODE_ENV", "NODE_OPTIONS"]);
const CONFIG_VARIABLES = new Set(Object.keys(configSchema.shape));
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

export interface ProbeTarget {
  document: ManifestDocument;
  container: string;
  /** The service the container runs (its SERVICE). */
  service: string;
  probe: (typeof PROBES)[number];
  path: string;
}

/** The container's environment as the process would see it; Secret and field values are placeholders. */
function containerEnvironment(
  index: BuildIndex,
  workload: Workload,
  container: Container,
): Record<string, string> {
  const env: Record<string, string> = {};
  const configMapData = (name: string) =>
    (field(index.find("ConfigMap", name, workload.namespace)?.object, "data") ?? {}) as Record<
      string,
      string
    >;
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(source.configMapRef.name));
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    const ref = from?.configMapKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (ref?.name && ref.key) {
      const value = configMapData(ref.name)[ref.key];
      if (value !== undefined) env[variable.name] = value;
    } else if (from) env[variable.name] = `<${Object.keys(from)[0]}>`;
  }
  return env;
}

/** The services a container runs per its environment, or the problem that stops it from starting. */
function servicesOf(
  env: Record<string, string>,
): { services: string[]; ports: Record<string, number> } | string {
  try {
    const config = loadConfig(env);
    const ports = { tinyurl: config.TINYURL_PORT, newsfeed: config.NEWSFEED_PORT, docs: config.DOCS_PORT };
    return { services: config.SERVICES, ports };
  } catch (err) {
    return (err as Error).message;
  }
}

function appContainers(index: BuildIndex, appImage: string) {
  return index.workloads.flatMap((workload) =>
    (workload.spec.containers ?? [])
      .filter((c) => typeof c.image === "string" && imageName(c.image) === appImage)
      .map((container) => ({ workload, container, env: containerEnvironment(index, workload, container) })),
  );
}

export function checkAppContainers(index: BuildIndex, appImage: string): void {
  for (const { workload, container, env } of appContainers(index, appImage)) {
    const { document } = workload;
    const where = `container ${container.name}`;
    for (const name of Object.keys(env)) {
      if (!CONFIG_VARIABLES.has(name) && !RUNTIME_VARIABLES.has(name)) {
        index.report(document, `${where} sets ${name}, which functions/shared/config.ts does not read`);
      }
    }
    const parsed = servicesOf(env);
    if (typeof parsed === "string") {
      index.report(document, `${where} would not start: ${parsed}`);
      continue;
    }
    const [service, ...others] = parsed.services;
    if (!service || others.length > 0) {
      index.report(
        document,
        `${where} runs ${parsed.services.length || "every"} service(s): set SERVICE to one`,
      );
      continue;
    }
    const port = parsed.ports[service as keyof typeof parsed.ports];
    const http = (container.ports ?? []).find((p) => p.name === "http");
    if (http?.containerPort !== port) {
      index.report(
        document,
        `${where} runs ${service} on port ${port}, but its http port is ${http?.containerPort ?? "missing"}`,
      );
    }
    for (const probe of PROBES) {
      const target = container[probe]?.httpGet?.port;
      if (target !== undefined && target !== "http" && target !== port) {
        index.report(document, `${where} ${probe} targets port ${target}, not the service's (${port})`);
      }
    }
    const version = workload.labels["app.kubernetes.io/version"];
    const tag = container.image ? imageTag(container.image) : undefined;
    if (version !== undefined && version !== tag) {
      index.report(
        document,
        `app.kubernetes.io/version is ${version} but ${where} runs tag ${tag ?? "(none)"}`,
      );
    }
  }
}

/** Every HTTP probe of the platform's containers, with the service it asks. */
export function probeTargets(index: BuildIndex, appImage: string): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const { workload, container, env } of appContainers(index, appImage)) {
    const parsed = servicesOf(env);
    const service = typeof parsed === "string" ? undefined : parsed.services[0];
    for (const probe of PROBES) {
      const path = container[probe]?.httpGet?.path;
      if (service && path)
        targets.push({ document: workload.document, container: container.name, service, probe, path });
    }
  }
  return targets;
}
