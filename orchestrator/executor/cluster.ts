/**
 * Cluster or not: `npm run orchestrate` asks before planning, so steps with a local alternative
 * (`locally: \`…\`` in the guides) run it on a machine with no Kubernetes cluster. A cluster is present when
 * `kubectl cluster-info` answers; kubectl missing means no cluster. `CANARY_CLUSTER=present|absent` skips
 * the probe (tests, CI, or a person who knows better).
 */
import { execFile } from "node:child_process";

export const CLUSTER_ENV = "CANARY_CLUSTER";

export interface ClusterProbeResult {
  reachable: boolean;
  /** What the probe saw, for the message: `kubectl cluster-info failed`. */
  why: string;
}

export type ClusterProbe = (env: NodeJS.ProcessEnv) => Promise<ClusterProbeResult>;

/** The time kubectl gets to answer, and a bound on the whole probe should kubectl itself hang. */
const REQUEST_TIMEOUT = "5s";
const PROBE_TIMEOUT_MS = 15_000;

export const probeCluster: ClusterProbe = (env) =>
  new Promise((resolve) => {
    execFile(
      "kubectl",
      ["cluster-info", `--request-timeout=${REQUEST_TIMEOUT}`],
      { env, timeout: PROBE_TIMEOUT_MS },
      (error) => {
        if (!error) resolve({ reachable: true, why: "kubectl cluster-info answered" });
        else if ((error as NodeJS.ErrnoException).code === "ENOENT")
          resolve({ reachable: false, why: "kubectl not found" });
        else resolve({ reachable: false, why: "kubectl cluster-info failed" });
      },
    );
  });

export interface LocalDecision {
  /** Pass `--local` to the run. */
  local: boolean;
  /** One line saying which and why. */
  message: string;
}

const LOCAL = "steps with a local alternative run it";
const CLUSTER = "steps run their commands (a local alternative only where a program is missing)";

/** `--local` and `--cluster` decide; else `CANARY_CLUSTER`; else the probe. */
export async function decideLocal(
  flags: { local?: boolean; cluster?: boolean },
  env: NodeJS.ProcessEnv,
  probe: ClusterProbe = probeCluster,
): Promise<LocalDecision> {
  if (flags.local && flags.cluster) throw new Error("--local and --cluster contradict each other");
  if (flags.local) return { local: true, message: `--local: ${LOCAL}` };
  if (flags.cluster) return { local: false, message: `--cluster: ${CLUSTER}` };
  const preset = env[CLUSTER_ENV]?.trim();
  if (preset && preset !== "present" && preset !== "absent") {
    throw new Error(`${CLUSTER_ENV} must be "present" or "absent", not "${preset}"`);
  }
  const seen = preset
    ? { reachable: preset === "present", why: `${CLUSTER_ENV}=${preset}` }
    : await probe(env);
  return seen.reachable
    ? { local: false, message: `Kubernetes cluster reachable (${seen.why}): ${CLUSTER}` }
    : { local: true, message: `no Kubernetes cluster reachable (${seen.why}): ${LOCAL}` };
}
