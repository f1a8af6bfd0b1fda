/** How the console writes numbers, times and versions. Pure, so it is unit-tested in Node. */
import type { RolloutStatus } from "../../types.ts";

export const formatRps = (rps: number | null) =>
  rps === null ? "—" : `${rps < 10 ? rps.toFixed(1) : Math.round(rps)}/s`;

export const formatPercent = (share: number | null) =>
  share === null ? "—" : `${Number((share * 100).toFixed(share < 0.1 ? 2 : 1))}%`;

export const formatMs = (ms: number | null) => (ms === null ? "—" : `${Math.round(ms)} ms`);

/** A wall-clock time of day, e.g. 14:03:07 (measurements and events). */
export function clockTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** An elapsed time, e.g. 4.2 s, 3 min 05 s, 2 h 07 min. */
export function elapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const two = (n: number) => String(n).padStart(2, "0");
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${two(Math.floor((ms % 60_000) / 1000))} s`;
  return `${Math.floor(minutes / 60)} h ${two(minutes % 60)} min`;
}

/**
 * Blue-green: which version each service shows. The active service serves the new version once the
 * weight is 100; the preview service shows the new version until the rollout is aborted.
 */
export function blueGreenServices(
  status: Pick<RolloutStatus, "weight" | "aborted" | "stableVersion" | "newVersion">,
): {
  active: string;
  preview: string | null;
} {
  return {
    active: status.weight >= 100 ? status.newVersion : status.stableVersion,
    preview: status.aborted ? null : status.newVersion,
  };
}

/** Each step's state: done, current or still to come (all done once a canary has finished). */
export function stepState(
  index: number,
  status: Pick<RolloutStatus, "currentStepIndex" | "phase" | "aborted">,
): "done" | "current" | "pending" {
  if (status.currentStepIndex === null)
    return status.phase === "Healthy" && !status.aborted ? "done" : "pending";
  if (index < status.currentStepIndex) return "done";
  return index === status.currentStepIndex ? "current" : "pending";
}
