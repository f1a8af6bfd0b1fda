/**
 * The values conditions work on (numbers, strings, booleans, nil, arrays, JSON objects) and expr's runtime
 * rules for them: numbers compare across int and float, `==` is deep, `&&`/`||` and `!` want booleans, a
 * missing map key is nil, fetching from nil or past an array's end is an error, negative indexes count from
 * the end. Member access reads own properties only, never a prototype.
 */

/** A runtime error (Argo turns it into a measurement Error). */
export class ConditionEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConditionEvaluationError";
  }
}

export type Builtin = { min: number; max: number; call: (args: unknown[]) => unknown };

export interface Environment {
  variables: Record<string, unknown>;
  functions: Record<string, Builtin>;
}

export const fail = (message: string): never => {
  throw new ConditionEvaluationError(message);
};

export type MapValue = Record<string, unknown>;
export const isMap = (value: unknown): value is MapValue =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The kind of a value, in the words errors use. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "map";
  return typeof value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return a === b;
}

export function compare(operator: string, a: unknown, b: unknown): boolean {
  const comparable =
    (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
  if (!comparable) fail(`invalid operation: ${kindOf(a)} ${operator} ${kindOf(b)}`);
  const [x, y] = [a as number | string, b as number | string];
  return operator === "<" ? x < y : operator === ">" ? x > y : operator === "<=" ? x <= y : x >= y;
}

export function numbers(operator: string, a: unknown, b: unknown): [number, number] {
  if (typeof a !== "number" || typeof b !== "number")
    fail(`invalid operation: ${kindOf(a)} ${operator} ${kindOf(b)}`);
  return [a as number, b as number];
}

export function strings(operator: string, a: unknown, b: unknown): [string, string] {
  if (typeof a !== "string" || typeof b !== "string")
    fail(`invalid operation: ${kindOf(a)} ${operator} ${kindOf(b)}`);
  return [a as string, b as string];
}

export function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") fail(`invalid operation: ${what} (${kindOf(value)} is not a bool)`);
  return value as boolean;
}

/** expr's Fetch: an array or string index (negative from the end), or a map key. */
export function fetchMember(from: unknown, key: unknown): unknown {
  if (Array.isArray(from) || typeof from === "string") {
    if (typeof key !== "number") fail(`cannot fetch ${String(key)} from ${kindOf(from)}`);
    const length = from.length;
    let index = Math.trunc(key as number);
    if (index < 0) index += length;
    if (!(index >= 0 && index < length)) fail(`index out of range: ${index} (array length is ${length})`);
    return typeof from === "string" ? from.charCodeAt(index) : from[index];
  }
  if (isMap(from)) {
    if (typeof key !== "string")
      fail(`cannot fetch ${String(key)} (${kindOf(key)}) from map: keys are strings`);
    return Object.hasOwn(from, key as string) ? from[key as string] : null;
  }
  return fail(`cannot fetch ${String(key)} from ${kindOf(from)}`);
}

export function slice(from: unknown, start: unknown, end: unknown): unknown {
  if (!Array.isArray(from) && typeof from !== "string") return fail(`cannot slice ${kindOf(from)}`);
  const length = from.length;
  const bound = (value: unknown, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number") fail(`invalid operation: slice index is ${kindOf(value)}`);
    const n = Math.trunc(value as number);
    return Math.min(Math.max(n < 0 ? length + n : n, 0), length);
  };
  const to = bound(end, length);
  return from.slice(Math.min(bound(start, 0), to), to);
}

export function membership(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  if (Array.isArray(haystack)) return haystack.some((item) => deepEqual(item, needle));
  if (isMap(haystack)) return typeof needle === "string" && Object.hasOwn(haystack, needle);
  return fail(`operator "in" not defined on ${kindOf(haystack)}`);
}
