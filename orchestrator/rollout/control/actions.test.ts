import { describe, expect, it } from "vitest";
import type { RolloutPhase } from "../types.ts";
import { availableActions, whyNot } from "./actions.ts";

const state = (phase: RolloutPhase, aborted = false, endedAt: number | null = null) => ({
  phase,
  aborted,
  endedAt,
});

describe("availableActions", () => {
  it("offers promote, promote full and abort while a rollout is under way", () => {
    for (const phase of ["Progressing", "Paused"] as const) {
      expect(availableActions(state(phase))).toEqual({
        promote: true,
        promoteFull: true,
        abort: true,
        retry: false,
      });
    }
  });

  it("offers only retry once aborted", () => {
    expect(availableActions(state("Degraded", true))).toEqual({
      promote: false,
      promoteFull: false,
      abort: false,
      retry: true,
    });
    expect(whyNot("promote", state("Degraded", true))).toBe("the rollout is aborted (retry it first)");
  });

  it("offers nothing once the rollout has finished or ended", () => {
    expect(Object.values(availableActions(state("Healthy"))).some(Boolean)).toBe(false);
    expect(whyNot("abort", state("Healthy"))).toBe("the rollout is Healthy and has nothing left to abort");
    expect(whyNot("promoteFull", state("Healthy"))).toBe(
      "the rollout is Healthy and has nothing left to promote",
    );
    expect(whyNot("retry", state("Healthy"))).toBe("only an aborted rollout can be retried");
    expect(whyNot("retry", state("Degraded", true, 1))).toBe("the rollout has ended");
    expect(whyNot("promote", state("Paused", false, 1))).toMatch(/nothing left to promote/);
  });
});
