import { describe, expect, it } from "vitest";
import { type CanaryState, canaryController } from "./canary.ts";
import {
  canarySpec,
  checks,
  finished,
  newReady,
  promote,
  tick,
  type WalkRow,
  walk,
} from "./steps-testing.ts";

const T = 1_000_000;
const minute = 60_000;

/** Rows that take the canary (4 replicas, real time) to its first analysis, running at T + 2m. */
const toFirstAnalysis: WalkRow[] = [
  ["start", T, { ops: ["weight 0", "scale new 1"] }],
  [newReady, T, { ops: ["weight 10"] }],
  [tick, T + 2 * minute, { ops: ["start step-2"] }],
];

describe("canaryController: the issue's canary, 10 → 25 → 50 → 75 → 100 with pauses and analyses", () => {
  it("walks every step, ends Healthy, and scales the old stable down after scaleDownDelaySeconds", () => {
    const rows: WalkRow[] = [
      [
        "start",
        T,
        { ops: ["weight 0", "scale new 1"], phase: "Progressing", step: 0, weight: 0, wake: null },
      ],
      [
        newReady,
        T + 1000,
        {
          ops: ["weight 10"],
          events: [
            "Traffic weight updated from 0 to 10",
            "Rollout step 1/12 completed (setWeight 10)",
            "Rollout is paused (CanaryPauseStep)",
          ],
          phase: "Paused",
          message: "CanaryPauseStep",
          step: 1,
          weight: 10,
          wake: T + 1000 + 2 * minute,
        },
      ],
      [tick, T + 2 * minute + 999, { ops: [], phase: "Paused", step: 1 }],
      [tick, T + 2 * minute + 1000, { ops: ["start step-2"], phase: "Progressing", step: 2, wake: null }],
      // 25% of 4 replicas is still 1 canary pod: the weight moves at once.
      [finished("step-2", "Successful"), T + 5 * minute, { ops: ["weight 25"], phase: "Paused", step: 4 }],
      [tick, T + 7 * minute, { ops: ["start step-5"], step: 5 }],
      [
        finished("step-5", "Successful"),
        T + 10 * minute,
        {
          ops: ["scale new 2"],
          phase: "Progressing",
          message: "more replicas need to be updated",
          weight: 25,
        },
      ],
      [newReady, T + 11 * minute, { ops: ["weight 50"], phase: "Paused", step: 7, wake: T + 13 * minute }],
      [tick, T + 13 * minute, { ops: ["start step-8"], step: 8 }],
      [finished("step-8", "Successful"), T + 16 * minute, { ops: ["scale new 3"], step: 9, weight: 50 }],
      [newReady, T + 17 * minute, { ops: ["weight 75"], step: 10, wake: T + 19 * minute }],
      [tick, T + 19 * minute, { ops: ["start step-11"], step: 11 }],
      [
        finished("step-11", "Successful"),
        T + 22 * minute,
        {
          ops: ["scale new 4"],
          message: "updated replicas are still becoming available",
          step: null,
          weight: 75,
        },
      ],
      [
        newReady,
        T + 23 * minute,
        {
          ops: ["weight 100"],
          events: [
            "Traffic weight updated from 75 to 100",
            "Rollout completed update to revision 2: Completed all 12 canary steps",
          ],
          phase: "Healthy",
          message: "",
          step: null,
          weight: 100,
          wake: T + 23 * minute + 30_000,
        },
      ],
      [tick, T + 23 * minute + 29_999, { ops: [], phase: "Healthy" }],
      [tick, T + 23 * minute + 30_000, { ops: ["scale stable 0", "promoted"], phase: "Healthy", wake: null }],
      [tick, T + 60 * minute, { ops: [] }],
    ];
    const { actual, expected } = walk(canaryController(canarySpec(), { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });

  it("shrinks pauses and delays by the time scale", () => {
    const rows: WalkRow[] = [
      ["start", 0, { ops: ["weight 0", "scale new 1"] }],
      [newReady, 10, { phase: "Paused", wake: 10 + 1200 }],
      [tick, 1210, { ops: ["start step-2"] }],
      [finished("step-2", "Failed"), 2000, { phase: "Degraded", wake: 2000 + 300 }],
      [tick, 2300, { ops: ["scale new 0"], wake: null }],
    ];
    const { actual, expected } = walk(canaryController(canarySpec(), { timeScale: 0.01 }), rows);
    expect(actual).toEqual(expected);
  });
});

describe("canaryController: analysis steps", () => {
  it.each(["Failed", "Error"] as const)(
    "a %s analysis aborts: weight 0, Degraded, canary down after the delay",
    (phase) => {
      const rows: WalkRow[] = [
        ...toFirstAnalysis,
        [
          finished("step-2", phase),
          T + 5 * minute,
          {
            ops: ["weight 0"],
            phase: "Degraded",
            message:
              "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed",
            aborted: true,
            step: 0,
            weight: 0,
            wake: T + 5 * minute + 30_000,
          },
        ],
        [tick, T + 5 * minute + 29_999, { ops: [] }],
        // Only the canary goes: the stable kept every replica and serves all traffic.
        [tick, T + 5 * minute + 30_000, { ops: ["scale new 0"], phase: "Degraded", wake: null }],
        [finished("step-2", "Successful"), T + 6 * minute, { ops: [], phase: "Degraded" }],
      ];
      const { actual, expected } = walk(canaryController(canarySpec(), { timeScale: 1 }), rows);
      expect(actual).toEqual(expected);
    },
  );

  it("an inconclusive analysis pauses until a promote, which continues past the analysis step", () => {
    const rows: WalkRow[] = [
      ...toFirstAnalysis,
      [
        finished("step-2", "Inconclusive"),
        T + 5 * minute,
        { ops: [], phase: "Paused", message: "InconclusiveAnalysisRun", step: 2, wake: null },
      ],
      [tick, T + 60 * minute, { ops: [], phase: "Paused", message: "InconclusiveAnalysisRun" }],
      [
        promote,
        T + 61 * minute,
        {
          ops: ["weight 25"],
          events: [
            "Rollout step 3/12 completed (analysis success-rate, error-rate)",
            "Rollout is resumed",
            "Traffic weight updated from 10 to 25",
            "Rollout step 4/12 completed (setWeight 25)",
            "Rollout is paused (CanaryPauseStep)",
          ],
          phase: "Paused",
          message: "CanaryPauseStep",
          step: 4,
        },
      ],
    ];
    const { actual, expected } = walk(canaryController(canarySpec(), { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });

  it("ignores results of runs it does not know or no longer waits for", () => {
    const rows: WalkRow[] = [
      ...toFirstAnalysis,
      [finished("step-7", "Failed"), T + 3 * minute, { ops: [], phase: "Progressing", step: 2 }],
      [finished("step-2", "Successful"), T + 4 * minute, { ops: ["weight 25"], step: 4 }],
      [finished("step-2", "Failed"), T + 5 * minute, { ops: [], phase: "Paused", step: 4 }],
    ];
    const { actual, expected } = walk(canaryController(canarySpec(), { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });
});

describe("canaryController: background analysis", () => {
  const spec = canarySpec(
    {
      steps: [
        { setWeight: 20 },
        { pause: { durationSeconds: 60 } },
        { setWeight: 60 },
        { pause: { durationSeconds: 60 } },
      ],
      analysis: { ...checks, startingStep: 1 },
    },
    5,
  );
  const toBackground: WalkRow[] = [
    ["start", T, { ops: ["weight 0", "scale new 1"] }],
    [newReady, T, { ops: ["weight 20", "start background"], step: 1 }],
  ];

  it("starts at startingStep and is stopped when the rollout completes", () => {
    const rows: WalkRow[] = [
      ...toBackground,
      [tick, T + minute, { ops: ["scale new 3"], step: 2 }],
      [newReady, T + minute, { ops: ["weight 60"], step: 3 }],
      [tick, T + 2 * minute, { ops: ["scale new 5"] }],
      [newReady, T + 2 * minute, { ops: ["weight 100", "stop background"], phase: "Healthy" }],
    ];
    const { actual, expected } = walk(canaryController(spec, { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });

  it("aborts the rollout when it fails", () => {
    const rows: WalkRow[] = [
      ...toBackground,
      [
        finished("background", "Error"),
        T + 30_000,
        {
          ops: ["weight 0"],
          phase: "Degraded",
          message:
            "RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed",
        },
      ],
    ];
    const { actual, expected } = walk(canaryController(spec, { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });

  it("pauses when inconclusive; a promote ends the pause step and starts a new background run", () => {
    const rows: WalkRow[] = [
      ...toBackground,
      [
        finished("background", "Inconclusive"),
        T + 30_000,
        { phase: "Paused", message: "InconclusiveAnalysisRun" },
      ],
      // The pause step's time passes, but nothing moves while the analysis is inconclusive.
      [tick, T + 5 * minute, { ops: [], phase: "Paused", step: 1, wake: null }],
      [
        promote,
        T + 6 * minute,
        { ops: ["start background.1", "scale new 3"], phase: "Progressing", step: 2 },
      ],
    ];
    const { actual, expected } = walk(canaryController(spec, { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });

  it("keeps a background run that finished successfully, without starting another", () => {
    const rows: WalkRow[] = [
      ...toBackground,
      [finished("background", "Successful"), T + 30_000, { ops: [], phase: "Paused" }],
      [tick, T + minute, { ops: ["scale new 3"] }],
      [newReady, T + minute, { ops: ["weight 60"] }],
      [tick, T + 2 * minute, { ops: ["scale new 5"] }],
      [newReady, T + 2 * minute, { ops: ["weight 100"], phase: "Healthy" }],
    ];
    const { actual, expected } = walk(canaryController(spec, { timeScale: 1 }), rows);
    expect(actual).toEqual(expected);
  });
});

describe("canaryController: purity", () => {
  it("never changes the state it is given", () => {
    const controller = canaryController(canarySpec(), { timeScale: 1 });
    const { state } = controller.start(T);
    const frozen = deepFreeze(structuredClone(state));
    const next = controller.on(frozen, { type: "replicasReady", role: "new" }, T + 1);
    expect(frozen).toEqual(state);
    expect(next.state.stepIndex).toBe(1);
  });
});

function deepFreeze(value: CanaryState): CanaryState {
  const freeze = (v: unknown): void => {
    if (v && typeof v === "object") {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
  };
  freeze(value);
  return value;
}
