/**
 * A rollout on the edge: Cloudflare's gradual deployments driven by the same Rollout manifest. The new
 * Worker version is uploaded (`wrangler versions upload`, no traffic yet), each canary `setWeight` becomes
 * `wrangler versions deploy <stable>@<100-w>% <new>@<w>% -y`, pauses and analyses are waited out between
 * them by the engine, and an abort is `wrangler rollback <stable> -y`. This module is pure: the commands
 * as argv arrays ("wrangler" first; wrangler.ts runs them), and the walk as a list the executor follows.
 *
 * Blue-green maps onto the same commands: the uploaded version is the preview (its preview URL), the
 * switch is one deploy at 100%, and a failed post-promotion analysis rolls back.
 */
import { describeStep } from "../steps.ts";
import type { AnalysisRefSpec, RolloutSpec } from "../types.ts";

export interface EdgeVersionIds {
  /** The version serving 100% of traffic before the rollout (`wrangler deployments status`). */
  stableVersionId: string;
  /** The version `wrangler versions upload` created. */
  newVersionId: string;
}

export interface EdgeTarget {
  /** The Worker's name (`--name`); absent: wrangler.toml's `name`. */
  workerName?: string;
}

export type EdgeAnalysisKind = "step" | "prePromotion" | "postPromotion";

export type EdgeCommand =
  /** Split traffic: `weight`% to the new version, the rest to the stable one. */
  | { type: "deploy"; stepIndex: number | null; weight: number; argv: string[]; description: string }
  /** Wait `durationSeconds` (× time scale), or until a promote when absent. */
  | { type: "pause"; stepIndex: number | null; durationSeconds?: number; description: string }
  /** Run an analysis to its end; Failed or Error aborts, Inconclusive pauses until a promote. */
  | {
      type: "analysis";
      stepIndex: number | null;
      kind: EdgeAnalysisKind;
      analysis: AnalysisRefSpec;
      description: string;
    }
  /** Start the canary's background analysis (strategy.canary.analysis) before step `stepIndex`. */
  | { type: "backgroundAnalysis"; stepIndex: number; analysis: AnalysisRefSpec; description: string };

/** Argo's flags, wrangler's `--message` (the rollback prompt allows 120 characters). */
const MAX_MESSAGE = 120;
const message = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);
const nameFlag = (target: EdgeTarget) => (target.workerName ? ["--name", target.workerName] : []);

/** `wrangler deployments status --json`: the current deployment, whose 100% version is the stable one. */
export function deploymentStatusArgv(target: EdgeTarget = {}): string[] {
  return ["wrangler", "deployments", "status", "--json", ...nameFlag(target)];
}

/** `wrangler versions upload`: the new version, tagged with its label, serving no traffic yet. */
export function uploadArgv(spec: RolloutSpec, newVersionLabel: string, target: EdgeTarget = {}): string[] {
  return [
    "wrangler",
    "versions",
    "upload",
    "--tag",
    newVersionLabel,
    "--message",
    message(`${spec.name}: ${newVersionLabel} (canary rollout)`),
    ...nameFlag(target),
  ];
}

/**
 * `wrangler versions deploy`: `weight`% to the new version. The shares always add up to 100 (wrangler
 * refuses anything else); a version at 0% is left out rather than deployed at 0%.
 */
export function deployArgv(
  ids: EdgeVersionIds,
  weight: number,
  text: string,
  target: EdgeTarget = {},
): string[] {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new RangeError(`A weight must be a whole percentage from 0 to 100, not ${weight}`);
  }
  const specs =
    weight === 0
      ? [`${ids.stableVersionId}@100%`]
      : weight === 100
        ? [`${ids.newVersionId}@100%`]
        : [`${ids.stableVersionId}@${100 - weight}%`, `${ids.newVersionId}@${weight}%`];
  return ["wrangler", "versions", "deploy", ...specs, "--message", message(text), "-y", ...nameFlag(target)];
}

/** `wrangler rollback <stable>`: the stable version back at 100% at once (the edge's abort). */
export function rollbackArgv(
  spec: RolloutSpec,
  stableVersionId: string,
  reason: string,
  target: EdgeTarget = {},
): string[] {
  return [
    "wrangler",
    "rollback",
    stableVersionId,
    "--message",
    message(`${spec.name}: aborted: ${reason}`),
    "-y",
    ...nameFlag(target),
  ];
}

const analysisNames = (ref: AnalysisRefSpec) => ref.templates.map((t) => t.templateName).join(", ");

/** The commands that take a rollout from the stable version to the new one, in order. */
export function edgePlan(spec: RolloutSpec, ids: EdgeVersionIds, target: EdgeTarget = {}): EdgeCommand[] {
  const deploy = (stepIndex: number | null, weight: number, description: string): EdgeCommand => ({
    type: "deploy",
    stepIndex,
    weight,
    argv: deployArgv(ids, weight, `${spec.name}: ${description}`, target),
    description,
  });
  const plan: EdgeCommand[] = [];
  const strategy = spec.strategy;

  if (strategy.kind === "blueGreen") {
    if (strategy.prePromotionAnalysis) {
      const analysis = strategy.prePromotionAnalysis;
      plan.push({
        type: "analysis",
        stepIndex: null,
        kind: "prePromotion",
        analysis,
        description: `prePromotionAnalysis ${analysisNames(analysis)}`,
      });
    }
    // Argo pauses until a promote when auto-promotion is off (autoPromotionSeconds is then ignored).
    if (!strategy.autoPromotionEnabled) {
      plan.push({ type: "pause", stepIndex: null, description: "pause (until promoted)" });
    } else if (strategy.autoPromotionSeconds) {
      plan.push({
        type: "pause",
        stepIndex: null,
        durationSeconds: strategy.autoPromotionSeconds,
        description: `autoPromotionSeconds ${strategy.autoPromotionSeconds}`,
      });
    }
    plan.push(deploy(null, 100, "switch to the new version"));
    if (strategy.postPromotionAnalysis) {
      const analysis = strategy.postPromotionAnalysis;
      plan.push({
        type: "analysis",
        stepIndex: null,
        kind: "postPromotion",
        analysis,
        description: `postPromotionAnalysis ${analysisNames(analysis)}`,
      });
    }
    return plan;
  }

  let weight = 0;
  strategy.steps.forEach((step, index) => {
    if (strategy.analysis && strategy.analysis.startingStep === index) {
      plan.push({
        type: "backgroundAnalysis",
        stepIndex: index,
        analysis: strategy.analysis,
        description: `background analysis ${analysisNames(strategy.analysis)}`,
      });
    }
    const description = `step ${index}: ${describeStep(step)}`;
    if ("setWeight" in step) {
      weight = step.setWeight;
      plan.push(deploy(index, weight, description));
    } else if ("pause" in step) {
      plan.push({
        type: "pause",
        stepIndex: index,
        durationSeconds: step.pause.durationSeconds,
        description,
      });
    } else {
      plan.push({ type: "analysis", stepIndex: index, kind: "step", analysis: step.analysis, description });
    }
  });
  // After the last step Argo promotes the new version fully (a rollout with no steps does only that).
  if (weight !== 100) plan.push(deploy(null, 100, "full promotion"));
  return plan;
}
