/**
 * Blue-green end to end (issue 7, test 3, and the console against the real engine): k8s/blue-green's
 * tinyurl Rollout on real replicas and a Prometheus the engine starts. Under constant autocannon load on
 * the active port, a promotion and a rollback fail no request; in Chromium, the console shows the paused
 * rollout and a click on Promote switches it. Time-scaled, 127.0.0.1 only, every process stopped in
 * afterAll; states are polled with generous deadlines, nothing is timed.
 */
import type { BrowserContext } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { skipWithoutPrometheus } from "../../delivery/prometheus-binaries.ts";
import { describeWithChromium, watchPage } from "../../functions/shared/testing/chromium.ts";
import { eventually } from "../../functions/shared/testing/eventually.ts";
import { type ControlServer, serveControl } from "./control/api.ts";
import {
  type ConstantLoad,
  constantLoad,
  NEW,
  STABLE,
  startEngine,
  type TestEngine,
  versionRuns,
  waitForEnd,
  waitForStatus,
} from "./testing/e2e.ts";

const skipLive = skipWithoutPrometheus("the blue-green rollout end to end");
const BLUE_GREEN = { file: "k8s/blue-green", name: "tinyurl" };
/** autocannon's overall rate on the active port: steady, and light enough for two shared cores. */
const LOAD_RPS = 200;
/** Answers to see from a version before moving on (2 s of load): traffic really is there. */
const SEEN = 400;
/** … from the new version after the switch: fewer, to abort well within the post-promotion analysis. */
const SEEN_NEW = 150;

describe.skipIf(skipLive)("a blue-green rollout of tinyurl under constant load (k8s/blue-green)", () => {
  let run: TestEngine | undefined;
  let load: ConstantLoad | undefined;

  afterAll(async () => {
    await load?.stop();
    await run?.stop();
  });

  /** Waits until `count` more answers came from `version` than had when called. */
  const answersOf = async (version: string, count: number, what: string) => {
    const seen = () => load!.versions.filter((v) => v === version).length;
    const before = seen();
    await eventually(seen, (n) => n >= before + count, { what, timeoutMs: 60_000 });
  };

  it("promotes and rolls back without a failed request", async () => {
    // The engine's demo traffic stays on: the pre-promotion analysis measures the preview with it.
    run = await startEngine({ ...BLUE_GREEN, trafficRps: 20 });
    const { engine } = run;
    await waitForStatus(engine, (s) => s.phase === "Paused", "the BlueGreenPause");

    load = constantLoad(run.url("active"), LOAD_RPS);
    await answersOf(STABLE, SEEN, "the load on the stable version");
    await engine.promote("tinyurl", false);
    await waitForStatus(engine, (s) => s.weight === 100, "the switch to the new version");
    await answersOf(NEW, SEEN_NEW, "the load moving to the new version");

    const switched = engine.status();
    const post = switched.analysisRuns.find((r) => r.kind === "postPromotion");
    expect(post?.phase, "abort while the post-promotion analysis runs").toMatch(/Pending|Running/);
    await engine.abort("tinyurl");
    const degraded = await waitForStatus(engine, (s) => s.phase === "Degraded", "the rollback");
    expect(degraded).toMatchObject({ aborted: true, weight: 0 });
    // The end comes once the new version's replicas are gone (abortScaleDownDelaySeconds): the load runs
    // through their scale-down too.
    const summary = await waitForEnd(engine);
    expect(summary).toMatchObject({ phase: "Degraded", exitCode: 3 });
    expect(engine.status().replicas.find((r) => r.role === "new")).toMatchObject({ desired: 0, ready: 0 });
    await answersOf(STABLE, SEEN, "the load on the stable version after the rollback");
    const { versions } = load;
    const result = await load.stop();
    load = undefined;

    const requests = result.requests.total;
    console.log(
      `blue-green under load: ${requests} requests at ${LOAD_RPS} req/s through promotion and rollback, ` +
        `${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
    );
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(Object.keys(result.statusCodeStats)).toEqual(["200"]);
    // Answers from different connections may interleave at a switch, so: stable first, new in between,
    // stable last, and every answer from one of the two.
    const runs = versionRuns(versions);
    expect(runs[0]).toBe(STABLE);
    expect(runs).toContain(NEW);
    expect(runs.at(-1)).toBe(STABLE);
    expect(new Set(versions)).toEqual(new Set([STABLE, NEW]));
    expect(versions.length).toBe(requests);
  }, 180_000);
});

describeWithChromium("the console against the real engine (blue-green)", (use) => {
  let run: TestEngine | undefined;
  let server: ControlServer | undefined;
  let context: BrowserContext | undefined;

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await run?.stop();
  });

  it.skipIf(skipLive)(
    "renders the paused rollout, and a click on Promote switches it",
    async () => {
      run = await startEngine({ ...BLUE_GREEN, trafficRps: 20 });
      server = await serveControl(run.engine);
      context = await use().newContext({ viewport: { width: 1280, height: 1600 } });
      const page = await context.newPage();
      const problems = await watchPage(page);
      await page.goto(`${server.url}/`);
      const card = '[data-rollout="tinyurl"]';
      const wait = { timeout: 90_000 };
      await page.locator(card).waitFor(wait);
      expect(await page.locator(`${card} h2`).textContent()).toBe("tinyurl");
      await page.locator(`${card} .rollout-head .phase[data-phase="Paused"]`).waitFor(wait);
      expect(await page.locator(`${card} .active-version`).textContent()).toMatch(new RegExp(`^${STABLE} `));
      expect(run.engine.status().phase).toBe("Paused");

      await page.locator(`${card} [data-action="promote"]`).click();
      await page.locator(`${card} .active-version`, { hasText: new RegExp(`^${NEW} `) }).waitFor(wait);
      await page.locator(`${card} .rollout-head .phase:not([data-phase="Paused"])`).waitFor(wait);
      expect(await page.locator(`${card} .weight-value`).textContent()).toBe("100%");
      expect(run.engine.status()).toMatchObject({ weight: 100, aborted: false });
      expect(run.engine.status().events.map((e) => e.message)).toContain("promote requested");
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
    },
    150_000,
  );
});
