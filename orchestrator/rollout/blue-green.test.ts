import { describe, expect, it } from "vitest";
import { type BlueGreenRolloutSpec, blueGreenController } from "./blue-green.ts";
import {
  abort,
  blueGreenSpec,
  finished,
  newReady,
  promote,
  promoteFull,
  retry,
  tick,
  type WalkRow,
  walk,
} from "./steps-testing.ts";

const T = 1_000_000;
const minute = 60_000;
const aborted = "RolloutAborted: Rollout aborted update to revision 2";

function check(rows: WalkRow[], spec: BlueGreenRolloutSpec = blueGreenSpec(), timeScale = 1) {
  const { actual, expected } = walk(blueGreenController(spec, { timeScale }), rows);
  expect(actual).toEqual(expected);
}

/** The repo's blue-green (3 replicas, preview 1, manual promotion, pre and post analysis) up to its pause. */
const toPause: WalkRow[] = [
  [
    "start",
    T,
    {
      ops: ["active stable", "preview none", "scale new 1"],
      phase: "Progressing",
      message: "more replicas need to be updated",
      weight: 0,
      step: null,
    },
  ],
  [newReady, T + 1000, { ops: ["preview new", "start pre-promotion"], phase: "Progressing" }],
  [
    finished("pre-promotion", "Successful"),
    T + 4 * minute,
    { ops: [], phase: "Paused", message: "BlueGreenPause" },
  ],
];
/** …then promoted by hand, switched, with its post-promotion analysis running. */
const toPostAnalysis: WalkRow[] = [
  ...toPause,
  [promote, T + 5 * minute, { ops: ["scale new 3"] }],
  [newReady, T + 6 * minute, { ops: ["active new", "start post-promotion"] }],
];

describe("blueGreenController: promotion", () => {
  it("previews, analyses, pauses until promoted, switches, analyses again, and scales the old version down", () => {
    check([
      ...toPause.slice(0, 2),
      // Argo pauses only once the pre-promotion analysis succeeded: a promote before that does nothing.
      [promote, T + 2 * minute, { ops: [], events: ["Rollout is not paused: nothing to promote"] }],
      [finished("pre-promotion", "Successful"), T + 4 * minute, { ops: [], phase: "Paused", wake: null }],
      [tick, T + 600 * minute, { ops: [], phase: "Paused", message: "BlueGreenPause" }],
      [
        promote,
        T + 601 * minute,
        {
          ops: ["scale new 3"],
          phase: "Progressing",
          message: "updated replicas are still becoming available",
        },
      ],
      [
        newReady,
        T + 602 * minute,
        {
          ops: ["active new", "start post-promotion"],
          message: "waiting for analysis to complete",
          weight: 100,
        },
      ],
      [
        finished("post-promotion", "Successful"),
        T + 605 * minute,
        {
          ops: [],
          events: ["Rollout completed update to revision 2: Completed blue-green update"],
          phase: "Healthy",
          message: "",
          wake: T + 605 * minute + 600_000,
        },
      ],
      [tick, T + 614 * minute, { ops: [] }],
      [tick, T + 615 * minute, { ops: ["scale stable 0", "promoted"], phase: "Healthy", wake: null }],
    ]);
  });

  it("promotes by itself after autoPromotionSeconds, scaled by the time scale", () => {
    const spec = blueGreenSpec({
      autoPromotionEnabled: true,
      autoPromotionSeconds: 60,
      previewReplicaCount: undefined,
      prePromotionAnalysis: undefined,
      postPromotionAnalysis: undefined,
    });
    const rows: WalkRow[] = [
      ["start", 0, { ops: ["active stable", "preview none", "scale new 3"] }],
      [newReady, 100, { ops: ["preview new"], phase: "Paused", message: "BlueGreenPause", wake: 100 + 6000 }],
      [tick, 6099, { ops: [], phase: "Paused" }],
      [tick, 6100, { ops: ["active new"], phase: "Healthy", wake: 6100 + 60_000 }],
      [tick, 66_100, { ops: ["scale stable 0", "promoted"] }],
    ];
    check(rows, spec, 0.1);
  });

  it("switches as soon as the preview is ready when auto-promotion has no delay", () => {
    const spec = blueGreenSpec({
      autoPromotionEnabled: true,
      previewReplicaCount: undefined,
      prePromotionAnalysis: undefined,
      postPromotionAnalysis: undefined,
      scaleDownDelaySeconds: 0,
    });
    check(
      [
        ["start", T, { ops: ["active stable", "preview none", "scale new 3"] }],
        [newReady, T, { ops: ["preview new", "active new", "scale stable 0", "promoted"], phase: "Healthy" }],
      ],
      spec,
    );
  });

  it("runs the pre-promotion analysis on a full-size preview when previewReplicaCount is not set", () => {
    check(
      [
        ["start", T, { ops: ["active stable", "preview none", "scale new 3"] }],
        [
          newReady,
          T,
          { ops: ["preview new", "start pre-promotion"], message: "active service cutover pending" },
        ],
        [finished("pre-promotion", "Successful"), T + minute, { ops: [], phase: "Paused" }],
        [promote, T + 2 * minute, { ops: ["active new", "start post-promotion"] }],
      ],
      blueGreenSpec({ previewReplicaCount: undefined }),
    );
  });

  it("ignores autoPromotionSeconds when autoPromotionEnabled is false", () => {
    const spec = blueGreenSpec({ autoPromotionSeconds: 30, prePromotionAnalysis: undefined });
    check(
      [
        ["start", T, {}],
        [newReady, T, { ops: ["preview new"], phase: "Paused", wake: null }],
        [tick, T + 10 * minute, { ops: [], phase: "Paused" }],
      ],
      spec,
    );
  });

  it("--full skips both analyses and the pause", () => {
    check([
      ...toPause.slice(0, 2),
      [promoteFull, T + 2 * minute, { ops: ["stop pre-promotion", "scale new 3"], phase: "Progressing" }],
      [finished("pre-promotion", "Failed"), T + 2 * minute, { ops: [], phase: "Progressing" }],
      [
        newReady,
        T + 3 * minute,
        {
          ops: ["active new"],
          events: [
            "Switched the active service to the new version",
            "Rollout completed update to revision 2: Full promotion requested",
          ],
          phase: "Healthy",
        },
      ],
      [promote, T + 4 * minute, { ops: [], events: ["Rollout is already complete: nothing to promote"] }],
      [abort, T + 4 * minute, { ops: [], phase: "Healthy" }],
    ]);
  });
});

describe("blueGreenController: analysis results", () => {
  it.each(["Failed", "Error"] as const)("a %s post-promotion analysis switches back to stable", (phase) => {
    check([
      ...toPostAnalysis,
      [
        finished("post-promotion", phase),
        T + 8 * minute,
        {
          // The old version never stopped: it was still the stable one. Only the new one goes, later.
          ops: ["active stable"],
          phase: "Degraded",
          message: `${aborted}: Blue/green post-promotion analysis phase error/failed`,
          weight: 0,
          aborted: true,
          wake: T + 8 * minute + 30_000,
        },
      ],
      [tick, T + 8 * minute + 30_000, { ops: ["scale new 0", "preview none"], wake: null }],
    ]);
  });

  it("a failed pre-promotion analysis aborts before the switch: the preview keeps the new version until it stops", () => {
    check([
      ...toPause.slice(0, 2),
      [
        finished("pre-promotion", "Failed"),
        T + 4 * minute,
        {
          ops: [],
          phase: "Degraded",
          message: `${aborted}: Blue/green pre-promotion analysis phase error/failed`,
          wake: T + 4 * minute + 30_000,
        },
      ],
      [tick, T + 5 * minute, { ops: ["scale new 0", "preview none"] }],
      [
        retry,
        T + 6 * minute,
        { ops: ["scale new 1"], phase: "Progressing", events: ["Retrying Rollout after abort"] },
      ],
      [newReady, T + 7 * minute, { ops: ["preview new", "start pre-promotion.1"] }],
    ]);
  });

  it("an inconclusive pre-promotion analysis pauses; promote runs it again and counts as the promotion", () => {
    check([
      ...toPause.slice(0, 2),
      [
        finished("pre-promotion", "Inconclusive"),
        T + 4 * minute,
        { ops: [], phase: "Paused", message: "InconclusiveAnalysisRun", wake: null },
      ],
      [promote, T + 5 * minute, { ops: ["start pre-promotion.1"], phase: "Progressing" }],
      [finished("pre-promotion.1", "Successful"), T + 8 * minute, { ops: ["scale new 3"] }],
      [newReady, T + 9 * minute, { ops: ["active new", "start post-promotion"] }],
    ]);
  });

  it("an inconclusive post-promotion analysis pauses; promote runs it again", () => {
    check([
      ...toPostAnalysis,
      [finished("post-promotion", "Inconclusive"), T + 8 * minute, { phase: "Paused", weight: 100 }],
      [promote, T + 9 * minute, { ops: ["start post-promotion.1"], events: ["Rollout is resumed"] }],
      [finished("post-promotion.1", "Successful"), T + 12 * minute, { phase: "Healthy" }],
    ]);
  });
});

describe("blueGreenController: abort and retry", () => {
  it("abort during post-promotion analysis stops it and switches back at once", () => {
    check([
      ...toPostAnalysis,
      [
        abort,
        T + 7 * minute,
        { ops: ["stop post-promotion", "active stable"], phase: "Degraded", message: aborted },
      ],
    ]);
  });

  it("abort during the pause, retry: preview, analysis and pause again", () => {
    check([
      ...toPause,
      [abort, T + 5 * minute, { ops: [], phase: "Degraded", wake: T + 5 * minute + 30_000 }],
      [promote, T + 5 * minute, { ops: [], events: ["Rollout is aborted: retry it, or promote --full"] }],
      [abort, T + 5 * minute, { ops: [], events: ["Rollout is not in progress: nothing to abort"] }],
      // The preview still runs: retry needs no new replicas.
      [retry, T + 6 * minute, { ops: ["start pre-promotion.1"], phase: "Progressing", wake: null }],
      [
        finished("pre-promotion.1", "Successful"),
        T + 9 * minute,
        { phase: "Paused", message: "BlueGreenPause" },
      ],
      [retry, T + 9 * minute, { ops: [], events: ["Rollout is not aborted: nothing to retry"] }],
    ]);
  });

  it("abortScaleDownDelaySeconds 0 leaves the new version up; promote --full then promotes it", () => {
    check(
      [
        ...toPause,
        [abort, T + 5 * minute, { ops: [], phase: "Degraded", wake: null }],
        [tick, T + 600 * minute, { ops: [] }],
        [promoteFull, T + 601 * minute, { ops: ["scale new 3"], phase: "Progressing", aborted: false }],
        [newReady, T + 602 * minute, { ops: ["active new"], phase: "Healthy" }],
      ],
      blueGreenSpec({ abortScaleDownDelaySeconds: 0 }),
    );
  });
});
