import { describe, expect, it } from "vitest";
import type { RolloutSpec } from "../types.ts";
import {
  type AnalysisOutcome,
  type EdgeAnalysisCommand,
  type EdgeHooks,
  type EdgePauseCommand,
  executeEdgePlan,
  type PauseOutcome,
  runEdgeRollout,
} from "./executor.ts";
import { edgePlan } from "./plan.ts";
import {
  blueGreenSpec,
  canarySpec,
  FakeWrangler,
  failed,
  NEW_ID,
  ref,
  STABLE_ID,
  walkSpec,
} from "./testing/specs.ts";

const ids = { stableVersionId: STABLE_ID, newVersionId: NEW_ID };

/** Hooks that answer at once: analyses by template name (default Successful), pauses with "resume". */
function hooks(
  options: {
    analyses?: Record<string, AnalysisOutcome>;
    onPause?: (command: EdgePauseCommand, signal: AbortSignal) => Promise<PauseOutcome> | PauseOutcome;
  } = {},
) {
  const seen = {
    pauses: [] as { description: string; ms: number | undefined; inconclusive?: boolean }[],
    analyses: [] as string[],
    background: [] as AbortSignal[],
    progress: [] as string[],
  };
  const value: EdgeHooks = {
    analyze: async (command: EdgeAnalysisCommand) => {
      seen.analyses.push(command.description);
      const name = command.analysis.templates[0]!.templateName;
      return options.analyses?.[name] ?? "Successful";
    },
    pause: async (command, ms, signal) => {
      seen.pauses.push({ description: command.description, ms, inconclusive: command.inconclusive });
      return options.onPause ? options.onPause(command, signal) : "resume";
    },
    startBackgroundAnalysis: (_command, signal) => seen.background.push(signal),
    onProgress: (p) => seen.progress.push(`${p.weight}% ${p.message}`),
  };
  return { hooks: value, seen };
}

const run = (spec: RolloutSpec, wrangler: FakeWrangler, h: EdgeHooks, extra: { signal?: AbortSignal } = {}) =>
  runEdgeRollout(spec, {
    runner: wrangler.run,
    hooks: h,
    newVersionLabel: "v2",
    timeScale: 0.1,
    now: () => 1000,
    ...extra,
  });

describe("runEdgeRollout", () => {
  it("walks every step to 100% and ends Healthy, pauses time-scaled", async () => {
    const wrangler = new FakeWrangler();
    const { hooks: h, seen } = hooks();
    const result = await run(walkSpec(), wrangler, h);
    expect(result).toMatchObject({ phase: "Healthy", weight: 100, rollback: "not needed", ids });
    expect(wrangler.summary).toEqual([
      "deployments status",
      "versions upload",
      `versions deploy ${STABLE_ID}@90% ${NEW_ID}@10%`,
      `versions deploy ${STABLE_ID}@75% ${NEW_ID}@25%`,
      `versions deploy ${STABLE_ID}@50% ${NEW_ID}@50%`,
      `versions deploy ${STABLE_ID}@25% ${NEW_ID}@75%`,
      `versions deploy ${NEW_ID}@100%`,
    ]);
    expect(result.commands.map((c) => c.argv)).toEqual(wrangler.calls);
    expect(seen.pauses).toEqual([
      { description: "step 1: pause (until promoted)", ms: undefined, inconclusive: undefined },
      { description: "step 5: pause 30s", ms: 3000, inconclusive: undefined },
    ]);
    expect(seen.analyses).toEqual(["step 3: analysis success-rate"]);
    expect(seen.progress.at(-1)).toBe("100% tinyurl: the new version serves 100% of traffic");
  });

  it("uses --stable-version instead of asking wrangler, and throws when the upload fails (nothing moved)", async () => {
    const wrangler = new FakeWrangler();
    wrangler.results.set("versions upload", failed("✘ [ERROR] Not logged in."));
    await expect(run(walkSpec(), wrangler, hooks().hooks)).rejects.toThrow(
      /versions upload .*exited with 1/s,
    );
    expect(wrangler.summary).toEqual(["deployments status", "versions upload"]);

    const again = new FakeWrangler();
    const result = await runEdgeRollout(canarySpec([]), {
      runner: again.run,
      hooks: hooks().hooks,
      newVersionLabel: "v2",
      stableVersionId: "33333333-3333-4333-8333-333333333333",
    });
    expect(again.summary).toEqual(["versions upload", `versions deploy ${NEW_ID}@100%`]);
    expect(result.ids.stableVersionId).toBe("33333333-3333-4333-8333-333333333333");
  });

  it("rolls back when a step's analysis fails, and goes no further", async () => {
    const wrangler = new FakeWrangler();
    const result = await run(walkSpec(), wrangler, hooks({ analyses: { "success-rate": "Failed" } }).hooks);
    expect(result).toMatchObject({ phase: "Degraded", weight: 0, rollback: "done" });
    expect(result.message).toBe(
      `tinyurl aborted, rolled back to ${STABLE_ID}: step 3: analysis success-rate: Failed`,
    );
    expect(wrangler.summary.slice(2)).toEqual([
      `versions deploy ${STABLE_ID}@90% ${NEW_ID}@10%`,
      `versions deploy ${STABLE_ID}@75% ${NEW_ID}@25%`,
      `rollback ${STABLE_ID}`,
    ]);
    expect(wrangler.calls.at(-1)).toEqual([
      "wrangler",
      "rollback",
      STABLE_ID,
      "--message",
      "tinyurl: aborted: step 3: analysis success-rate: Failed",
      "-y",
    ]);
  });

  it("rolls back when aborted mid-way (canary rollout abort during a pause)", async () => {
    const wrangler = new FakeWrangler();
    const abort = new AbortController();
    let pauseSignal: AbortSignal | undefined;
    const { hooks: h } = hooks({
      onPause: (_command, signal) => {
        pauseSignal = signal;
        abort.abort(new Error("canary rollout abort"));
        return new Promise<PauseOutcome>(() => {}); // a pause until promoted that never ends by itself
      },
    });
    const result = await run(walkSpec(), wrangler, h, { signal: abort.signal });
    expect(result).toMatchObject({ phase: "Degraded", rollback: "done", weight: 0 });
    expect(result.message).toContain("canary rollout abort");
    expect(wrangler.summary.slice(2)).toEqual([
      `versions deploy ${STABLE_ID}@90% ${NEW_ID}@10%`,
      `rollback ${STABLE_ID}`,
    ]);
    expect(pauseSignal?.aborted).toBe(true);
  });

  it("needs no rollback when aborted before any traffic moved", async () => {
    const wrangler = new FakeWrangler();
    const abort = new AbortController();
    abort.abort("canary rollout abort");
    const result = await run(walkSpec(), wrangler, hooks().hooks, { signal: abort.signal });
    expect(result).toMatchObject({ phase: "Degraded", rollback: "not needed", weight: 0 });
    expect(result.message).toBe("tinyurl aborted before any traffic moved: canary rollout abort");
    expect(wrangler.summary).toEqual(["deployments status", "versions upload"]);
  });

  it("pauses on an inconclusive analysis until promoted, then goes on", async () => {
    const wrangler = new FakeWrangler();
    const { hooks: h, seen } = hooks({ analyses: { "success-rate": "Inconclusive" } });
    const result = await run(walkSpec(), wrangler, h);
    expect(result.phase).toBe("Healthy");
    expect(seen.pauses[1]).toEqual({
      description: "step 3: analysis success-rate: Inconclusive, paused until promoted",
      ms: undefined,
      inconclusive: true,
    });
  });

  it("skips to 100% on promote --full", async () => {
    const wrangler = new FakeWrangler();
    const { hooks: h, seen } = hooks({ onPause: () => "full" });
    const result = await run(walkSpec(), wrangler, h);
    expect(result).toMatchObject({ phase: "Healthy", weight: 100 });
    expect(wrangler.summary.slice(2)).toEqual([
      `versions deploy ${STABLE_ID}@90% ${NEW_ID}@10%`,
      `versions deploy ${NEW_ID}@100%`,
    ]);
    expect(seen.analyses).toEqual([]);
  });

  it("rolls back when a deploy fails, and says so when the rollback fails too", async () => {
    const wrangler = new FakeWrangler();
    wrangler.results.set("versions deploy", failed("✘ [ERROR] A request to the Cloudflare API failed"));
    const result = await run(walkSpec(), wrangler, hooks().hooks);
    expect(result).toMatchObject({ phase: "Degraded", rollback: "done" });
    expect(result.message).toMatch(/versions deploy .* exited with 1:\n✘ \[ERROR\] A request/s);

    const stuck = new FakeWrangler();
    stuck.results.set("versions deploy", failed("deploy failed"));
    stuck.results.set("rollback", failed("rollback failed"));
    const worse = await run(walkSpec(), stuck, hooks().hooks);
    expect(worse).toMatchObject({ phase: "Degraded", rollback: "failed" });
    expect(worse.message).toContain(`the rollback failed: wrangler rollback ${STABLE_ID}`);
    expect(worse.message).toContain(`Run \`npx wrangler rollback ${STABLE_ID}\` by hand.`);
  });
});

describe("executeEdgePlan", () => {
  it("starts background analysis at its step and stops it at the end", async () => {
    const spec = canarySpec([{ setWeight: 20 }, { pause: { durationSeconds: 5 } }], {
      analysis: { ...ref("success-rate"), startingStep: 1 },
    });
    const wrangler = new FakeWrangler();
    const { hooks: h, seen } = hooks();
    const result = await executeEdgePlan(spec, ids, edgePlan(spec, ids), { runner: wrangler.run, hooks: h });
    expect(result.phase).toBe("Healthy");
    expect(seen.background).toHaveLength(1);
    expect(seen.background[0]!.aborted).toBe(true);
    expect(seen.pauses[0]!.ms).toBe(5000); // time scale 1 by default
    expect(seen.progress).toContain("20% starting background analysis success-rate");
  });

  it("switches blue-green back when the post-promotion analysis fails", async () => {
    const spec = blueGreenSpec({
      prePromotionAnalysis: ref("smoke"),
      postPromotionAnalysis: ref("success-rate"),
    });
    const wrangler = new FakeWrangler();
    const { hooks: h, seen } = hooks({ analyses: { "success-rate": "Error" } });
    const result = await executeEdgePlan(spec, ids, edgePlan(spec, ids), { runner: wrangler.run, hooks: h });
    expect(result).toMatchObject({ phase: "Degraded", rollback: "done", weight: 0 });
    expect(seen.analyses).toEqual(["prePromotionAnalysis smoke", "postPromotionAnalysis success-rate"]);
    expect(wrangler.summary).toEqual([`versions deploy ${NEW_ID}@100%`, `rollback ${STABLE_ID}`]);
  });
});
