/**
 * The functions a condition can call: expr's builtins that conditions use (len, max, min, mean, median,
 * abs, ceil, floor, round, int, float, string, upper, lower, trim, first, last, keys, values; the predicate
 * builtins all/any/… live in expr-eval.ts) and the ones Argo adds (asInt, asFloat, isNaN, isInf, isNil,
 * default), with Argo's quirks: isNil and default look at `result` whatever their first argument is.
 */
import { type Builtin, ConditionEvaluationError, isMap, kindOf } from "./expr-values.ts";

const fail = (message: string): never => {
  throw new ConditionEvaluationError(message);
};

const fn = (min: number, max: number, call: (args: unknown[]) => unknown): Builtin => ({ min, max, call });

/** Go's strconv.ParseFloat: decimal or exponent notation, inf/infinity and nan in any case. */
function parseGoFloat(text: string): number {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  return fail(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function parseGoInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) fail(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function number(name: string, value: unknown): number {
  if (typeof value !== "number") fail(`invalid argument for ${name} (type ${kindOf(value)})`);
  return value as number;
}

function text(name: string, value: unknown): string {
  if (typeof value !== "string") fail(`invalid argument for ${name} (type ${kindOf(value)})`);
  return value as string;
}

/** The numbers in the arguments, arrays flattened, as expr's max/min/mean/median take them. */
function flattenNumbers(name: string, args: unknown[]): number[] {
  const out: number[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else out.push(number(name, value));
  };
  args.forEach(visit);
  return out;
}

function extreme(name: string, pick: (a: number, b: number) => boolean) {
  return fn(1, Number.POSITIVE_INFINITY, (args) => {
    // expr hands back a single argument that is neither a number nor an array unchanged.
    if (args.length === 1 && !Array.isArray(args[0]) && typeof args[0] !== "number") return args[0];
    const values = flattenNumbers(name, args);
    if (values.length === 0) return null;
    return values.reduce((best, value) => (pick(best, value) ? value : best));
  });
}

/** Go's %v, roughly: what string() makes of a value. */
function goString(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goString).join(" ")}]`;
  if (isMap(value)) {
    const pairs = Object.keys(value)
      .sort()
      .map((key) => `${key}:${goString(value[key])}`);
    return `map[${pairs.join(" ")}]`;
  }
  return String(value);
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

export const EXPR_BUILTINS: Record<string, Builtin> = {
  len: fn(1, 1, ([value]) => {
    if (typeof value === "string") return Buffer.byteLength(value, "utf8");
    if (Array.isArray(value)) return value.length;
    if (isMap(value)) return Object.keys(value).length;
    return fail(`invalid argument for len (type ${kindOf(value)})`);
  }),
  abs: fn(1, 1, ([value]) => Math.abs(number("abs", value))),
  ceil: fn(1, 1, ([value]) => Math.ceil(number("ceil", value))),
  floor: fn(1, 1, ([value]) => Math.floor(number("floor", value))),
  round: fn(1, 1, ([value]) => roundHalfAway(number("round", value))),
  int: fn(1, 1, ([value]) =>
    typeof value === "string" ? parseGoInt(value) : Math.trunc(number("int", value)),
  ),
  float: fn(1, 1, ([value]) => (typeof value === "string" ? parseGoFloat(value) : number("float", value))),
  string: fn(1, 1, ([value]) => goString(value)),
  upper: fn(1, 1, ([value]) => text("upper", value).toUpperCase()),
  lower: fn(1, 1, ([value]) => text("lower", value).toLowerCase()),
  trim: fn(1, 2, ([value, chars]) => {
    const s = text("trim", value);
    if (chars === undefined) return s.trim();
    const set = new Set(text("trim", chars));
    let [start, end] = [0, s.length];
    while (start < end && set.has(s[start]!)) start++;
    while (end > start && set.has(s[end - 1]!)) end--;
    return s.slice(start, end);
  }),
  max: extreme("max", (best, value) => value > best),
  min: extreme("min", (best, value) => value < best),
  mean: fn(1, Number.POSITIVE_INFINITY, (args) => {
    const values = flattenNumbers("mean", args);
    return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  }),
  median: fn(1, Number.POSITIVE_INFINITY, (args) => {
    const values = flattenNumbers("median", args).sort((a, b) => a - b);
    if (values.length === 0) return 0;
    const middle = Math.floor(values.length / 2);
    return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  }),
  first: fn(1, 1, ([value]) => (Array.isArray(value) ? (value[0] ?? null) : null)),
  last: fn(1, 1, ([value]) => (Array.isArray(value) ? (value[value.length - 1] ?? null) : null)),
  keys: fn(1, 1, ([value]) =>
    isMap(value) ? Object.keys(value) : fail(`cannot get keys from ${kindOf(value)}`),
  ),
  values: fn(1, 1, ([value]) =>
    isMap(value) ? Object.values(value) : fail(`cannot get values from ${kindOf(value)}`),
  ),
};

function asNumber(
  name: string,
  value: unknown,
  parse: (s: string) => number,
  convert: (n: number) => number,
) {
  if (typeof value === "number") return convert(value);
  if (typeof value === "string") return parse(value);
  return fail(`${name}() not supported on ${kindOf(value)} ${goString(value)}`);
}

function floatArgument(name: string, value: unknown): number {
  if (typeof value !== "number")
    fail(`cannot use ${kindOf(value)} as argument (type float64) to call ${name}`);
  return value as number;
}

/** The functions Argo's evaluate.go puts in the environment next to `result`. */
export function argoFunctions(result: unknown): Record<string, Builtin> {
  const resultIsNil = result === null || result === undefined;
  return {
    asInt: fn(1, 1, ([value]) => asNumber("asInt", value, parseGoInt, Math.trunc)),
    asFloat: fn(1, 1, ([value]) => asNumber("asFloat", value, parseGoFloat, (n) => n)),
    isNaN: fn(1, 1, ([value]) => Number.isNaN(floatArgument("isNaN", value))),
    isInf: fn(1, 1, ([value]) => {
      const n = floatArgument("isInf", value);
      return n === Infinity || n === -Infinity;
    }),
    // Argo's isNil and default ignore their argument and look at the provider's result.
    isNil: fn(1, 1, () => resultIsNil),
    default: fn(2, 2, ([, fallback]) => (resultIsNil ? fallback : result)),
  };
}
