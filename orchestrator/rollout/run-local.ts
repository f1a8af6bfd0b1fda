/**
 * `canary rollout run` on this machine: loads the Rollout, starts the engine and its control API (the
 * console), prints progress, and resolves with the exit code — 0 Healthy, 3 Degraded (aborted); with
 * `expectPhase`, 0 when the rollout ended in that phase and 1 otherwise (for guides that show an abort).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveControl } from "./control/api.ts";
import { RolloutEngine } from "./engine.ts";
import type { RunSummary } from "./engine-status.ts";
import { loadRollout } from "./sources.ts";
import type { RolloutPhase } from "./types.ts";

export const DEFAULT_CONTROL_PORT = 9900;

export interface LocalRunOptions {
  file: string;
  name?: string;
  newVersion: string;
  stableVersion?: string;
  env: Record<string, string>;
  newEnv: Record<string, string>;
  timeScale: number;
  prometheus?: string;
  port?: number;
  previewPort?: number;
  controlPort: number;
  json: boolean;
  keepRunning: boolean;
  expectPhase?: RolloutPhase;
  entry?: string;
  promoteOnPause?: boolean;
  promoteFullAtStep?: number;
  /** Demo traffic, requests per second (0 = none). */
  trafficRps: number;
  trafficPaths?: string[];
}

export interface RunOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runLocalRollout(options: LocalRunOptions, io: RunOutput): Promise<number> {
  const source = loadRollout(options.file, options.name);
  for (const refused of source.refused)
    io.err(
      `note: ${refused.file} #${refused.index} ${refused.kind}/${refused.name} not loaded: ${refused.reason}\n`,
    );
  const runId = `${source.rollout.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const runDir = resolve(".canary", "rollouts", runId);
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  // Progress goes to stderr when stdout carries the JSON summary.
  const say = options.json ? io.err : io.out;
  const log = (line: string) => say(`[+${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

  const engine = new RolloutEngine({
    source,
    newVersion: options.newVersion,
    ...(options.stableVersion ? { stableVersion: options.stableVersion } : {}),
    env: options.env,
    newEnv: options.newEnv,
    timeScale: options.timeScale,
    ...(options.prometheus ? { prometheusUrl: options.prometheus } : {}),
    ports: { service: options.port, preview: options.previewPort },
    runDir,
    dataDir: join(runDir, "data"),
    ...(options.entry ? { entry: options.entry } : {}),
    keepRunning: options.keepRunning,
    autoPromote: {
      onPause: Boolean(options.promoteOnPause),
      ...(options.promoteFullAtStep === undefined ? {} : { fullAtStep: options.promoteFullAtStep }),
    },
    traffic: {
      rps: options.trafficRps,
      ...(options.trafficPaths?.length ? { paths: options.trafficPaths } : {}),
    },
    log,
  });
  let control: Awaited<ReturnType<typeof serveControl>> | undefined;
  const shutdown = async () => {
    await control?.close();
    await engine.stop();
  };
  const onSignal = () => {
    log("interrupted: stopping the replicas");
    void shutdown().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { strategy } = source.rollout;
    log(
      `Rollout/${source.rollout.name} (${strategy.kind}, service ${source.rollout.service}, ${source.rollout.replicas} replica(s)) from ${options.file}; time scale ${options.timeScale}`,
    );
    try {
      control = await serveControl(engine, { port: options.controlPort });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE")
        throw new Error(
          `the control port ${options.controlPort} is in use (another rollout running?); choose one with --control-port`,
        );
      throw err;
    }
    log(`console and control API: ${control.url}/`);
    await engine.start();
    const status = engine.status();
    const ports = Object.entries(status.ports)
      .map(([name, port]) => `${name} http://127.0.0.1:${port}/`)
      .join(", ");
    log(`traffic: ${ports}`);
    const summary = await engine.done;
    await shutdown();
    report(summary, options, io, log);
    if (options.expectPhase) return summary.phase === options.expectPhase ? 0 : 1;
    return summary.exitCode;
  } catch (err) {
    await shutdown();
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function report(summary: RunSummary, options: LocalRunOptions, io: RunOutput, log: (line: string) => void) {
  if (options.json) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);
  log(
    `${summary.phase}${summary.message ? `: ${summary.message}` : ""} after ${seconds(summary.timings.durationMs)}`,
  );
  for (const step of summary.steps)
    io.out(`  step ${step.index} ${step.description.padEnd(40)} ${seconds(step.durationMs)}\n`);
  for (const run of summary.analysisRuns) {
    const measured = run.metrics
      .map((m) => `${m.name} ${m.phase} (${m.measurements.map((x) => x.value ?? x.phase).join(", ")})`)
      .join("; ");
    io.out(`  analysis ${run.id}: ${run.phase} — ${measured}\n`);
  }
  for (const t of summary.traffic)
    io.out(`  traffic ${t.role} ${t.version}: ${t.requests} requests, ${t.errors} errors\n`);
  if (summary.timings.deployToZeroCanaryMs !== null)
    io.out(`  from deploy to 0% on the new version: ${seconds(summary.timings.deployToZeroCanaryMs)}\n`);
}
