/**
 * Argo Rollouts' successCondition / failureCondition, evaluated as Argo's utils/evaluate does: an expr
 * expression over `result` (a Prometheus vector is an array of numbers, so `result[0]`; a scalar is a
 * number; the web provider's value is whatever its jsonPath selects), with Argo's helper functions and
 * expr's builtins. The parser and evaluator are our own (expr-*.ts): a tree walk, never eval.
 *
 *   parseCondition("result[0] >= 0.95")            // syntax check, e.g. when a manifest is read
 *   evaluateCondition("result[0] >= 0.95", [0.99])  // true
 *   evaluateMeasurement([0.9], { successCondition: "result[0] >= 0.95" })  // { phase: "Failed" }
 */
import type { MeasurementPhase, MetricSpec } from "../types.ts";
import { argoFunctions, EXPR_BUILTINS } from "./expr-builtins.ts";
import { run } from "./expr-eval.ts";
import { ConditionSyntaxError } from "./expr-lexer.ts";
import { type Node, parseExpression } from "./expr-parser.ts";
import { ConditionEvaluationError, kindOf } from "./expr-values.ts";

export { ConditionSyntaxError } from "./expr-lexer.ts";
export { ConditionEvaluationError } from "./expr-values.ts";

/** Parsed conditions by source; a rollout has a handful, evaluated every interval. */
const parsed = new Map<string, Node>();
const CACHE_LIMIT = 500;

/**
 * Parses a condition. Throws ConditionSyntaxError, whose message names the line and column and shows the
 * source with a caret, when it is not valid expr (or uses expr syntax the local engine does not support).
 */
export function parseCondition(condition: string): Node {
  let node = parsed.get(condition);
  if (!node) {
    node = parseExpression(condition);
    if (parsed.size >= CACHE_LIMIT) parsed.clear();
    parsed.set(condition, node);
  }
  return node;
}

/**
 * Evaluates a condition against a measurement's `result`. Throws ConditionSyntaxError or
 * ConditionEvaluationError (unknown names, wrong types, index out of range, a non-bool outcome).
 */
export function evaluateCondition(condition: string, result: unknown): boolean {
  const node = parseCondition(condition);
  const value = result === undefined ? null : result;
  const outcome = run(
    node,
    { variables: { result: value }, functions: { ...EXPR_BUILTINS, ...argoFunctions(value) } },
    condition,
  );
  if (typeof outcome !== "boolean")
    throw new ConditionEvaluationError(`expected bool, but got ${kindOf(outcome)}`);
  return outcome;
}

export interface MeasurementVerdict {
  phase: MeasurementPhase;
  /** Why a measurement is an Error. */
  message?: string;
}

const isNilOrEmpty = (result: unknown) =>
  result === null || result === undefined || (Array.isArray(result) && result.length === 0);

function evaluationError(kind: string, condition: string, result: unknown, err: unknown): MeasurementVerdict {
  if (!(err instanceof ConditionSyntaxError || err instanceof ConditionEvaluationError)) throw err;
  const cause = isNilOrEmpty(result)
    ? "metric result is nil or empty: no data returned from the metric provider"
    : err instanceof ConditionSyntaxError
      ? err.brief
      : err.message;
  return { phase: "Error", message: `could not evaluate ${kind} "${condition}": ${cause}` };
}

/**
 * A measurement's phase from its result, as Argo's EvaluateResult decides it: with both conditions, Failed
 * if the failure condition holds, Successful if only the success condition does, Inconclusive if neither;
 * with only a success condition, Failed when it does not hold; with only a failure condition, Successful
 * when it does not hold; with neither, Successful. A condition that cannot be evaluated makes an Error.
 */
export function evaluateMeasurement(
  result: unknown,
  metric: Pick<MetricSpec, "successCondition" | "failureCondition">,
): MeasurementVerdict {
  const { successCondition, failureCondition } = metric;
  let success = false;
  let failure = false;
  if (successCondition) {
    try {
      success = evaluateCondition(successCondition, result);
    } catch (err) {
      return evaluationError("successCondition", successCondition, result, err);
    }
  }
  if (failureCondition) {
    try {
      failure = evaluateCondition(failureCondition, result);
    } catch (err) {
      return evaluationError("failureCondition", failureCondition, result, err);
    }
  }
  if (!successCondition && !failureCondition) return { phase: "Successful" };
  if (successCondition && !failureCondition) failure = !success;
  if (!successCondition && failureCondition) success = !failure;
  if (failure) return { phase: "Failed" };
  return { phase: success ? "Successful" : "Inconclusive" };
}
