/**
 * The lookups every cross-reference rule needs over one build (the objects one kustomization emits): objects
 * by kind and name within a namespace, the pod templates of the workloads, and Kubernetes label selectors.
 */
import { describeDocument, field, type KubeObject, type ManifestDocument } from "./manifests.ts";

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: Record<string, { name?: string; key?: string; optional?: boolean; fieldPath?: string }>;
  }[];
  envFrom?: {
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

export interface Probe {
  httpGet?: { path?: string; port: string | number };
}

export interface PodSpec {
  serviceAccountName?: string;
  containers?: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    configMap?: { name: string; optional?: boolean };
    secret?: { secretName: string; optional?: boolean };
  }[];
}

/** Something that runs pods: its template's labels and spec. */
export interface Workload {
  document: ManifestDocument;
  namespace: string;
  labels: Labels;
  spec: PodSpec;
}

export const namespaceOf = (object: KubeObject): string => {
  const namespace = field(object, "metadata", "namespace");
  return typeof namespace === "string" ? namespace : "";
};

export const nameOf = (object: KubeObject): string => String(field(object, "metadata", "name") ?? "");

/** Where the pod template sits in each workload kind. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
  Rollout: ["spec", "template"],
};

export class BuildIndex {
  readonly workloads: Workload[] = [];
  readonly problems: string[] = [];

  constructor(readonly documents: ManifestDocument[]) {
    for (const document of documents) {
      const path = TEMPLATE_PATHS[String(document.object.kind)];
      const template = path && field(document.object, ...path);
      if (!template) continue;
      this.workloads.push({
        document,
        namespace: namespaceOf(document.object),
        labels: (field(template, "metadata", "labels") ?? {}) as Labels,
        spec: (field(template, "spec") ?? {}) as PodSpec,
      });
    }
  }

  /** Records a problem about `document`. */
  report(document: ManifestDocument, message: string): void {
    this.problems.push(`${describeDocument(document)}: ${message}`);
  }

  ofKind(kind: string): ManifestDocument[] {
    return this.documents.filter((d) => d.object.kind === kind);
  }

  find(kind: string, name: string, namespace: string): ManifestDocument | undefined {
    return this.documents.find(
      (d) => d.object.kind === kind && nameOf(d.object) === name && namespaceOf(d.object) === namespace,
    );
  }

  /** Workloads in `namespace` whose pods `selector` picks. */
  selectedWorkloads(selector: LabelSelector, namespace: string): Workload[] {
    return this.workloads.filter((w) => w.namespace === namespace && selectorMatches(selector, w.labels));
  }

  /** Services in `namespace` whose own labels `selector` picks (what a ServiceMonitor selects). */
  labelledServices(selector: LabelSelector, namespace: string): ManifestDocument[] {
    return this.ofKind("Service").filter(
      (d) =>
        namespaceOf(d.object) === namespace &&
        selectorMatches(selector, (field(d.object, "metadata", "labels") ?? {}) as Labels),
    );
  }
}

/** Kubernetes label selector semantics; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const present = key in labels;
    const ok =
      operator === "In"
        ? present && values.includes(labels[key]!)
        : operator === "NotIn"
          ? !present || !values.includes(labels[key]!)
          : operator === "Exists"
            ? present
            : operator === "DoesNotExist"
              ? !present
              : false;
    if (!ok) return false;
  }
  return true;
}

/** A Service's `spec.selector` (a plain label map) as a label selector. */
export const serviceSelector = (service: KubeObject): LabelSelector | undefined => {
  const selector = field(service, "spec", "selector") as Labels | undefined;
  return selector && Object.keys(selector).length > 0 ? { matchLabels: selector } : undefined;
};

export const allContainers = (spec: PodSpec): Container[] => [
  ...(spec.containers ?? []),
  ...(spec.initContainers ?? []),
];

/** Whether `port` (a number or a port name) is one of the container ports of `spec`. */
export function hasContainerPort(spec: PodSpec, port: string | number): boolean {
  return allContainers(spec).some((c) =>
    (c.ports ?? []).some((p) => (typeof port === "number" ? p.containerPort === port : p.name === port)),
  );
}
