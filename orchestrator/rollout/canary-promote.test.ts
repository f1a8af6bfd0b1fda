import { describe, expect, it } from "vitest";
import { canaryController } from "./canary.ts";
import {
  abort,
  canarySpec,
  checks,
  finished,
  newReady,
  promote,
  promoteFull,
  retry,
  stableReady,
  tick,
  type WalkRow,
  walk,
} from "./steps-testing.ts";

const T = 1_000_000;
const minute = 60_000;
const aborted = "RolloutAborted: Rollout aborted update to revision 2";

/** The canary (4 replicas) with background analysis, up to its first step analysis at T + 2m. */
const spec = canarySpec({ analysis: { ...checks, startingStep: 0 } });
const toFirstAnalysis: WalkRow[] = [
  ["start", T, { ops: ["weight 0", "start background", "scale new 1"] }],
  [newReady, T, { ops: ["weight 10"], phase: "Paused", step: 1 }],
  [tick, T + 2 * minute, { ops: ["start step-2"], step: 2 }],
];

function check(rows: WalkRow[], controller = canaryController(spec, { timeScale: 1 })) {
  const { actual, expected } = walk(controller, rows);
  expect(actual).toEqual(expected);
}

describe("canaryController: promote", () => {
  it("ends a pause without a duration, which otherwise waits for ever", () => {
    const steps = [{ setWeight: 50 }, { pause: {} }];
    check(
      [
        ["start", T, { ops: ["weight 0", "scale new 1"] }],
        [newReady, T, { ops: ["weight 50"], phase: "Paused", message: "CanaryPauseStep", wake: null }],
        [tick, T + 600 * minute, { ops: [], phase: "Paused" }],
        [
          promote,
          T + 601 * minute,
          {
            ops: ["scale new 2"],
            events: ["Rollout step 2/2 completed (pause (until promoted))", "Rollout is resumed"],
          },
        ],
        [newReady, T + 602 * minute, { ops: ["weight 100"], phase: "Healthy" }],
      ],
      canaryController(canarySpec({ steps }, 2), { timeScale: 1 }),
    );
  });

  it("skips the current step when the rollout is not paused, as Argo's plugin does", () => {
    check([
      ...toFirstAnalysis,
      // A running step analysis is stopped and its step skipped.
      [promote, T + 3 * minute, { ops: ["stop step-2", "weight 25"], phase: "Paused", step: 4 }],
    ]);
    check([
      ["start", T, { ops: ["weight 0", "start background", "scale new 1"] }],
      // Skipping setWeight 10 leaves the pause step after it, still at weight 10, still waiting for the pod.
      [promote, T, { ops: [], phase: "Progressing", step: 1, weight: 0 }],
      [newReady, T + 1000, { ops: ["weight 10"], phase: "Paused", step: 1 }],
    ]);
  });

  it("--full skips every remaining step and analysis: the new version takes all replicas, then 100%", () => {
    check([
      ...toFirstAnalysis,
      [
        promoteFull,
        T + 3 * minute,
        { ops: ["stop step-2", "stop background", "scale new 4"], phase: "Progressing", weight: 10 },
      ],
      // A stopped run's late result changes nothing.
      [finished("step-2", "Failed"), T + 3 * minute, { ops: [], phase: "Progressing" }],
      [
        newReady,
        T + 4 * minute,
        {
          ops: ["weight 100"],
          events: [
            "Traffic weight updated from 10 to 100",
            "Rollout completed update to revision 2: Full promotion requested",
          ],
          phase: "Healthy",
          wake: T + 4 * minute + 30_000,
        },
      ],
      [tick, T + 5 * minute, { ops: ["scale stable 0", "promoted"], wake: null }],
      [promote, T + 6 * minute, { ops: [], events: ["Rollout is already complete: nothing to promote"] }],
      [
        abort,
        T + 6 * minute,
        { ops: [], phase: "Healthy", events: ["Rollout is not in progress: nothing to abort"] },
      ],
    ]);
  });

  it("pauses at once, with no canary pod, when a pause comes before any setWeight", () => {
    const steps = [{ pause: { durationSeconds: 10 } }, { setWeight: 50 }];
    check(
      [
        ["start", T, { ops: ["weight 0"], phase: "Paused", step: 0, wake: T + 10_000 }],
        [tick, T + 10_000, { ops: ["scale new 1"], phase: "Progressing", step: 1 }],
      ],
      canaryController(canarySpec({ steps }, 2), { timeScale: 1 }),
    );
  });

  it("completes at once when there are no steps (Argo: Completed all 0 canary steps)", () => {
    check(
      [
        ["start", T, { ops: ["weight 0", "scale new 4"], step: null }],
        [newReady, T, { ops: ["weight 100"], phase: "Healthy", wake: T + 30_000 }],
      ],
      canaryController(canarySpec({ steps: [] }), { timeScale: 1 }),
    );
  });
});

describe("canaryController: abort and retry", () => {
  it("abort stops every run, sends all traffic to stable and scales the canary down after the delay", () => {
    check([
      ...toFirstAnalysis,
      [
        abort,
        T + 3 * minute,
        {
          ops: ["stop step-2", "stop background", "weight 0"],
          events: ["Traffic weight updated from 10 to 0", "Rollout aborted update to revision 2"],
          phase: "Degraded",
          message: aborted,
          aborted: true,
          wake: T + 3 * minute + 30_000,
        },
      ],
      [promote, T + 3 * minute, { ops: [], events: ["Rollout is aborted: retry it, or promote --full"] }],
      [abort, T + 3 * minute, { ops: [], events: ["Rollout is not in progress: nothing to abort"] }],
      [tick, T + 4 * minute, { ops: ["scale new 0"], wake: null }],
    ]);
  });

  it("retry starts again from step 0, scaling the new version up again, with new analysis runs", () => {
    check([
      ...toFirstAnalysis,
      [abort, T + 3 * minute, { phase: "Degraded" }],
      [tick, T + 4 * minute, { ops: ["scale new 0"] }],
      [
        retry,
        T + 5 * minute,
        {
          ops: ["start background.1", "scale new 1"],
          events: ["Retrying Rollout after abort"],
          phase: "Progressing",
          aborted: false,
          step: 0,
        },
      ],
      [newReady, T + 6 * minute, { ops: ["weight 10"], phase: "Paused", step: 1 }],
      [tick, T + 8 * minute, { ops: ["start step-2.1"], step: 2 }],
      [retry, T + 8 * minute, { ops: [], events: ["Rollout is not aborted: nothing to retry"] }],
    ]);
  });

  it("retry before the scale-down reuses the running canary replicas", () => {
    check([
      ...toFirstAnalysis,
      [abort, T + 3 * minute, { wake: T + 3 * minute + 30_000 }],
      [
        retry,
        T + 3 * minute + 1000,
        { ops: ["start background.1", "weight 10"], phase: "Paused", wake: T + 5 * minute + 1000 },
      ],
    ]);
  });

  it("leaves the canary running when abortScaleDownDelaySeconds is 0 (Argo: never scale down)", () => {
    const controller = canaryController(canarySpec({ abortScaleDownDelaySeconds: 0 }), { timeScale: 1 });
    check(
      [
        ["start", T, {}],
        [newReady, T, { weight: 10 }],
        [abort, T + minute, { ops: ["weight 0"], phase: "Degraded", wake: null }],
        [tick, T + 600 * minute, { ops: [] }],
      ],
      controller,
    );
  });

  it("promote --full after an abort clears it and promotes, as Argo's promoteFull does", () => {
    check([
      ...toFirstAnalysis,
      [abort, T + 3 * minute, { phase: "Degraded" }],
      [promoteFull, T + 4 * minute, { ops: ["scale new 4"], phase: "Progressing", aborted: false }],
      [newReady, T + 5 * minute, { ops: ["weight 100"], phase: "Healthy" }],
    ]);
  });
});

describe("canaryController: without traffic routing (basic canary)", () => {
  const steps = [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
  const basic = canaryController(canarySpec({ steps, trafficRouting: null }), { timeScale: 1 });

  it("splits by replica counts: the proxy gets the new version's share of the pods", () => {
    check(
      [
        // 10% of 4: one canary pod beside the 4 stable ones (Argo's surge of 1), so 1 pod in 5 = 20%.
        ["start", T, { ops: ["weight 0", "scale new 1"] }],
        [newReady, T, { ops: ["weight 20"], phase: "Paused", weight: 20 }],
        // 50%: 2 + 2; the canary grows first, the stable shrinks once the canary is ready.
        [promote, T + minute, { ops: ["scale new 2"], phase: "Progressing" }],
        [newReady, T + 2 * minute, { ops: ["scale stable 2", "weight 50"], phase: "Paused" }],
        // No scaleDownDelaySeconds without traffic routing: the stable is gone when the canary takes 100%.
        [
          promote,
          T + 3 * minute,
          { ops: ["scale new 4"], message: "updated replicas are still becoming available" },
        ],
        [
          newReady,
          T + 4 * minute,
          { ops: ["scale stable 0", "weight 100", "promoted"], phase: "Healthy", wake: null },
        ],
      ],
      basic,
    );
  });

  it("abort scales the stable back up, then the canary down at once", () => {
    check(
      [
        ["start", T, {}],
        [newReady, T, {}],
        [promote, T + minute, {}],
        [newReady, T + 2 * minute, { ops: ["scale stable 2", "weight 50"] }],
        [abort, T + 3 * minute, { ops: ["weight 0", "scale stable 4"], phase: "Degraded", wake: null }],
        [stableReady, T + 4 * minute, { ops: ["scale new 0"], phase: "Degraded" }],
      ],
      basic,
    );
  });

  it("reports old replicas pending termination while the stable still runs at the end", () => {
    const controller = canaryController(canarySpec({ steps: [], trafficRouting: null }, 2), { timeScale: 1 });
    const { state } = controller.start(T);
    const ready = controller.on(state, newReady, T).state;
    expect(controller.status(ready).phase).toBe("Healthy");
    const halfway = {
      ...state,
      replicas: { stable: { desired: 1, ready: true }, new: { desired: 2, ready: true } },
    };
    expect(controller.status(halfway).message).toBe("old replicas are pending termination");
  });
});
