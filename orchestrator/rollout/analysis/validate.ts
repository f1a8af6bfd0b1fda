/**
 * Argo's ValidateMetrics (utils/analysis/factory.go), which an AnalysisRun applies before it measures
 * anything: a run of invalid metrics ends in phase Error with "Analysis spec invalid: …". The local engine
 * has no consecutiveSuccessLimit, so it counts as 0 (disabled) in Argo's rules.
 */
import type { MetricSpec } from "../types.ts";

function validateMetric(metric: MetricSpec): string | undefined {
  const count = metric.count ?? 0;
  const { failureLimit, inconclusiveLimit, consecutiveErrorLimit } = metric;
  if (failureLimit < -1) return "failureLimit must be >= 0, or -1 to be disabled";
  if (failureLimit === -1) return "failureLimit and consecutiveSuccessLimit cannot both be disabled";
  if (inconclusiveLimit < 0) return "inconclusiveLimit must be >= 0";
  if (consecutiveErrorLimit < 0) return "consecutiveErrorLimit must be >= 0";
  if (count > 0) {
    if (count < failureLimit) {
      return `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + 0) if both >= 0`;
    }
    if (count < inconclusiveLimit) return "count must be >= inconclusiveLimit";
  }
  if (count > 1 && !metric.intervalSeconds) return "interval must be specified when count > 1";
  return undefined;
}

/** The first problem with the metrics, as Argo words it, or undefined when they are valid. */
export function validateMetrics(metrics: MetricSpec[]): string | undefined {
  if (metrics.length === 0) return "Analysis spec invalid: no metrics specified";
  const names = new Set<string>();
  for (const [i, metric] of metrics.entries()) {
    if (names.has(metric.name))
      return `Analysis spec invalid: metrics[${i}]: duplicate name '${metric.name}'`;
    names.add(metric.name);
    const problem = validateMetric(metric);
    if (problem) return `Analysis spec invalid: metrics[${i}]: ${problem}`;
  }
  return undefined;
}
