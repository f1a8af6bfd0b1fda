/**
 * `canary rollout run --target edge`: the Rollout's canary steps as Cloudflare gradual deployments of the
 * Worker (edge/executor.ts runs `wrangler versions upload`, `versions deploy <stable>@x% <new>@y% -y` per
 * weight, and `rollback` on abort). Between the deploys this runs the analyses with the engine's
 * AnalysisRuns (Prometheus at `--prometheus`, else each template's own address; Argo's web provider) and
 * waits out the pauses, time-scaled. Nothing serves a console here: a pause that waits for a person needs
 * `--promote-on-pause`.
 */

import { PrometheusProvider } from "./analysis/prometheus.ts";
import type { MetricProviders } from "./analysis/provider.ts";
import { WebProvider } from "./analysis/web.ts";
import { AnalysisRunner, type FinishedPhase } from "./analysis-runner.ts";
import { type EdgeRunResult, runEdgeRollout } from "./edge/executor.ts";
import { type CommandRunner, wranglerRunner } from "./edge/wrangler.ts";
import type { RolloutSource } from "./sources.ts";
import type { AnalysisKind } from "./types.ts";

export interface EdgeRunOptions {
  source: RolloutSource;
  newVersion: string;
  /** The version id serving 100% now; default: read from `wrangler deployments status`. */
  stableVersionId?: string;
  timeScale: number;
  prometheus?: string;
  promoteOnPause: boolean;
  log: (line: string) => void;
  /** Default: wrangler itself (tests pass a fake). */
  runner?: CommandRunner;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

export async function runEdge(options: EdgeRunOptions): Promise<EdgeRunResult> {
  const { rollout, templates } = options.source;
  const providers: MetricProviders = {
    prometheus: new PrometheusProvider(options.prometheus ? { address: options.prometheus } : {}),
    web: new WebProvider(),
  };
  const finished = new Map<string, (phase: FinishedPhase) => void>();
  const runner = new AnalysisRunner({
    rollout,
    templates,
    // Both Worker versions serve one script: there are no pod template hashes on the edge.
    versions: { stable: "stable", new: options.newVersion },
    providers,
    timeScale: options.timeScale,
    now: Date.now,
    onFinished: (id, phase) => finished.get(id)?.(phase),
    onChange: () => {},
  });
  let runs = 0;
  const analyze = (kind: AnalysisKind, analysis: Parameters<AnalysisRunner["start"]>[0]["ref"]) => {
    const id = `${kind}-${++runs}`;
    const done = new Promise<FinishedPhase>((resolve) => finished.set(id, resolve));
    runner.start({ id, kind, ref: analysis });
    return { id, done };
  };
  // A failed background analysis aborts the whole run, as it aborts a rollout (the executor rolls back).
  const stop = new AbortController();
  try {
    return await runEdgeRollout(rollout, {
      signal: stop.signal,
      runner: options.runner ?? wranglerRunner(),
      newVersionLabel: options.newVersion,
      ...(options.stableVersionId ? { stableVersionId: options.stableVersionId } : {}),
      timeScale: options.timeScale,
      hooks: {
        async analyze(command, signal) {
          const { id, done } = analyze(command.kind, command.analysis);
          signal.addEventListener("abort", () => runner.stop(id));
          const phase = await done;
          options.log(`analysis ${id}: ${phase}`);
          return phase;
        },
        async pause(command, durationMs, signal) {
          if (durationMs !== undefined) {
            await sleep(durationMs, signal);
            return "resume";
          }
          if (!options.promoteOnPause)
            throw new Error(
              `${command.description} waits for a promote, and --target edge has no console: pass --promote-on-pause`,
            );
          options.log(`${command.description}: promoting by itself (--promote-on-pause)`);
          return "resume";
        },
        startBackgroundAnalysis(command, signal) {
          const { id, done } = analyze("background", command.analysis);
          signal.addEventListener("abort", () => runner.stop(id));
          void done.then((phase) => {
            options.log(`background analysis ${id}: ${phase}`);
            if (phase === "Failed" || phase === "Error")
              stop.abort(new Error(`background analysis ${phase}`));
          });
        },
        onProgress: (progress) => options.log(progress.message),
      },
    });
  } finally {
    runner.stopAll();
  }
}
