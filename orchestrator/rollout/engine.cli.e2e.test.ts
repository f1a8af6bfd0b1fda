/**
 * `canary rollout run` as a child process (issue 7, tests 2 and 5 through the real CLI): a bad canary
 * exits 3 with a JSON summary, and Argo's example manifests that use what the engine cannot run are
 * refused by the field, before anything starts. Each run gets a temp working directory (the CLI keeps its
 * run files under ./.canary), removed afterwards; the child is killed if it outlives its bound.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { skipWithoutPrometheus } from "../../delivery/prometheus-binaries.ts";
import type { RunSummary } from "./engine-status.ts";
import { NEW, ROOT, STABLE, TIME_SCALE } from "./testing/e2e.ts";

const BIN = join(ROOT, "bin/canary.mjs");
const ARGO_EXAMPLES = resolve(
  ROOT,
  process.env.CANARY_SHARED ?? "../shared",
  "conformance/argo-rollouts/examples",
);
const skipExamples = !existsSync(ARGO_EXAMPLES) && process.env.CI !== "true";
if (skipExamples)
  console.warn(
    `\n!! SKIPPING the CLI over Argo's examples: ${ARGO_EXAMPLES} is missing (set CANARY_SHARED)\n`,
  );

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** `canary rollout run …` in a fresh temp dir; SIGTERM after `timeoutMs` (the CLI then stops its replicas). */
async function rolloutRun(args: string[], timeoutMs: number): Promise<Run & { cwd: string }> {
  const cwd = await mkdtemp(join(tmpdir(), "canary-rollout-cli-"));
  dirs.push(cwd);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "rollout", "run", ...args],
      { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CANARY_DEBUG: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr, cwd });
      },
    );
  });
}

describe.skipIf(skipWithoutPrometheus("canary rollout run (CLI) end to end"))(
  "canary rollout run --json",
  () => {
    it("aborts a bad canary, exits 3 and prints the summary", async () => {
      const run = await rolloutRun(
        [
          ...["--file", join(ROOT, "k8s/canary"), "--name", "tinyurl", "--new-version", NEW],
          ...["--time-scale", String(TIME_SCALE), "--port", "0", "--control-port", "0"],
          ...["--new-env", "FAULT_ERROR_RATE=0.3", "--json"],
        ],
        150_000,
      );
      expect(run.code, run.stderr).toBe(3);
      const summary = JSON.parse(run.stdout) as RunSummary;
      expect(summary).toMatchObject({
        name: "tinyurl",
        strategy: "canary",
        phase: "Degraded",
        exitCode: 3,
        stableVersion: STABLE,
        newVersion: NEW,
        timeScale: TIME_SCALE,
      });
      expect(summary.analysisRuns.at(-1)?.phase).toBe("Failed");
      console.log(
        `bad canary through the CLI: deploy → 0% canary in ${summary.timings.deployToZeroCanaryMs} ms at time scale ${summary.timeScale}`,
      );
      expect(summary.timings.deployToZeroCanaryMs).toBeGreaterThan(0);
      // Progress went to stderr, the summary alone to stdout.
      expect(run.stderr).toMatch(/Rollout aborted update to revision 2/);
    }, 180_000);
  },
);

describe.skipIf(skipExamples)("canary rollout run over Argo's examples", () => {
  const refused = async (example: string) => {
    const run = await rolloutRun(["--file", join(ARGO_EXAMPLES, example), "--new-version", "x"], 30_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    // Refused while reading the manifest: no console, no Prometheus, no replica, no run directory.
    expect(run.stderr).not.toMatch(/console and control API|prometheus is scraping|stable .* is ready/);
    expect(existsSync(join(run.cwd, ".canary"))).toBe(false);
    return run.stderr;
  };

  it("refuses an experiment step by its field", async () => {
    expect(await refused("rollout-experiment-step.yaml")).toMatch(
      /Rollout\/rollout-experiment-step: spec\.strategy\.canary\.steps\[1\]\.experiment is not supported by the local engine \(experiments/,
    );
  });

  it("asks for SERVICE when the demo image is all that stands in the way", async () => {
    expect(await refused("rollout-canary.yaml")).toMatch(
      /Rollout\/rollout-canary: spec\.template\.spec\.containers\[0\]\.env must set SERVICE to one of tinyurl, newsfeed, docs/,
    );
  });
});
