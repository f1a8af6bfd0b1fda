/**
 * The engine's moving parts on this machine: a ReplicaSet per role, the weighted proxy on the service's
 * port (canary) or an active and a preview proxy (blue-green), traffic statistics from the proxies, and the
 * metric providers — a Prometheus scraping the replicas (Debian's, started in a temp dir with a target file
 * kept current, unless `--prometheus` names one) and Argo's web provider.
 */
import { join } from "node:path";
import { type PrometheusServer, startPrometheus } from "../../delivery/prometheus-server.ts";
import { PrometheusProvider } from "./analysis/prometheus.ts";
import type { MetricProviders } from "./analysis/provider.ts";
import { WebProvider } from "./analysis/web.ts";
import { SteadyLoad } from "./runtime/load.ts";
import { PrometheusTargets, podTemplateHash } from "./runtime/prometheus-targets.ts";
import { WeightedProxy } from "./runtime/proxy.ts";
import { ReplicaSet } from "./runtime/replicas.ts";
import { TrafficStats } from "./runtime/traffic.ts";
import type { RolloutSource } from "./sources.ts";
import { analysisRefsOf, templatesOf } from "./spec.ts";
import type { Role, RolloutStatus } from "./types.ts";

export interface RuntimeOptions {
  source: RolloutSource;
  versions: Record<Role, string>;
  env?: Record<string, string>;
  newEnv?: Record<string, string>;
  prometheusUrl?: string;
  ports: { service?: number; preview?: number };
  runDir: string;
  dataDir: string;
  entry?: string;
  /** Demo traffic through the proxies (requests per second; blue-green's preview gets a quarter more). */
  traffic?: { rps: number; paths?: string[] };
  onReplicasChanged: (role: Role) => void;
  log: (line: string) => void;
}

export interface EngineRuntime {
  ports: RolloutStatus["ports"];
  providers: MetricProviders;
  traffic: TrafficStats;
  scale(role: Role, replicas: number): void;
  setWeight(weight: number): void;
  setActive(role: Role): void;
  setPreview(role: Role | null): void;
  /** Every desired replica of the role answers its readiness probe. */
  isReady(role: Role): boolean;
  replicaCounts(): RolloutStatus["replicas"];
  stop(): Promise<void>;
}

const ROLES: Role[] = ["stable", "new"];
/** Blue-green's preview port when none is given: the service's port + 100 (5000 → 5100). */
const PREVIEW_OFFSET = 100;

/** Whether any template the rollout uses queries Prometheus. */
export function needsPrometheus(source: RolloutSource): boolean {
  return analysisRefsOf(source.rollout).some(({ ref }) =>
    templatesOf(source.rollout, ref, source.templates).some((t) =>
      t.metrics.some((m) => "prometheus" in m.provider),
    ),
  );
}

async function listen(proxy: WeightedProxy, what: string, port: number): Promise<void> {
  try {
    await proxy.listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new Error(
        `port ${port} (the ${what}) is in use — is \`npm start\` running? Stop it or choose another with --port/--preview-port`,
      );
    throw err;
  }
}

export async function startRuntime(options: RuntimeOptions): Promise<EngineRuntime> {
  const { rollout } = options.source;
  const traffic = new TrafficStats();
  for (const role of ROLES) traffic.assign(role, options.versions[role]);
  const onResult = (outcome: Parameters<TrafficStats["record"]>[0]) => traffic.record(outcome);
  const servicePort = options.ports.service ?? rollout.port ?? 0;
  const blueGreen = rollout.strategy.kind === "blueGreen";
  const main = new WeightedProxy({ port: servicePort, onResult });
  const preview = blueGreen
    ? new WeightedProxy({
        port: options.ports.preview ?? (servicePort === 0 ? 0 : servicePort + PREVIEW_OFFSET),
        onResult,
      })
    : undefined;
  const proxies = preview ? [main, preview] : [main];

  const targets = new PrometheusTargets({
    file: join(options.runDir, "prometheus-targets.json"),
    service: rollout.name,
    namespace: rollout.namespace ?? "default",
  });
  const sets = {} as Record<Role, ReplicaSet>;
  let prometheus: PrometheusServer | undefined;
  const allReady = (role: Role) => sets[role].desired > 0 && sets[role].ready >= sets[role].desired;
  // With Prometheus, a role is ready once Prometheus has scraped each of its replicas twice (enough for a
  // rate()): its discovery lags a file change by seconds, which a time-scaled analysis would otherwise hit.
  const scraped: Record<Role, number> = { stable: 0, new: 0 };
  const watching: Record<Role, boolean> = { stable: false, new: false };
  const watchScrapes = async (role: Role) => {
    if (!prometheus || watching[role]) return;
    watching[role] = true;
    const hash = podTemplateHash(sets[role].version);
    const want = sets[role].desired;
    const expr = `count(count_over_time(up{rollouts_pod_template_hash="${hash}"}[5m]) >= 2)`;
    const deadline = Date.now() + 30_000;
    try {
      while (allReady(role) && Date.now() < deadline) {
        const { result } = await prometheus.query(expr).catch(() => ({ result: [] as unknown[] }));
        const seen = Number((result as { value?: [number, string] }[])[0]?.value?.[1] ?? 0);
        if (seen >= want) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (Date.now() >= deadline)
        options.log(`prometheus has not scraped ${role} twice within 30 s; going on`);
    } finally {
      watching[role] = false;
    }
    scraped[role] = want;
    options.onReplicasChanged(role);
  };
  const changed = (role: Role) => {
    const set = sets[role];
    if (set.desired === 0) scraped[role] = 0;
    for (const proxy of proxies) proxy.setBackends(role, set.readyUrls(), set.version);
    targets.update(ROLES.map((r) => ({ role: r, replicas: sets[r].replicas() })));
    if (prometheus && allReady(role) && scraped[role] < set.desired) void watchScrapes(role);
    options.onReplicasChanged(role);
  };
  for (const role of ROLES) {
    sets[role] = new ReplicaSet({
      service: rollout.service,
      version: options.versions[role],
      dataDir: options.dataDir,
      runDir: options.runDir,
      env: { ...options.env, ...(role === "new" ? options.newEnv : {}) },
      ...(options.entry ? { entry: options.entry } : {}),
      onChange: () => changed(role),
      onFailure: (replica, reason) => options.log(`replica ${replica.name} failed: ${reason}`),
    });
  }

  const loads: SteadyLoad[] = [];
  const stop = async () => {
    for (const load of loads) load.stop();
    await Promise.allSettled(proxies.map((p) => p.close()));
    await Promise.allSettled(ROLES.map((r) => sets[r].stop()));
    await prometheus?.stop();
  };
  try {
    await listen(main, blueGreen ? "active service" : "service", servicePort);
    if (preview)
      await listen(preview, "preview service", options.ports.preview ?? servicePort + PREVIEW_OFFSET);
    if (blueGreen) {
      main.serve("stable");
      preview!.serve(null);
    }
    let address = options.prometheusUrl;
    if (!address && needsPrometheus(options.source)) {
      prometheus = await startPrometheus({ jobs: [targets.job()] });
      address = prometheus.url;
      options.log(`prometheus is scraping the replicas at ${address}`);
    }
    // The stable version is up and ready before the rollout starts, as in a cluster.
    await sets.stable.scale(rollout.replicas);
    const rps = options.traffic?.rps ?? 0;
    const paths = options.traffic?.paths;
    if (rps > 0) {
      loads.push(new SteadyLoad({ url: main.url, rps, ...(paths ? { paths } : {}) }));
      // The preview needs its own traffic, or a pre-promotion analysis has nothing to measure; it starts
      // when the preview serves a version.
      if (preview)
        loads.push(
          new SteadyLoad({ url: preview.url, rps: Math.max(1, rps / 4), ...(paths ? { paths } : {}) }),
        );
      loads[0]!.start();
      options.log(
        `demo traffic: ${rps} req/s to ${main.url}${preview ? `, ${Math.max(1, rps / 4)} req/s to the preview once it serves` : ""}`,
      );
    }
    return {
      ports: blueGreen ? { active: main.port, preview: preview!.port } : { service: main.port },
      providers: {
        ...(address ? { prometheus: new PrometheusProvider({ address }) } : {}),
        web: new WebProvider(),
      },
      traffic,
      scale(role, replicas) {
        sets[role]
          .scale(replicas)
          .catch((err) => options.log(`scaling ${role} to ${replicas}: ${err.message}`));
      },
      setWeight: (weight) => main.setWeight(weight),
      setActive: (role) => main.serve(role),
      setPreview: (role) => {
        preview?.serve(role);
        if (role) loads[1]?.start();
        else loads[1]?.stop();
      },
      isReady: (role) => allReady(role) && (!prometheus || scraped[role] >= sets[role].desired),
      replicaCounts: () =>
        ROLES.map((role) => ({
          role,
          version: sets[role].version,
          desired: sets[role].desired,
          ready: sets[role].ready,
        })),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
