/**
 * What Prometheus scrapes while a rollout runs: the ready replicas of both versions, written to a
 * file-based service discovery file that Prometheus re-reads without a restart. Each target carries the
 * labels the cluster's ServiceMonitor gives a pod, rollouts_pod_template_hash above all, so the repo's
 * AnalysisTemplates select the new version's series the same way here as on Kubernetes.
 */
import { type ScrapeJob, type ScrapeTarget, writeTargetFile } from "../../../delivery/prometheus-server.ts";
import type { Role } from "../types.ts";
import { podTemplateHash } from "./pod-template-hash.ts";
import type { Replica } from "./replicas.ts";

export { podTemplateHash } from "./pod-template-hash.ts";

export interface PrometheusTargetsOptions {
  /** The service discovery file (absolute, ending in .json). */
  file: string;
  service: string;
  /** Default "default". */
  namespace?: string;
}

/** The replicas of one role, as a ReplicaSet lists them. */
export interface RoleReplicas {
  role: Role;
  replicas: Replica[];
}

export class PrometheusTargets {
  readonly file: string;
  readonly service: string;
  readonly namespace: string;

  constructor({ file, service, namespace = "default" }: PrometheusTargetsOptions) {
    if (!file.endsWith(".json")) throw new Error(`a target file must end in .json: ${file}`);
    this.file = file;
    this.service = service;
    this.namespace = namespace;
    // Prometheus reads the file as soon as it starts: it must exist, even empty.
    writeTargetFile(file, []);
  }

  /**
   * The scrape job to start Prometheus with. The services label their own series with `service` and
   * `version`; those win on a clash, as with the ServiceMonitors' honorLabels.
   */
  job(): ScrapeJob {
    return { job: this.service, targetFiles: [this.file], honorLabels: true };
  }

  /** The ready replicas' targets with their pod labels. */
  targets(roles: RoleReplicas[]): ScrapeTarget[] {
    return roles.flatMap(({ role, replicas }) =>
      replicas
        .filter((replica) => replica.ready)
        .map((replica) => ({
          url: replica.url,
          labels: {
            service: this.service,
            version: replica.version,
            role,
            rollouts_pod_template_hash: podTemplateHash(replica.version),
            namespace: this.namespace,
            pod: replica.name,
          },
        })),
    );
  }

  /** Rewrites the file with the replicas as they are now (call it on every ReplicaSet change). */
  update(roles: RoleReplicas[]): void {
    writeTargetFile(this.file, this.targets(roles));
  }
}
