/**
 * How Argo's analysis controller judges metrics and runs (analysis/analysis.go): assessMetricStatus,
 * assessMetricFailureInconclusiveOrError and assessRunStatus, as pure functions of the specs and results.
 */
import type { AnalysisPhase, MetricResult, MetricSpec } from "../types.ts";

export const COMPLETED = new Set<AnalysisPhase>(["Successful", "Failed", "Error", "Inconclusive"]);
/** Argo's analysisStatusOrder, best to worst. */
const ORDER: AnalysisPhase[] = ["Successful", "Running", "Pending", "Inconclusive", "Error", "Failed"];
const isWorse = (current: AnalysisPhase, candidate: AnalysisPhase) =>
  ORDER.indexOf(candidate) > ORDER.indexOf(current);

/** A metric that ended like this makes its run terminate (Argo's IsTerminating). */
export const endsRun = (phase: AnalysisPhase) =>
  phase === "Failed" || phase === "Error" || phase === "Inconclusive";

/** Argo's EffectiveCount: `count`, else 1 without an interval, else unbounded (null). */
export const effectiveCount = (spec: MetricSpec) =>
  spec.count ? spec.count : spec.intervalSeconds ? null : 1;

/**
 * Argo's assessMetricFailureInconclusiveOrError: the limit a metric crossed, if any. Each check is "more
 * than the limit", and when several hold the last one wins (errors, then inconclusive, then failures).
 */
export function crossedLimit(
  spec: MetricSpec,
  result: MetricResult,
): { phase: AnalysisPhase; message: string } | null {
  let crossed: { phase: AnalysisPhase; message: string } | null = null;
  if (spec.failureLimit >= 0 && result.failed > spec.failureLimit) {
    crossed = { phase: "Failed", message: `failed (${result.failed}) > failureLimit (${spec.failureLimit})` };
  }
  if (result.inconclusive > spec.inconclusiveLimit) {
    const message = `inconclusive (${result.inconclusive}) > inconclusiveLimit (${spec.inconclusiveLimit})`;
    crossed = { phase: "Inconclusive", message };
  }
  if (result.consecutiveError > spec.consecutiveErrorLimit) {
    const message = `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${spec.consecutiveErrorLimit})`;
    crossed = { phase: "Error", message };
  }
  return crossed;
}

/**
 * Argo's assessMetricStatus: a completed metric stays so; one never measured is Pending (Successful if
 * the run is terminating); then the limits; then Successful once its count is reached; otherwise Running,
 * or Successful if the run is terminating (an indefinite metric stopped with no limit crossed).
 */
export function assessMetric(spec: MetricSpec, result: MetricResult, terminating: boolean): AnalysisPhase {
  if (COMPLETED.has(result.phase)) return result.phase;
  if (result.measurements.length === 0) return terminating ? "Successful" : "Pending";
  const crossed = crossedLimit(spec, result);
  if (crossed) return crossed.phase;
  const count = effectiveCount(spec);
  if (count !== null && result.count >= count) return "Successful";
  return terminating ? "Successful" : "Running";
}

/**
 * Argo's assessRunStatus once the metrics are assessed: the worst completed metric's phase, with Argo's
 * message; null while the run goes on (a metric still measuring and no termination).
 */
export function assessRun(
  metrics: { spec: MetricSpec; result: MetricResult }[],
  terminating: boolean,
  terminateRequested: boolean,
): { phase: AnalysisPhase; message?: string } | null {
  let worst: AnalysisPhase | undefined;
  let message = terminateRequested ? "Run Terminated" : undefined;
  let everythingCompleted = true;
  for (const { spec, result } of metrics) {
    if (!COMPLETED.has(result.phase)) {
      everythingCompleted = false;
      continue;
    }
    if (worst === undefined || isWorse(worst, result.phase)) {
      worst = result.phase;
      const crossed = crossedLimit(spec, result);
      if (crossed) {
        message = `Metric "${spec.name}" assessed ${result.phase} due to ${crossed.message}`;
        if (result.message) message += `: "Error Message: ${result.message}"`;
      }
    }
  }
  const phase = terminating ? (worst ?? "Successful") : everythingCompleted ? worst : undefined;
  if (!phase) return null;
  return message === undefined ? { phase } : { phase, message };
}
