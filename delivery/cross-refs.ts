/**
 * Cross-references within one build (what one kustomization emits): every name an object uses points at
 * something that exists and fits. Services select pods and reach a container port; Ingress backends exist
 * with that port; autoscalers, disruption budgets, network policies and ServiceMonitors select something;
 * ConfigMaps, Secrets and service accounts a pod uses exist (or are documented as created outside the
 * repository); plus the Argo Rollouts rules (cross-refs-rollouts.ts) and the platform container rules
 * (cross-refs-app.ts). Each problem names the file, document and object it is about.
 */
import { checkAppContainers } from "./cross-refs-app.ts";
import {
  allContainers,
  BuildIndex,
  hasContainerPort,
  type LabelSelector,
  type Labels,
  namespaceOf,
  selectorMatches,
  serviceSelector,
  type Workload,
} from "./cross-refs-index.ts";
import { checkRollouts, ingressBackends, rolloutServices } from "./cross-refs-rollouts.ts";
import { describeObject, field, type ManifestDocument } from "./manifests.ts";

export interface CrossRefOptions {
  /** Secrets created outside the repository, each with the keys documented for it (k8s/README.md). */
  externalSecrets: Record<string, readonly string[]>;
  /** Label sets of pods that run beside the build without being in it (a Helm release's). */
  externalPods: Labels[];
  /** The platform's image, whose containers are checked against functions/shared/config.ts. */
  appImage: string;
}

/** The platform's externals: k8s/README.md documents each (delivery/k8s.test.ts checks that it does). */
export const PLATFORM_EXTERNALS: CrossRefOptions = {
  externalSecrets: {
    "canary-secrets": ["auth-secret", "redis-url", "database-auth-token", "libsql-jwt-key"],
  },
  externalPods: [{ "app.kubernetes.io/name": "redis" }],
  appImage: "ghcr.io/canary-platform/canary",
};

/** Every cross-reference problem of one build; empty when everything holds. */
export function checkCrossRefs(
  documents: ManifestDocument[],
  options: CrossRefOptions = PLATFORM_EXTERNALS,
): string[] {
  const index = new BuildIndex(documents);
  checkServices(index);
  checkIngresses(index);
  checkScaleTargets(index);
  checkDisruptionBudgets(index);
  checkNetworkPolicies(index, options);
  checkServiceMonitors(index);
  checkPodReferences(index, options);
  checkRollouts(index);
  checkAppContainers(index, options.appImage);
  return index.problems;
}

const selectorOf = (document: ManifestDocument, ...path: string[]) =>
  field(document.object, ...path) as LabelSelector | undefined;

function checkServices(index: BuildIndex) {
  for (const document of index.ofKind("Service")) {
    const selector = serviceSelector(document.object);
    if (!selector) continue; // no selector: endpoints are managed by hand
    const workloads = index.selectedWorkloads(selector, namespaceOf(document.object));
    if (workloads.length === 0) index.report(document, "selects no pods of this build");
    const ports = (field(document.object, "spec", "ports") ?? []) as {
      port: number;
      targetPort?: string | number;
    }[];
    for (const { port, targetPort = port } of ports) {
      for (const workload of workloads) {
        if (!hasContainerPort(workload.spec, targetPort)) {
          index.report(
            document,
            `targetPort ${targetPort} is not a container port of ${describeObject(workload.document.object)}`,
          );
        }
      }
    }
  }
}

function checkIngresses(index: BuildIndex) {
  for (const document of index.ofKind("Ingress")) {
    for (const backend of ingressBackends(document.object)) {
      const service = index.find("Service", backend.name, namespaceOf(document.object));
      if (!service) {
        index.report(document, `backend Service ${backend.name} does not exist`);
        continue;
      }
      const ports = (field(service.object, "spec", "ports") ?? []) as { port: number; name?: string }[];
      const matches = ports.some((p) =>
        backend.port?.name !== undefined ? p.name === backend.port.name : p.port === backend.port?.number,
      );
      if (!matches)
        index.report(
          document,
          `Service ${backend.name} has no port ${backend.port?.name ?? backend.port?.number}`,
        );
    }
  }
}

function checkScaleTargets(index: BuildIndex) {
  for (const document of index.ofKind("HorizontalPodAutoscaler")) {
    const ref = (field(document.object, "spec", "scaleTargetRef") ?? {}) as {
      apiVersion?: string;
      kind?: string;
      name?: string;
    };
    const target = index.find(String(ref.kind), String(ref.name), namespaceOf(document.object));
    if (!target || target.object.apiVersion !== ref.apiVersion) {
      index.report(document, `scaleTargetRef ${ref.apiVersion} ${ref.kind}/${ref.name} is not in this build`);
    }
  }
}

function checkDisruptionBudgets(index: BuildIndex) {
  for (const document of index.ofKind("PodDisruptionBudget")) {
    const selector = selectorOf(document, "spec", "selector");
    if (!selector || index.selectedWorkloads(selector, namespaceOf(document.object)).length === 0) {
      index.report(document, "selects no pods of this build");
    }
  }
}

function checkNetworkPolicies(index: BuildIndex, options: CrossRefOptions) {
  const external = (selector: LabelSelector) =>
    options.externalPods.some((labels) => selectorMatches(selector, labels));
  for (const document of index.ofKind("NetworkPolicy")) {
    const namespace = namespaceOf(document.object);
    const podSelector = selectorOf(document, "spec", "podSelector") ?? {};
    const isEmpty =
      Object.keys(podSelector.matchLabels ?? {}).length + (podSelector.matchExpressions?.length ?? 0) === 0;
    const selected: Workload[] = index.selectedWorkloads(podSelector, namespace);
    if (!isEmpty && selected.length === 0 && !external(podSelector))
      index.report(document, "podSelector selects no pods");
    for (const direction of ["ingress", "egress"] as const) {
      const rules = (field(document.object, "spec", direction) ?? []) as Record<string, unknown>[];
      rules.forEach((rule, i) => {
        const peers = (rule[direction === "ingress" ? "from" : "to"] ?? []) as Record<string, unknown>[];
        for (const peer of peers) {
          const peerPods = peer.podSelector as LabelSelector | undefined;
          // A peer without namespaceSelector is a pod of this namespace: here, or a known external.
          if (
            peerPods &&
            !peer.namespaceSelector &&
            index.selectedWorkloads(peerPods, namespace).length === 0 &&
            !external(peerPods)
          ) {
            index.report(
              document,
              `${direction}[${i}] names pods that are neither in this build nor external`,
            );
          }
        }
        // A named port of an ingress rule is a port of the selected pods.
        const ports = (rule.ports ?? []) as { port?: string | number }[];
        for (const { port } of ports) {
          if (
            direction === "ingress" &&
            typeof port === "string" &&
            !selected.every((w) => hasContainerPort(w.spec, port))
          ) {
            index.report(document, `ingress[${i}] allows port ${port}, which the selected pods do not name`);
          }
        }
      });
    }
  }
}

function checkServiceMonitors(index: BuildIndex) {
  const managed = new Set(
    index
      .ofKind("Rollout")
      .flatMap((d) => rolloutServices(d.object).map((s) => `${namespaceOf(d.object)}/${s.name}`)),
  );
  for (const document of index.ofKind("ServiceMonitor")) {
    const selector = selectorOf(document, "spec", "selector") ?? {};
    const services = index.labelledServices(selector, namespaceOf(document.object));
    if (services.length === 0) index.report(document, "selects no Service of this build");
    const endpoints = (field(document.object, "spec", "endpoints") ?? []) as { port?: string }[];
    for (const service of services) {
      const name = String(field(service.object, "metadata", "name"));
      if (managed.has(`${namespaceOf(service.object)}/${name}`)) {
        index.report(
          document,
          `selects Service ${name}, whose selector Argo Rollouts rewrites (pods missed or scraped twice)`,
        );
      }
      const ports = (field(service.object, "spec", "ports") ?? []) as { name?: string }[];
      for (const { port } of endpoints) {
        if (port !== undefined && !ports.some((p) => p.name === port)) {
          index.report(document, `endpoint port ${port} is not a port of Service ${name}`);
        }
      }
    }
  }
}

function checkPodReferences(index: BuildIndex, options: CrossRefOptions) {
  for (const { document, namespace, spec } of index.workloads) {
    const configMap = (
      name: string,
      key: string | undefined,
      optional: boolean | undefined,
      where: string,
    ) => {
      const found = index.find("ConfigMap", name, namespace);
      if (!found) index.report(document, `${where}: ConfigMap ${name} is not in this build`);
      else if (key !== undefined && !optional && !(key in ((field(found.object, "data") ?? {}) as object))) {
        index.report(document, `${where}: ConfigMap ${name} has no key ${key}`);
      }
    };
    const secret = (name: string, key: string | undefined, where: string) => {
      const found = index.find("Secret", name, namespace);
      const documented = options.externalSecrets[name];
      if (found) {
        const keys = {
          ...((field(found.object, "data") ?? {}) as object),
          ...((field(found.object, "stringData") ?? {}) as object),
        };
        if (key !== undefined && !(key in keys))
          index.report(document, `${where}: Secret ${name} has no key ${key}`);
      } else if (!documented)
        index.report(document, `${where}: Secret ${name} is neither in this build nor documented`);
      else if (key !== undefined && !documented.includes(key)) {
        index.report(document, `${where}: key ${key} of Secret ${name} is not documented`);
      }
    };
    const account = spec.serviceAccountName;
    if (account && account !== "default" && !index.find("ServiceAccount", account, namespace)) {
      index.report(document, `serviceAccountName ${account} is not in this build`);
    }
    for (const volume of spec.volumes ?? []) {
      if (volume.configMap)
        configMap(volume.configMap.name, undefined, volume.configMap.optional, `volume ${volume.name}`);
      if (volume.secret) secret(volume.secret.secretName, undefined, `volume ${volume.name}`);
    }
    for (const container of allContainers(spec)) {
      const where = `container ${container.name}`;
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef)
          configMap(source.configMapRef.name, undefined, source.configMapRef.optional, where);
        if (source.secretRef) secret(source.secretRef.name, undefined, where);
      }
      for (const variable of container.env ?? []) {
        const from = variable.valueFrom ?? {};
        if (from.configMapKeyRef) {
          configMap(
            String(from.configMapKeyRef.name),
            from.configMapKeyRef.key,
            from.configMapKeyRef.optional,
            `${where} ${variable.name}`,
          );
        }
        if (from.secretKeyRef)
          secret(String(from.secretKeyRef.name), from.secretKeyRef.key, `${where} ${variable.name}`);
      }
    }
  }
}
