import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { evaluateCondition, evaluateMeasurement, parseCondition } from "./condition.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const ARGO = resolve(ROOT, process.env.CANARY_SHARED ?? "../shared", "conformance/argo-rollouts");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every successCondition / failureCondition in the YAML documents of Argo's examples and docs. */
function argoConditions(): { file: string; key: string; condition: string }[] {
  const found: { file: string; key: string; condition: string }[] = [];
  const visit = (file: string, node: unknown) => {
    if (Array.isArray(node)) for (const item of node) visit(file, item);
    else if (typeof node === "object" && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if ((key === "successCondition" || key === "failureCondition") && typeof value === "string") {
          found.push({ file: file.slice(ARGO.length + 1), key, condition: value });
        } else visit(file, value);
      }
    }
  };
  for (const file of filesUnder(ARGO).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) visit(file, doc.toJS());
  }
  return found;
}

const skipArgo = !existsSync(ARGO) && process.env.CI !== "true";
if (skipArgo) console.warn(`\n!!! SKIPPING Argo's conditions: ${ARGO} is missing (set CANARY_SHARED)\n`);

describe.skipIf(skipArgo)("the conditions in Argo's examples and docs", () => {
  it("all parse", () => {
    const conditions = argoConditions();
    expect(conditions.length).toBeGreaterThan(0);
    for (const { file, key, condition } of conditions) {
      expect(() => parseCondition(condition), `${file} ${key}: ${condition}`).not.toThrow();
    }
  });

  it("decide as Argo would on a value that meets them and one that does not", () => {
    const found = argoConditions().find((c) => c.condition === "result == 'It worked!'");
    expect(found?.file).toBe("examples/rollout-secret.yaml");
    expect(evaluateCondition(found!.condition, "It worked!")).toBe(true);
    expect(evaluateCondition(found!.condition, "It failed")).toBe(false);
  });
});

/** Conditions from Argo's analysis docs (docs/analysis/*.md), with results their providers would give. */
const DOCUMENTED: [string, unknown, boolean][] = [
  ["result[0] >= 0.95", [0.97], true],
  ["result[0] >= 0.95", [0.9], false],
  ["result[0] <= 0.01", [0.01], true],
  ["result[0] < 0.50", [0.5], false],
  ["result[0] >= 10", [10], true],
  ["result >= 0.95", 0.96, true],
  ["result <= 0.01", 0.02, false],
  ["result < 0.95", 0.5, true],
  ["isNaN(result) || result >= 0.95", Number.NaN, true],
  ["isNaN(result) || result >= 0.95", 0.5, false],
  ["isInf(result)", Number.POSITIVE_INFINITY, true],
  ["isInf(result)", Number.NEGATIVE_INFINITY, true],
  ["isInf(result)", 1e308, false],
  ["len(result) == 0 || result[0] >= 0.95", [], true],
  ["len(result) > 0 && result[0] >= 0.95", [], false],
  ["len(result) > 0 && result[0] >= 0.95", [0.99], true],
  ["default(result, 0) < 0.05", null, true],
  ["default(result, 0) < 5", 7, false],
  ["default(result, 0) > 3", 4, true],
  ["max(result) < 0.05", [0.01, 0.04], true],
  ["max(result) < 0.05", [0.01, 0.06], false],
  ["all(result, # < 1000)", [1, 999], true],
  ["all(result, # < 1000)", [1, 1000], false],
  ["all(result, # < 1000)", [], true],
  [
    "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
    { service_apdex: { values: { values: [{ value: "9950" }, { value: 9901 }] } } },
    true,
  ],
  [
    "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
    { service_apdex: { values: { values: [{ value: "9899.5" }] } } },
    false,
  ],
  [
    "len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})",
    [{ Values: [0, 0, 0.01, 0, 0] }],
    true,
  ],
  ["len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})", [{ Values: [0, 0, 0, 0] }], false],
  ["result.ok && result.successPercent >= 0.90", { ok: true, successPercent: 0.95 }, true],
  ["result.ok && result.successPercent >= 0.90", { ok: false, successPercent: 0.95 }, false],
  ["result.successRate >= 0.95", { successRate: 0.95 }, true],
  ["result == true", true, true],
  ["result == 'true'", true, false],
  ['result == "I am OK"', "I am OK", true],
  ["result == ''", "", true],
];

describe("evaluateCondition", () => {
  it.each(DOCUMENTED)("Argo's docs: %s with %j is %s", (condition, result, expected) => {
    expect(evaluateCondition(condition, result)).toBe(expected);
  });

  it("reads own properties only: nothing from a prototype, nothing to call", () => {
    expect(evaluateCondition("result.constructor == nil && result.__proto__ == nil", {})).toBe(true);
    expect(evaluateCondition("result.toString == nil", { a: 1 })).toBe(true);
  });

  it("sees `result` as nil when the provider gave undefined, and isNil/default follow Argo (they ignore their argument)", () => {
    expect(evaluateCondition("isNil(0) && default(1, 2) == 2", undefined)).toBe(true);
    expect(evaluateCondition("isNil(nil)", [])).toBe(false);
    expect(evaluateCondition("default(nil, 9) == [0.5]", [0.5])).toBe(true);
  });
});

describe("evaluateMeasurement (Argo's EvaluateResult)", () => {
  const ok = "result[0] >= 0.95";
  const bad = "result[0] < 0.5";
  it.each<[string | undefined, string | undefined, number, string]>([
    [undefined, undefined, 0.1, "Successful"],
    [ok, undefined, 0.99, "Successful"],
    [ok, undefined, 0.7, "Failed"],
    [undefined, bad, 0.7, "Successful"],
    [undefined, bad, 0.1, "Failed"],
    [ok, bad, 0.99, "Successful"],
    [ok, bad, 0.1, "Failed"],
    [ok, bad, 0.7, "Inconclusive"],
    // both hold: failure wins
    ["result[0] > 0", "result[0] > 0", 0.7, "Failed"],
  ])("success %s, failure %s, result [%d] → %s", (successCondition, failureCondition, value, phase) => {
    expect(evaluateMeasurement([value], { successCondition, failureCondition })).toEqual({ phase });
  });

  it("is an Error, naming the condition, when a condition cannot be evaluated", () => {
    expect(evaluateMeasurement([1], { successCondition: "result > 1" })).toEqual({
      phase: "Error",
      message: 'could not evaluate successCondition "result > 1": invalid operation: array > number',
    });
    expect(
      evaluateMeasurement([1], { successCondition: "result[0] > 0", failureCondition: "result[0] >" }),
    ).toEqual({
      phase: "Error",
      message: 'could not evaluate failureCondition "result[0] >": unexpected end of expression (1:12)',
    });
  });

  it("says there was no data when the result is nil or an empty vector, as Argo does", () => {
    const noData = "metric result is nil or empty: no data returned from the metric provider";
    expect(evaluateMeasurement([], { successCondition: ok })).toEqual({
      phase: "Error",
      message: `could not evaluate successCondition "${ok}": ${noData}`,
    });
    expect(evaluateMeasurement(null, { failureCondition: "result > 1" }).message).toContain(noData);
    // A condition written for an empty result decides normally.
    expect(evaluateMeasurement([], { successCondition: "len(result) == 0 || result[0] >= 0.95" })).toEqual({
      phase: "Successful",
    });
  });

  it("rethrows what is not a condition error (a bug, not a measurement)", () => {
    const hostile = [1];
    Object.defineProperty(hostile, 0, {
      get() {
        throw new TypeError("boom");
      },
    });
    expect(() => evaluateMeasurement(hostile, { successCondition: "result[0] > 0" })).toThrow(TypeError);
  });
});
