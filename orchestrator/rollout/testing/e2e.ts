/**
 * Helpers for the engine's end-to-end tests (../engine.*.e2e.test.ts): a real RolloutEngine on 127.0.0.1
 * in a temp dir, polling its status with generous deadlines (never timing assertions), a steady request
 * loop that notes which version answered each request, and autocannon under constant load.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon, { type Options, type Result } from "autocannon";
import { eventually } from "../../../functions/shared/testing/eventually.ts";
import { RolloutEngine } from "../engine.ts";
import type { RunSummary } from "../engine-status.ts";
import { VERSION_HEADER } from "../runtime/proxy-headers.ts";
import { loadRollout } from "../sources.ts";
import type { RolloutStatus } from "../types.ts";

export const ROOT = resolve(import.meta.dirname, "../../..");
/** The manifests' image tag (k8s/*\/kustomization.yaml) and the version the tests roll out. */
export const STABLE = "0.1.0";
export const NEW = "0.2.0";
/** 2-minute pauses become 2.4 s; Prometheus-measured intervals are floored by the engine (2.5 s). */
export const TIME_SCALE = 0.02;

export interface TestEngine {
  engine: RolloutEngine;
  /** `http://127.0.0.1:<port>` of a proxy: canary `service`, blue-green `active` / `preview`. */
  url(port: "service" | "active" | "preview"): string;
  /** The engine's log lines, for failure messages. */
  log: string[];
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  file: string;
  name?: string;
  newEnv?: Record<string, string>;
  /** The engine's demo traffic (0: the test brings its own). */
  trafficRps: number;
  keepRunning?: boolean;
}

/** Starts a rollout of NEW over STABLE from `file` (relative to the repo); `stop()` ends every process. */
export async function startEngine(options: TestEngineOptions): Promise<TestEngine> {
  const dir = await mkdtemp(join(tmpdir(), "canary-rollout-e2e-"));
  const log: string[] = [];
  const engine = new RolloutEngine({
    source: loadRollout(resolve(ROOT, options.file), options.name),
    newVersion: NEW,
    newEnv: options.newEnv ?? {},
    timeScale: TIME_SCALE,
    ports: { service: 0, preview: 0 },
    runDir: dir,
    dataDir: join(dir, "data"),
    traffic: { rps: options.trafficRps },
    keepRunning: options.keepRunning ?? false,
    log: (line) => log.push(line),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await engine.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    engine,
    log,
    url(port) {
      const number = engine.status().ports[port];
      if (!number) throw new Error(`the engine has no ${port} port`);
      return `http://127.0.0.1:${number}`;
    },
    stop,
  };
}

const brief = (s: RolloutStatus) =>
  `phase ${s.phase} (${s.message || "no message"}), weight ${s.weight}; last events: ${s.events
    .slice(-5)
    .map((e) => e.message)
    .join(" | ")}`;

/** Polls the engine's status until `accept` likes it; the deadline only stops a broken test from hanging. */
export async function waitForStatus(
  engine: RolloutEngine,
  accept: (status: RolloutStatus) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<RolloutStatus> {
  try {
    return await eventually(() => engine.status(), accept, { what, timeoutMs, intervalMs: 20 });
  } catch {
    throw new Error(`Timed out waiting for ${what}: ${brief(engine.status())}`);
  }
}

/** The summary once the rollout ends, or an error naming where it stood after `timeoutMs`. */
export async function waitForEnd(engine: RolloutEngine, timeoutMs = 120_000): Promise<RunSummary> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the rollout did not end: ${brief(engine.status())}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([engine.done, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Answer<T> {
  status: number;
  version: string | null;
  /** `tag()` when the request was sent, and when its answer came. */
  sent: T;
  received: T;
}

/**
 * A steady stream of GETs (`rps` a second, at most `maxInFlight` at once, `maxRequests` in all) to a
 * proxy, each answer kept with its version and the caller's tag (e.g. the weight) at both ends.
 */
export class RequestLoop<T> {
  readonly answers: Answer<T>[] = [];
  /** Requests that got no HTTP answer at all. */
  readonly failures: string[] = [];
  readonly #options: { url: string; rps: number; tag: () => T; maxInFlight: number; maxRequests: number };
  readonly #inFlight = new Set<Promise<void>>();
  #timer?: NodeJS.Timeout;
  #sent = 0;

  constructor(options: {
    url: string;
    rps: number;
    tag: () => T;
    maxInFlight?: number;
    maxRequests?: number;
  }) {
    this.#options = { maxInFlight: 20, maxRequests: 10_000, ...options };
  }

  start(): void {
    this.#timer = setInterval(() => this.#send(), 1000 / this.#options.rps);
  }

  /** Stops sending and waits for the answers still on their way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  #send(): void {
    const { url, tag, maxInFlight, maxRequests } = this.#options;
    if (this.#inFlight.size >= maxInFlight) return;
    if (this.#sent >= maxRequests) return void clearInterval(this.#timer);
    this.#sent++;
    const sent = tag();
    const request = fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        this.answers.push({
          status: res.status,
          version: res.headers.get(VERSION_HEADER),
          sent,
          received: tag(),
        });
      })
      .catch((err: Error) => {
        this.failures.push(err.message);
      })
      .finally(() => this.#inFlight.delete(request));
    this.#inFlight.add(request);
  }
}

/** `count` GETs one after another: the version and status of each answer. */
export async function answersFrom(
  url: string,
  count: number,
): Promise<{ status: number; version: string | null }[]> {
  const answers = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    answers.push({ status: res.status, version: res.headers.get(VERSION_HEADER) });
  }
  return answers;
}

/** The versions in the order they answered, each run of the same one once: [a, a, b, a] → [a, b, a]. */
export const versionRuns = (versions: readonly (string | null)[]) =>
  versions.filter((v, i) => i === 0 || v !== versions[i - 1]);

export interface ConstantLoad {
  /** The version of each answer, in the order they came (from the proxy's header). */
  versions: (string | null)[];
  /** Stops the load; resolves with autocannon's result. */
  stop(): Promise<Result>;
}

/**
 * autocannon against `url` at a fixed overall rate until `stop()` (or `maxSeconds`, a bound against a
 * hung test). Every answer's `x-canary-version` is noted, so a test can see traffic move.
 */
export function constantLoad(url: string, rate: number, maxSeconds = 120): ConstantLoad {
  const versions: (string | null)[] = [];
  const header = VERSION_HEADER.toLowerCase();
  // overallRate is autocannon's, outside the slice bench/autocannon.d.ts declares.
  const options: Options & { overallRate: number } = {
    url,
    connections: 8,
    overallRate: rate,
    duration: maxSeconds,
    timeout: 10,
    setupClient(client) {
      client.on("headers", (head: { headers: string[] }) => {
        const at = head.headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === header);
        versions.push(at < 0 ? null : (head.headers[at + 1] ?? null));
      });
    },
  };
  let instance: ReturnType<typeof autocannon> | undefined;
  const result = new Promise<Result>((resolve, reject) => {
    instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
  });
  return {
    versions,
    stop() {
      instance?.stop();
      return result;
    },
  };
}
