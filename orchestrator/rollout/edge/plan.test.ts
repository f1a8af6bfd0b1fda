import { describe, expect, it } from "vitest";
import { deployArgv, edgePlan, rollbackArgv, uploadArgv } from "./plan.ts";
import { blueGreenSpec, canarySpec, NEW_ID, ref, STABLE_ID, walkSpec } from "./testing/specs.ts";

const ids = { stableVersionId: STABLE_ID, newVersionId: NEW_ID };
/** A plan in short: deploys as their version specs, the rest as their type and description. */
const outline = (plan: ReturnType<typeof edgePlan>) =>
  plan.map((c) =>
    c.type === "deploy" ? c.argv.filter((a) => a.includes("@")).join(" ") : `${c.type}: ${c.description}`,
  );

describe("edgePlan (canary)", () => {
  it("turns each setWeight into a split deploy that adds up to 100, pauses and analyses in between, then 100%", () => {
    const plan = edgePlan(walkSpec(), ids);
    expect(outline(plan)).toEqual([
      `${STABLE_ID}@90% ${NEW_ID}@10%`,
      "pause: step 1: pause (until promoted)",
      `${STABLE_ID}@75% ${NEW_ID}@25%`,
      "analysis: step 3: analysis success-rate",
      `${STABLE_ID}@50% ${NEW_ID}@50%`,
      "pause: step 5: pause 30s",
      `${STABLE_ID}@25% ${NEW_ID}@75%`,
      `${NEW_ID}@100%`,
    ]);
    expect(plan[0]).toEqual({
      type: "deploy",
      stepIndex: 0,
      weight: 10,
      description: "step 0: setWeight 10",
      argv: [
        "wrangler",
        "versions",
        "deploy",
        `${STABLE_ID}@90%`,
        `${NEW_ID}@10%`,
        "--message",
        "tinyurl: step 0: setWeight 10",
        "-y",
      ],
    });
    expect(plan[5]).toMatchObject({ type: "pause", stepIndex: 5, durationSeconds: 30 });
    expect(plan[3]).toMatchObject({
      type: "analysis",
      kind: "step",
      stepIndex: 3,
      analysis: ref("success-rate"),
    });
    expect(plan.at(-1)).toMatchObject({
      type: "deploy",
      stepIndex: null,
      weight: 100,
      description: "full promotion",
    });
  });

  it("adds no final deploy when the steps end at 100%, and only that deploy when there are no steps", () => {
    const plan = edgePlan(
      canarySpec([{ setWeight: 50 }, { setWeight: 100 }, { pause: { durationSeconds: 10 } }]),
      ids,
    );
    expect(outline(plan)).toEqual([
      `${STABLE_ID}@50% ${NEW_ID}@50%`,
      `${NEW_ID}@100%`,
      "pause: step 2: pause 10s",
    ]);
    expect(outline(edgePlan(canarySpec([]), ids))).toEqual([`${NEW_ID}@100%`]);
  });

  it("deploys the stable version alone at weight 0", () => {
    const plan = edgePlan(canarySpec([{ setWeight: 0 }, { pause: {} }]), ids);
    expect(outline(plan)[0]).toBe(`${STABLE_ID}@100%`);
  });

  it("starts background analysis before its starting step", () => {
    const spec = canarySpec([{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }], {
      analysis: { ...ref("success-rate", "latency"), startingStep: 1 },
    });
    expect(outline(edgePlan(spec, ids))).toEqual([
      `${STABLE_ID}@80% ${NEW_ID}@20%`,
      "backgroundAnalysis: background analysis success-rate, latency",
      "pause: step 1: pause (until promoted)",
      `${STABLE_ID}@40% ${NEW_ID}@60%`,
      `${NEW_ID}@100%`,
    ]);
  });

  it("passes the Worker's name to every command", () => {
    const target = { workerName: "canary-staging" };
    for (const command of edgePlan(walkSpec(), ids, target)) {
      if (command.type === "deploy") expect(command.argv.slice(-2)).toEqual(["--name", "canary-staging"]);
    }
    expect(rollbackArgv(walkSpec(), STABLE_ID, "x", target).slice(-2)).toEqual(["--name", "canary-staging"]);
    expect(uploadArgv(walkSpec(), "v2", target).slice(-2)).toEqual(["--name", "canary-staging"]);
  });
});

describe("edgePlan (blue-green)", () => {
  it("analyses before, pauses until promoted when auto-promotion is off, switches at once, analyses after", () => {
    const spec = blueGreenSpec({
      autoPromotionEnabled: false,
      autoPromotionSeconds: 60, // ignored when auto-promotion is off, as in Argo
      prePromotionAnalysis: ref("smoke"),
      postPromotionAnalysis: ref("success-rate"),
    });
    const plan = edgePlan(spec, ids);
    expect(outline(plan)).toEqual([
      "analysis: prePromotionAnalysis smoke",
      "pause: pause (until promoted)",
      `${NEW_ID}@100%`,
      "analysis: postPromotionAnalysis success-rate",
    ]);
    expect(plan.map((c) => (c.type === "analysis" ? c.kind : null)).filter(Boolean)).toEqual([
      "prePromotion",
      "postPromotion",
    ]);
  });

  it("waits autoPromotionSeconds, or not at all", () => {
    expect(outline(edgePlan(blueGreenSpec({ autoPromotionSeconds: 45 }), ids))).toEqual([
      "pause: autoPromotionSeconds 45",
      `${NEW_ID}@100%`,
    ]);
    expect(edgePlan(blueGreenSpec({ autoPromotionSeconds: 45 }), ids)[0]).toMatchObject({
      durationSeconds: 45,
    });
    expect(outline(edgePlan(blueGreenSpec(), ids))).toEqual([`${NEW_ID}@100%`]);
  });
});

describe("wrangler argv", () => {
  it("refuses weights wrangler would refuse", () => {
    for (const weight of [-1, 101, 12.5, Number.NaN]) {
      expect(() => deployArgv(ids, weight, "x")).toThrow(/whole percentage from 0 to 100/);
    }
  });

  it("uploads with the label as tag, and rolls back to the stable version with the reason", () => {
    expect(uploadArgv(walkSpec(), "v2")).toEqual([
      "wrangler",
      "versions",
      "upload",
      "--tag",
      "v2",
      "--message",
      "tinyurl: v2 (canary rollout)",
    ]);
    expect(rollbackArgv(walkSpec(), STABLE_ID, "step 3: analysis success-rate: Failed")).toEqual([
      "wrangler",
      "rollback",
      STABLE_ID,
      "--message",
      "tinyurl: aborted: step 3: analysis success-rate: Failed",
      "-y",
    ]);
  });

  it("keeps messages within wrangler's 120 characters", () => {
    const message = rollbackArgv(walkSpec(), STABLE_ID, "x".repeat(300))[4]!;
    expect(message).toHaveLength(120);
    expect(message.endsWith("…")).toBe(true);
  });
});
