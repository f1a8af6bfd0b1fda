/**
 * Which of `promote`, `promote --full`, `abort` and `retry` apply to a rollout in a given state. Shared by
 * the console (its buttons) and whoever implements RolloutControl (its 409s), so both say the same.
 * Pure and DOM-free: the browser bundle imports it.
 *
 * The rules follow Argo's CLI: promote (resume a pause, or skip the current step) and abort act on a
 * rollout still under way; retry clears an abort (`{"status":{"abort":false}}`), so it needs one.
 */
import type { RolloutStatus } from "../types.ts";

export type ControlAction = "promote" | "promoteFull" | "abort" | "retry";

export const CONTROL_ACTIONS: readonly ControlAction[] = ["promote", "promoteFull", "abort", "retry"];

type ActionState = Pick<RolloutStatus, "phase" | "aborted" | "endedAt">;

/** Why `action` does not apply to a rollout in `state`, or null when it does. */
export function whyNot(action: ControlAction, state: ActionState): string | null {
  const underWay = state.endedAt === null && (state.phase === "Progressing" || state.phase === "Paused");
  switch (action) {
    case "promote":
    case "promoteFull":
    case "abort":
      if (state.aborted) return "the rollout is aborted (retry it first)";
      return underWay ? null : `the rollout is ${state.phase} and has nothing left to ${verb(action)}`;
    case "retry":
      if (state.endedAt !== null) return "the rollout has ended";
      return state.aborted ? null : "only an aborted rollout can be retried";
  }
}

const verb = (action: ControlAction) => (action === "abort" ? "abort" : "promote");

/** The actions that apply now. */
export function availableActions(state: ActionState): Record<ControlAction, boolean> {
  return {
    promote: whyNot("promote", state) === null,
    promoteFull: whyNot("promoteFull", state) === null,
    abort: whyNot("abort", state) === null,
    retry: whyNot("retry", state) === null,
  };
}
