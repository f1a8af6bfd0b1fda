/**
 * Kubernetes JSONPath templates (k8s.io/client-go/util/jsonpath), which Argo's web provider applies to a
 * JSON response: `{$.data.ok}`, `{.results[0].value}`, `{$.items[-1]}`, `{$.items[1:3]}`, `{$.items[*].v}`,
 * `{..value}`, `{$.items['key']}`, `{$.items[0,2]}`, `{$.items[?(@.name=="a")].value}`, `{$}`, and text
 * around them. `findResults` returns one list of values per text or `{…}` part, as client-go's FindResults
 * does, with its rules: a missing key is an error, a null is skipped, an index past the end is an error.
 * `{range}…{end}` (a kubectl output feature) is refused.
 */
import { fail, IntLiteral, type Param, type PathNode, TemplateParser } from "./json-path-parser.ts";

export { JsonPathError } from "./json-path-parser.ts";

const isNil = (value: unknown) => value === null || value === undefined;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof IntLiteral);
const kindName = (value: unknown) =>
  Array.isArray(value)
    ? "array"
    : isObject(value)
      ? "map"
      : value instanceof IntLiteral
        ? "int"
        : typeof value;

/** The children `*` and `..` visit: an object's values, an array's elements, a string's bytes. */
function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  if (typeof value === "string") return [...Buffer.from(value, "utf8")];
  return [];
}

function sliceArray(value: unknown[], [p0, p1, p2]: [Param, Param, Param]): unknown[] | "empty" {
  const length = value.length;
  let from = p0.known ? p0.value : 0;
  if (from < 0) from += length;
  let to = p1.known ? p1.value : length;
  if (to < 0 || (to === 0 && p1.derived)) to += length;
  if (from === to) return "empty";
  if (from >= length || from < 0) fail(`array index out of bounds: index ${from}, length ${length}`);
  if (to > length || to < 0) fail(`array index out of bounds: index ${to - 1}, length ${length}`);
  if (from > to) fail(`starting index ${from} is greater than ending index ${to}`);
  if (p2.known && p2.value <= 0) fail("step must be > 0");
  const step = p2.known ? p2.value : 1;
  return value.slice(from, to).filter((_, i) => i % step === 0);
}

/** client-go's template comparison: same kinds only (an int literal is not a JSON number), bools only for ==. */
function compareValues(operator: string, left: unknown, right: unknown): boolean {
  if (!["==", "!=", "<", ">", "<=", ">="].includes(operator))
    fail(`unrecognized filter operator ${operator}`);
  const kind = (v: unknown) =>
    v instanceof IntLiteral
      ? "int"
      : typeof v === "number"
        ? "float"
        : typeof v === "string"
          ? "string"
          : typeof v === "boolean"
            ? "bool"
            : "invalid";
  const [a, b] = [kind(left), kind(right)];
  if (a === "invalid" || b === "invalid") fail("invalid type for comparison");
  if (a !== b) fail("incompatible types for comparison");
  const plain = (v: unknown) => (v instanceof IntLiteral ? v.value : v) as number | string | boolean;
  const [x, y] = [plain(left), plain(right)];
  if (operator === "==") return x === y;
  if (operator === "!=") return x !== y;
  if (a === "bool") fail("invalid type for comparison");
  if (operator === "<") return x < y;
  if (operator === ">") return x > y;
  if (operator === "<=") return x <= y;
  return x >= y;
}

function walk(input: unknown[], node: PathNode): unknown[] {
  switch (node.type) {
    case "list":
      return node.nodes.reduce<unknown[]>((values, child) => walk(values, child), input);
    case "text":
      return [node.text];
    case "literal":
      return input.map(() => node.value);
    case "identifier":
      return fail(`unrecognized identifier ${node.name}`);
    case "field": {
      const results = input
        .filter((v) => isObject(v) && Object.hasOwn(v, node.name))
        .map((v) => (v as Record<string, unknown>)[node.name]);
      if (results.length === 0 && input.length > 0) fail(`${node.name} is not found`);
      return results;
    }
    case "wildcard":
      return input.filter((v) => !isNil(v)).flatMap(children);
    case "recursive": {
      const results: unknown[] = [];
      const visit = (value: unknown) => {
        const inner = isNil(value) ? [] : children(value);
        if (inner.length === 0) return;
        results.push(value);
        inner.forEach(visit);
      };
      input.forEach(visit);
      return results;
    }
    case "array": {
      const results: unknown[] = [];
      for (const value of input) {
        if (isNil(value)) continue;
        if (!Array.isArray(value)) fail(`${kindName(value)} is not array or slice`);
        const selected = sliceArray(value as unknown[], node.params);
        if (selected === "empty") return results;
        results.push(...selected);
      }
      return results;
    }
    case "union":
      return node.lists.flatMap((list) => walk(input, list));
    case "filter":
      return input.flatMap((value) => {
        if (!Array.isArray(value))
          return fail(`${kindName(value)} is not array or slice and cannot be filtered`);
        return value.filter((item) => {
          if (node.operator === "exists") {
            try {
              return walk([item], node.left).length > 0;
            } catch {
              return false;
            }
          }
          const lefts = walk([item], node.left);
          if (lefts.length === 0) return false;
          const rights = walk([item], node.right);
          if (rights.length === 0) return false;
          if (lefts.length > 1 || rights.length > 1) fail("can only compare one element at a time");
          return compareValues(node.operator, lefts[0], rights[0]);
        });
      });
  }
}

export interface JsonPath {
  template: string;
  /** One list of values per part of the template (text or `{…}`), as client-go's FindResults. */
  findResults(data: unknown): unknown[][];
}

/** Parses a JSONPath template; throws JsonPathError when it is malformed. */
export function parseJsonPath(template: string): JsonPath {
  const root = new TemplateParser(template).parse();
  return {
    template,
    findResults: (data) =>
      root.nodes.map((node) => walk([data], node).map((v) => (v instanceof IntLiteral ? v.value : v))),
  };
}
