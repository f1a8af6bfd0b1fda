/**
 * Cross-references of the Argo CD assets: each Application's project exists and allows its repository, its
 * destination and every kind its source folder builds; the source folder is a kustomization of this
 * repository; notification triggers send templates that exist, subscriptions (annotations and the
 * `subscriptions` key) name triggers and services that exist, and service settings take their secrets
 * from documented keys of the notification Secret ($key references), never from values in the repository.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BuildIndex, namespaceOf } from "./cross-refs-index.ts";
import { field, type KubeObject, type ManifestDocument } from "./manifests.ts";
import { buildKustomization, findKustomizationFile } from "./manifests-kustomize.ts";

export interface ArgoCdOptions {
  /** The repository Applications deploy from, and where it is checked out here. */
  repoURL: string;
  repoRoot: string;
  /** Per notification ConfigMap: the Secret its `$key` references read, and the keys documented for it. */
  notificationSecrets: Record<string, { secret: string; keys: readonly string[] }>;
}

const SMTP_AND_SLACK = ["slack-token", "email-host", "email-from", "email-username", "email-password"];

export const PLATFORM_ARGOCD: ArgoCdOptions = {
  repoURL: "https://github.com/canary-platform/canary.git",
  repoRoot: join(import.meta.dirname, ".."),
  notificationSecrets: {
    "argocd-notifications-cm": { secret: "argocd-notifications-secret", keys: SMTP_AND_SLACK },
    "argo-rollouts-notification-configmap": {
      secret: "argo-rollouts-notification-secret",
      keys: SMTP_AND_SLACK,
    },
  },
};

/** Kinds an API server stores outside namespaces (what an AppProject's clusterResourceWhitelist governs). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterAnalysisTemplate",
  "CustomResourceDefinition",
  "IngressClass",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
]);

interface GroupKind {
  group: string;
  kind: string;
}

const groupOf = (object: KubeObject) => {
  const apiVersion = String(object.apiVersion ?? "");
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
};
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);
const listed = (list: GroupKind[] | undefined, group: string, kind: string) =>
  (list ?? []).some((e) => glob(e.group, group) && glob(e.kind, kind));

/** What a notification ConfigMap defines: triggers (with the templates they send), templates, services. */
function notificationConfig(configMap: KubeObject) {
  const data = (field(configMap, "data") ?? {}) as Record<string, string>;
  const withPrefix = (prefix: string) =>
    Object.keys(data)
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  // service.<type> is named <type>; service.<type>.<name> is named <name>.
  const services = withPrefix("service.").map((rest) => rest.split(".").pop()!);
  return { data, triggers: withPrefix("trigger."), templates: withPrefix("template."), services };
}

function checkNotifications(index: BuildIndex, document: ManifestDocument, options: ArgoCdOptions) {
  const name = String(field(document.object, "metadata", "name"));
  const secret = options.notificationSecrets[name];
  if (!secret) return;
  const config = notificationConfig(document.object);
  for (const trigger of config.triggers) {
    const conditions = parse(config.data[`trigger.${trigger}`] ?? "") as { send?: string[] }[] | null;
    if (!Array.isArray(conditions) || conditions.length === 0)
      index.report(document, `trigger.${trigger} has no conditions`);
    for (const template of (conditions ?? []).flatMap((c) => c.send ?? [])) {
      if (!config.templates.includes(template))
        index.report(document, `trigger.${trigger} sends template.${template}, which is not defined`);
    }
  }
  for (const [key, value] of Object.entries(config.data)) {
    if (!key.startsWith("service.")) continue;
    for (const match of value.matchAll(/\$([A-Za-z0-9_-]+)/g)) {
      if (!secret.keys.includes(match[1]!))
        index.report(document, `${key} reads $${match[1]}, not a documented key of ${secret.secret}`);
    }
    for (const line of value.split("\n")) {
      if (/^\s*(token|password|apiKey|signingSecret)\s*:/.test(line) && !line.includes("$")) {
        index.report(
          document,
          `${key} holds a credential in the repository: use a $key reference to ${secret.secret}`,
        );
      }
    }
  }
  const subscriptions = parse(config.data.subscriptions ?? "[]") as {
    recipients?: string[];
    triggers?: string[];
  }[];
  for (const subscription of subscriptions ?? []) {
    for (const trigger of subscription.triggers ?? []) {
      if (!config.triggers.includes(trigger))
        index.report(document, `a subscription names trigger ${trigger}, which is not defined`);
    }
    for (const recipient of subscription.recipients ?? []) {
      const service = recipient.split(":")[0]!;
      if (!config.services.includes(service))
        index.report(document, `a subscription sends to ${service}, which is not a service here`);
    }
  }
}

function checkApplication(index: BuildIndex, document: ManifestDocument, options: ArgoCdOptions) {
  const spec = (field(document.object, "spec") ?? {}) as Record<string, unknown>;
  const projectName = String(spec.project);
  const project = index.ofKind("AppProject").find((d) => field(d.object, "metadata", "name") === projectName);
  if (!project) {
    index.report(document, `project ${projectName} is not defined here`);
    return;
  }
  const projectSpec = (field(project.object, "spec") ?? {}) as {
    sourceRepos?: string[];
    destinations?: { server?: string; name?: string; namespace?: string }[];
    clusterResourceWhitelist?: GroupKind[];
    namespaceResourceWhitelist?: GroupKind[];
    namespaceResourceBlacklist?: GroupKind[];
  };
  const source = (spec.source ?? {}) as { repoURL?: string; path?: string };
  const destination = (spec.destination ?? {}) as { server?: string; name?: string; namespace?: string };
  if (!(projectSpec.sourceRepos ?? []).some((r) => glob(r, String(source.repoURL)))) {
    index.report(document, `project ${projectName} does not allow repository ${source.repoURL}`);
  }
  const allows = (namespace: string) =>
    (projectSpec.destinations ?? []).some(
      (d) =>
        glob(d.namespace ?? "*", namespace) &&
        (d.server !== undefined
          ? glob(d.server, String(destination.server))
          : glob(d.name ?? "*", String(destination.name))),
    );
  if (!allows(String(destination.namespace)))
    index.report(
      document,
      `project ${projectName} does not allow destination ${destination.server ?? destination.name}/${destination.namespace}`,
    );
  if (source.repoURL !== options.repoURL) return;
  const folder = join(options.repoRoot, String(source.path));
  if (!source.path || !existsSync(folder) || !findKustomizationFile(folder)) {
    index.report(document, `source.path ${source.path} is not a kustomization of this repository`);
    return;
  }
  const objects = buildKustomization(folder).objects.map((d) => d.object);
  const syncOptions = (field(spec, "syncPolicy", "syncOptions") ?? []) as string[];
  if (syncOptions.includes("CreateNamespace=true"))
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: destination.namespace } });
  for (const object of objects) {
    const group = groupOf(object);
    const kind = String(object.kind);
    const permitted = CLUSTER_SCOPED.has(kind)
      ? listed(projectSpec.clusterResourceWhitelist, group, kind)
      : (projectSpec.namespaceResourceWhitelist === undefined ||
          listed(projectSpec.namespaceResourceWhitelist, group, kind)) &&
        !listed(projectSpec.namespaceResourceBlacklist, group, kind);
    if (!permitted)
      index.report(
        document,
        `project ${projectName} does not permit ${group || "core"}/${kind}, which ${source.path} contains`,
      );
    const namespace = namespaceOf(object);
    if (!CLUSTER_SCOPED.has(kind) && namespace !== "" && !allows(namespace)) {
      index.report(
        document,
        `${source.path} deploys ${kind} into ${namespace}, which project ${projectName} does not allow`,
      );
    }
  }
}

function checkSubscriptionAnnotations(index: BuildIndex, document: ManifestDocument) {
  const configMap = index
    .ofKind("ConfigMap")
    .find((d) => field(d.object, "metadata", "name") === "argocd-notifications-cm");
  const annotations = (field(document.object, "metadata", "annotations") ?? {}) as Record<string, string>;
  for (const key of Object.keys(annotations)) {
    const match = /^notifications\.argoproj\.io\/subscribe\.([^.]+)\.(.+)$/.exec(key);
    if (!match) continue;
    const config = configMap ? notificationConfig(configMap.object) : undefined;
    if (!config?.triggers.includes(match[1]!))
      index.report(document, `${key}: trigger ${match[1]} is not defined in argocd-notifications-cm`);
    if (!config?.services.includes(match[2]!))
      index.report(document, `${key}: service ${match[2]} is not defined in argocd-notifications-cm`);
  }
}

/** Every problem of the Argo CD assets in `documents` (Applications, AppProjects, notification ConfigMaps). */
export function checkArgoCd(
  documents: ManifestDocument[],
  options: ArgoCdOptions = PLATFORM_ARGOCD,
): string[] {
  const index = new BuildIndex(documents);
  for (const document of index.ofKind("ConfigMap")) checkNotifications(index, document, options);
  for (const document of index.ofKind("Application")) {
    checkApplication(index, document, options);
    checkSubscriptionAnnotations(index, document);
  }
  return index.problems;
}
