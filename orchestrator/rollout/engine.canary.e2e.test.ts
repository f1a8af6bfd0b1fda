/**
 * Canary releases end to end (issue 7, tests 1, 2 and 4): k8s/canary's tinyurl Rollout on real replicas,
 * the weighted proxy, and a Prometheus the engine starts; then a fixture whose web-provider analysis is
 * Inconclusive. Time-scaled (TIME_SCALE), 127.0.0.1 only, every process stopped in afterAll; states are
 * polled with generous deadlines, nothing is timed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { skipWithoutPrometheus } from "../../delivery/prometheus-binaries.ts";
import {
  answersFrom,
  NEW,
  RequestLoop,
  STABLE,
  startEngine,
  type TestEngine,
  waitForEnd,
  waitForStatus,
} from "./testing/e2e.ts";
import { INCONCLUSIVE_ROLLOUT, inconclusiveRolloutYaml } from "./testing/inconclusive-rollout.ts";

const skipLive = skipWithoutPrometheus("the canary rollout end to end");
const WEIGHTS = [10, 25, 50, 75];
/** Percentage points the observed share may differ from the weight (smooth WRR is near exact). */
const TOLERANCE = 5;

describe.skipIf(skipLive)("a canary rollout of tinyurl (k8s/canary)", () => {
  let run: TestEngine | undefined;
  let loop: RequestLoop<number> | undefined;

  afterAll(async () => {
    await loop?.stop();
    await run?.stop();
  });

  it("walks 10 → 25 → 50 → 75 → 100, ends Healthy, and the proxy splits by the weight", async () => {
    run = await startEngine({ file: "k8s/canary", name: "tinyurl", trafficRps: 0 });
    const { engine } = run;
    const weights = [engine.status().weight];
    engine.subscribe((s) => {
      if (s.weight !== weights.at(-1)) weights.push(s.weight);
    });
    // Our own traffic, tagged with the weight when each request left and when its answer came; it also
    // gives the analysis something to measure (the engine's demo traffic is off).
    loop = new RequestLoop({ url: run.url("service"), rps: 20, tag: () => engine.status().weight });
    loop.start();

    const summary = await waitForEnd(engine);
    const atFull = await answersFrom(run.url("service"), 40);
    await loop.stop();

    expect(summary, run.log.join("\n")).toMatchObject({ phase: "Healthy", exitCode: 0 });
    expect(weights).toEqual([0, ...WEIGHTS, 100]);
    expect(summary.analysisRuns.map((r) => r.phase)).toEqual(WEIGHTS.map(() => "Successful"));
    expect(loop.failures).toEqual([]);
    expect(loop.answers.every((a) => a.status === 200)).toBe(true);
    const shares: string[] = [];
    for (const weight of WEIGHTS) {
      // Only requests the weight held for from start to end: one that crossed a change may go either way.
      const held = loop.answers.filter((a) => a.sent === weight && a.received === weight);
      expect(held.length, `requests at ${weight}%`).toBeGreaterThanOrEqual(40);
      expect(held.every((a) => a.version === STABLE || a.version === NEW)).toBe(true);
      const share = (100 * held.filter((a) => a.version === NEW).length) / held.length;
      shares.push(`${weight}% → ${share.toFixed(1)}% of ${held.length}`);
      expect(Math.abs(share - weight), `share at ${weight}%`).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(atFull).toEqual(atFull.map(() => ({ status: 200, version: NEW })));
    shares.push(`100% → ${atFull.length} of ${atFull.length}`);
    console.log(
      `canary split (weight → share to ${NEW}): ${shares.join(", ")}; rollout took ${(summary.timings.durationMs / 1000).toFixed(1)} s at time scale ${summary.timeScale}`,
    );
  }, 180_000);
});

describe.skipIf(skipLive)("a bad canary (FAULT_ERROR_RATE=0.3 on the new version)", () => {
  let run: TestEngine | undefined;

  afterAll(async () => {
    await run?.stop();
  });

  it("fails analysis, is aborted automatically, and traffic is back on stable", async () => {
    run = await startEngine({
      file: "k8s/canary",
      name: "tinyurl",
      newEnv: { FAULT_ERROR_RATE: "0.3" },
      trafficRps: 20,
    });
    const summary = await waitForEnd(run.engine);

    expect(summary, run.log.join("\n")).toMatchObject({ phase: "Degraded", exitCode: 3 });
    expect(summary.analysisRuns.at(-1)?.phase).toBe("Failed");
    expect(summary.traffic.find((t) => t.role === "new")?.errors).toBeGreaterThan(0);
    const { deployToZeroCanaryMs, abortedAt } = summary.timings;
    console.log(
      `bad canary: deploy → 0% canary in ${deployToZeroCanaryMs} ms at time scale ${summary.timeScale} (${summary.message})`,
    );
    expect(deployToZeroCanaryMs).toBeGreaterThan(0);
    expect(abortedAt).not.toBeNull();

    const status = run.engine.status();
    expect(status).toMatchObject({ aborted: true, weight: 0 });
    expect(status.replicas.find((r) => r.role === "new")?.desired).toBe(0);
    const after = await answersFrom(run.url("service"), 40);
    expect(after).toEqual(after.map(() => ({ status: 200, version: STABLE })));
  }, 180_000);
});

describe("an inconclusive measurement (web provider)", () => {
  let run: TestEngine | undefined;
  let metric: Server | undefined;
  let fixtureDir: string | undefined;
  let measured = 0;

  afterAll(async () => {
    await run?.stop();
    await new Promise((resolve) => (metric ? metric.close(resolve) : resolve(undefined)));
    if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
  });

  it("pauses the rollout, and promote resumes it to Healthy", async () => {
    metric = createServer((_req, res) => {
      measured++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: 0.5 }));
    });
    await new Promise<void>((resolve) => metric!.listen(0, "127.0.0.1", resolve));
    const { port } = metric.address() as AddressInfo;
    fixtureDir = await mkdtemp(join(tmpdir(), "canary-inconclusive-"));
    const file = join(fixtureDir, "rollout.yaml");
    await writeFile(file, inconclusiveRolloutYaml(`http://127.0.0.1:${port}/score`));

    run = await startEngine({ file, name: INCONCLUSIVE_ROLLOUT, trafficRps: 0 });
    const { engine } = run;
    const paused = await waitForStatus(engine, (s) => s.phase === "Paused", "the inconclusive pause");
    expect(paused.message).toMatch(/inconclusive/i);
    expect(paused).toMatchObject({ weight: 50, currentStepIndex: 1, aborted: false });
    expect(paused.analysisRuns.map((r) => r.phase)).toEqual(["Inconclusive"]);
    expect(paused.analysisRuns[0]?.metrics[0]?.measurements.map((m) => m.phase)).toEqual(["Inconclusive"]);
    expect(measured).toBe(1);

    await engine.promote(INCONCLUSIVE_ROLLOUT, false);
    const summary = await waitForEnd(engine);
    expect(summary, run.log.join("\n")).toMatchObject({ phase: "Healthy", exitCode: 0 });
    expect(summary.steps.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(await answersFrom(run.url("service"), 10)).toEqual(
      Array.from({ length: 10 }, () => ({ status: 200, version: NEW })),
    );
  }, 120_000);
});
