/**
 * Evaluates a parsed expr condition with expr's semantics (expr-values.ts): operators, optional chains,
 * function calls, and the predicate builtins (all, any, none, one, filter, map, count, sum, find…) that run
 * `#`/`.field` predicates over an array. Nothing is executed but this tree walk: no eval, no Function.
 */
import { locate } from "./expr-lexer.ts";
import type { Node } from "./expr-parser.ts";
import {
  bool,
  compare,
  deepEqual,
  type Environment,
  fail,
  fetchMember,
  kindOf,
  membership,
  numbers,
  slice,
  strings,
} from "./expr-values.ts";

/** Thrown inside an optional chain (`a?.b.c`) when a link is nil; the chain then yields nil. */
const NIL_CHAIN = Symbol("nil chain");

interface Scope {
  env: Environment;
  source: string;
  /** The elements predicates are visiting, innermost last. */
  pointers: { value: unknown; index: number }[];
}

function binary(node: Extract<Node, { type: "binary" }>, scope: Scope): unknown {
  const { operator } = node;
  const left = evaluate(node.left, scope);
  if (operator === "&&" || operator === "and") {
    return bool(left, operator) ? bool(evaluate(node.right, scope), operator) : false;
  }
  if (operator === "||" || operator === "or") {
    return bool(left, operator) ? true : bool(evaluate(node.right, scope), operator);
  }
  if (operator === "??") return left === null || left === undefined ? evaluate(node.right, scope) : left;
  const right = evaluate(node.right, scope);
  switch (operator) {
    case "==":
      return deepEqual(left, right);
    case "!=":
      return !deepEqual(left, right);
    case "<":
    case ">":
    case "<=":
    case ">=":
      return compare(operator, left, right);
    case "in":
      return membership(left, right);
    case "contains":
      return strings(operator, left, right)[0].includes(right as string);
    case "startsWith":
      return strings(operator, left, right)[0].startsWith(right as string);
    case "endsWith":
      return strings(operator, left, right)[0].endsWith(right as string);
    case "matches": {
      const [text, pattern] = strings(operator, left, right);
      try {
        return new RegExp(pattern, "u").test(text);
      } catch (err) {
        return fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
      }
    }
    case "+":
      if (typeof left === "string" && typeof right === "string") return left + right;
      return numbers(operator, left, right).reduce((x, y) => x + y);
    case "-":
      return numbers(operator, left, right).reduce((x, y) => x - y);
    case "*":
      return numbers(operator, left, right).reduce((x, y) => x * y);
    case "/":
      return numbers(operator, left, right).reduce((x, y) => x / y);
    case "%": {
      const [x, y] = numbers(operator, left, right);
      if (!Number.isInteger(x) || !Number.isInteger(y))
        fail(`invalid operation: % needs integers, got ${x} % ${y}`);
      if (y === 0) fail("integer divide by zero");
      return x % y;
    }
    case "**":
    case "^":
      return numbers(operator, left, right).reduce((x, y) => x ** y);
    case "..": {
      const [from, to] = numbers(operator, left, right).map(Math.trunc) as [number, number];
      if (to - from > 1_000_000) fail(`range ${from}..${to} is too large`);
      return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    }
  }
  return fail(`unknown operator ${operator}`);
}

export function evaluate(node: Node, scope: Scope): unknown {
  switch (node.type) {
    case "literal":
      return node.value;
    case "identifier":
      return scope.env.variables[node.name] ?? null;
    case "pointer": {
      const pointer = scope.pointers[scope.pointers.length - 1]!;
      return node.name === "index" ? pointer.index : pointer.value;
    }
    case "member": {
      const object = evaluate(node.object, scope);
      if (node.optional && (object === null || object === undefined)) throw NIL_CHAIN;
      return fetchMember(object, evaluate(node.property, scope));
    }
    case "chain":
      try {
        return evaluate(node.node, scope);
      } catch (err) {
        if (err === NIL_CHAIN) return null;
        throw err;
      }
    case "slice":
      return slice(
        evaluate(node.object, scope),
        node.from && evaluate(node.from, scope),
        node.to && evaluate(node.to, scope),
      );
    case "unary": {
      const value = evaluate(node.operand, scope);
      if (node.operator === "!" || node.operator === "not") return !bool(value, node.operator);
      if (typeof value !== "number") fail(`invalid operation: ${node.operator}${kindOf(value)}`);
      return node.operator === "-" ? -(value as number) : value;
    }
    case "binary":
      return binary(node, scope);
    case "conditional":
      return bool(evaluate(node.test, scope), "?: condition")
        ? evaluate(node.consequent, scope)
        : evaluate(node.alternate, scope);
    case "array":
      return node.items.map((item) => evaluate(item, scope));
    case "call":
      return call(node, scope);
    case "predicate":
      return fail("a predicate is only allowed as a builtin's argument");
  }
}

/** Runs a predicate (`# > 1`, `{.ok}`) on each element of an array, lazily. */
function eachElement(node: Extract<Node, { type: "call" }>, scope: Scope) {
  const items = evaluate(node.args[0]!, scope);
  if (!Array.isArray(items)) fail(`${node.name}() needs an array, got ${kindOf(items)}`);
  const predicate = node.args[1] as Extract<Node, { type: "predicate" }> | undefined;
  const apply = (value: unknown, index: number): unknown => {
    if (!predicate) return value;
    scope.pointers.push({ value, index });
    try {
      return evaluate(predicate.body, scope);
    } finally {
      scope.pointers.pop();
    }
  };
  const test = (value: unknown, index: number) => bool(apply(value, index), `${node.name}() predicate`);
  return { items: items as unknown[], apply, test };
}

const PREDICATES: Record<string, (node: Extract<Node, { type: "call" }>, scope: Scope) => unknown> = {
  all: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.every(test);
  },
  any: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.some(test);
  },
  none: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return !items.some(test);
  },
  one: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.filter(test).length === 1;
  },
  filter: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.filter(test);
  },
  map: (node, scope) => {
    const { items, apply } = eachElement(node, scope);
    return items.map(apply);
  },
  count: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.filter(test).length;
  },
  sum: (node, scope) => {
    const { items, apply } = eachElement(node, scope);
    return items.map(apply).reduce<number>((total, value) => total + numbers("+", total, value)[1], 0);
  },
  find: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.find(test) ?? null;
  },
  findIndex: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.findIndex(test);
  },
  findLast: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.findLast(test) ?? null;
  },
  findLastIndex: (node, scope) => {
    const { items, test } = eachElement(node, scope);
    return items.findLastIndex(test);
  },
};

function call(node: Extract<Node, { type: "call" }>, scope: Scope): unknown {
  if (Object.hasOwn(PREDICATES, node.name)) return PREDICATES[node.name]!(node, scope);
  const builtin = scope.env.functions[node.name]!;
  return builtin.call(node.args.map((arg) => evaluate(arg, scope)));
}

/**
 * What expr's compiler checks before running: every name is a variable of the environment, every call a
 * known function with a fitting number of arguments. Errors carry the position, as expr's do.
 */
export function check(node: Node, env: Environment, source: string): void {
  const error = (pos: number, reason: string) => fail(locate(source, pos, reason).brief);
  const visit = (n: Node | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case "identifier":
        if (!Object.hasOwn(env.variables, n.name)) error(n.pos, `unknown name ${n.name}`);
        return;
      case "call": {
        if (Object.hasOwn(PREDICATES, n.name)) break;
        if (!Object.hasOwn(env.functions, n.name)) {
          error(n.pos, `${n.name}() is not a function the local engine knows (unknown func ${n.name})`);
        }
        const { min, max } = env.functions[n.name]!;
        if (n.args.length < min || n.args.length > max) {
          const expected =
            min === max
              ? `${min}`
              : max === Number.POSITIVE_INFINITY
                ? `at least ${min}`
                : `${min} to ${max}`;
          error(
            n.pos,
            `invalid number of arguments for ${n.name} (expected ${expected}, got ${n.args.length})`,
          );
        }
        break;
      }
    }
    for (const child of Object.values(n)) {
      if (Array.isArray(child)) for (const c of child) visit(c as Node);
      else if (typeof child === "object" && child !== null) visit(child as Node);
    }
  };
  visit(node);
}

export function run(node: Node, env: Environment, source: string): unknown {
  check(node, env, source);
  return evaluate(node, { env, source, pointers: [] });
}
