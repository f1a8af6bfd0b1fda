/**
 * A throwaway Prometheus (Debian's `prometheus`): a temp dir, 127.0.0.1, a free port, the scrape jobs and
 * rule files it is given, a short scrape interval. Tests use it to evaluate the repo's PromQL against the
 * real services; the local rollout engine uses it as its metric provider.
 *
 *   const prometheus = await startPrometheus({ jobs: [{ job: "tinyurl", targets: [{ url, labels }] }] });
 *   await prometheus.waitForScrapes(2);
 *   const { result } = await prometheus.query('sum(rate(http_requests_total[1m]))');
 *   await prometheus.stop();
 *
 * Targets that come and go (the rollout engine's replicas) go in a file-based service discovery file:
 * give the job `targetFiles` and rewrite them with writeTargetFile; Prometheus picks changes up without a
 * restart.
 *
 * Without the binary a test suite is skipped with a loud warning (skipWithoutPrometheus), except under
 * CI=true, where it runs and fails saying what to install.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { stopChild, trackChild } from "../functions/shared/child-process.ts";
import { freePort } from "../functions/shared/net.ts";
import { findPrometheus, missingBinary } from "./prometheus-binaries.ts";

export { findPrometheus, findPromtool, skipWithoutPrometheus } from "./prometheus-binaries.ts";

export interface ScrapeTarget {
  /** Origin of the target, e.g. http://127.0.0.1:5000 (the job's metricsPath is appended). */
  url: string;
  /** Target labels, as service discovery would attach them (namespace, pod, rollouts_pod_template_hash…). */
  labels?: Record<string, string>;
}

export interface ScrapeJob {
  job: string;
  /** Static targets. */
  targets?: ScrapeTarget[];
  /**
   * Files of targets (file-based service discovery, absolute paths ending in .json), re-read when they
   * change: write them with writeTargetFile.
   */
  targetFiles?: string[];
  /** Default /metrics. */
  metricsPath?: string;
  /** The scraped series' own labels win over target labels on a clash (ServiceMonitor honorLabels). */
  honorLabels?: boolean;
}

export interface PrometheusOptions {
  jobs: ScrapeJob[];
  /** Plain rule files (absolute paths), evaluated every evaluationInterval. */
  ruleFiles?: string[];
  /** Default "1s", so a test sees a few scrapes within seconds. */
  scrapeInterval?: string;
  /** Default "1s". */
  evaluationInterval?: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export type QueryResult =
  | { resultType: "vector"; result: Sample[] }
  | { resultType: "matrix"; result: { metric: Record<string, string>; values: [number, string][] }[] }
  | { resultType: "scalar" | "string"; result: [number, string] };

export interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  lastError: string;
}

export interface PrometheusServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Its temp dir (config, TSDB); removed by stop(). */
  dir: string;
  /** An instant query (now, or `time`). Rejects with PrometheusQueryError when Prometheus refuses it. */
  query(expr: string, time?: Date): Promise<QueryResult>;
  targets(): Promise<ActiveTarget[]>;
  /**
   * Resolves once every target has been scraped successfully `count` times since `since` (default: since
   * the server started), e.g. to be sure Prometheus has seen traffic sent just before.
   */
  waitForScrapes(count: number, options?: { since?: Date; timeoutMs?: number }): Promise<void>;
  /** Polls `expr` until it returns at least one sample. */
  waitForSamples(expr: string, timeoutMs?: number): Promise<QueryResult>;
  stop(): Promise<void>;
}

export class PrometheusQueryError extends Error {
  constructor(
    readonly expr: string,
    readonly errorType: string,
    readonly detail: string,
  ) {
    super(`${errorType}: ${detail} (query: ${expr})`);
    this.name = "PrometheusQueryError";
  }
}

/** Samples (or series) in a result; a scalar or string counts as one. */
export function sampleCount(result: QueryResult): number {
  return result.resultType === "vector" || result.resultType === "matrix" ? result.result.length : 1;
}

/**
 * Writes `targets` as a file-based service discovery file (`[{targets, labels}]`). The file is replaced
 * atomically (written beside it, then renamed), so Prometheus never reads half of it.
 */
export function writeTargetFile(file: string, targets: ScrapeTarget[]): void {
  const groups = targets.map((target) => ({
    targets: [new URL(target.url).host],
    labels: target.labels ?? {},
  }));
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(partial, file);
}

function configYaml(options: PrometheusOptions): string {
  const interval = options.scrapeInterval ?? "1s";
  return stringify({
    // scrape_timeout defaults to 10s and may not exceed the interval.
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: options.evaluationInterval ?? "1s",
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.jobs.map((job) => ({
      job_name: job.job,
      metrics_path: job.metricsPath ?? "/metrics",
      honor_labels: job.honorLabels ?? false,
      static_configs: (job.targets ?? []).map((target) => {
        const url = new URL(target.url);
        return { targets: [url.host], labels: target.labels ?? {} };
      }),
      // Files are watched; the refresh interval is the fallback where file events are missed.
      ...(job.targetFiles?.length
        ? { file_sd_configs: [{ files: job.targetFiles, refresh_interval: interval }] }
        : {}),
    })),
  });
}

const START_TIMEOUT_MS = 15_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json()) as { status: string; data: T; errorType?: string; error?: string };
  if (body.status !== "success") throw new Error(`${body.errorType}: ${body.error}`);
  return body.data;
}

function client(url: string, started: Date) {
  async function query(expr: string, time?: Date): Promise<QueryResult> {
    const form = new URLSearchParams({ query: expr });
    if (time) form.set("time", String(time.getTime() / 1000));
    const response = await fetch(`${url}/api/v1/query`, { method: "POST", body: form });
    const body = (await response.json()) as {
      status: string;
      data: QueryResult;
      errorType?: string;
      error?: string;
    };
    if (body.status !== "success")
      throw new PrometheusQueryError(expr, body.errorType ?? "error", body.error ?? "");
    return body.data;
  }
  const targets = async () =>
    (await api<{ activeTargets: ActiveTarget[] }>(`${url}/api/v1/targets?state=active`)).activeTargets;

  async function waitForScrapes(
    count: number,
    { since = started, timeoutMs = 30_000 }: { since?: Date; timeoutMs?: number } = {},
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let active: ActiveTarget[] = [];
    for (;;) {
      active = await targets();
      // `up` is 1 per successful scrape, stamped with the scrape's start: the sum counts scrapes since `since`.
      const window = Math.max(1, Date.now() - since.getTime());
      const scraped = await query(`sum_over_time(up[${window}ms])`);
      const successes = new Map(
        (scraped.result as Sample[]).map((s) => [`${s.metric.job} ${s.metric.instance}`, Number(s.value[1])]),
      );
      const behind = active.filter(
        (t) => (successes.get(`${t.labels.job} ${t.labels.instance}`) ?? 0) < count,
      );
      if (active.length > 0 && behind.length === 0) return;
      if (Date.now() > deadline) {
        const detail = (behind.length > 0 ? behind : active)
          .map((t) => `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`)
          .join("; ");
        throw new Error(
          `targets not scraped ${count} times within ${timeoutMs} ms: ${detail || "no targets"}`,
        );
      }
      await pause(200);
    }
  }

  async function waitForSamples(expr: string, timeoutMs = 30_000): Promise<QueryResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await query(expr);
      if (sampleCount(result) > 0) return result;
      if (Date.now() > deadline) throw new Error(`no samples for ${expr} within ${timeoutMs} ms`);
      await pause(200);
    }
  }
  return { query, targets, waitForScrapes, waitForSamples };
}

async function startOnce(binary: string, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  trackChild(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let failure: Error | undefined;
  child.once("error", (err) => {
    failure = err;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && !failure && child.exitCode === null && child.signalCode === null) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return { child, port };
    } catch {
      // not listening yet
    }
    await pause(50);
  }
  await stopChild(child);
  const why = failure?.message ?? `exit ${child.exitCode ?? child.signalCode ?? "none (never ready)"}`;
  throw new Error(`prometheus did not start on port ${port} (${why}):\n${output}`);
}

/** Starts Prometheus with `options` and resolves once it is ready. Retries on a port race. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = findPrometheus();
  if (!binary) {
    throw new Error(
      `${missingBinary("prometheus")}${process.env.CI === "true" ? " — required under CI=true" : ""}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "canary-prometheus-"));
  writeFileSync(join(dir, "prometheus.yml"), configYaml(options));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const started = new Date();
      const { child, port } = await startOnce(binary, dir);
      const url = `http://127.0.0.1:${port}`;
      return {
        url,
        port,
        dir,
        ...client(url, started),
        async stop() {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
