import { OpBuilder } from "./builder.ts";
import {
  type Component,
  type ComponentKind,
  describeValue,
  loneSurrogateIndex,
  OpError,
  type TextOp,
} from "./components.ts";

/**
 * Checks that `op` is a well-formed op and returns its canonical form (see OpBuilder). An op that is
 * already canonical is returned as is, without a copy: ops are treated as immutable values.
 * Throws OpError naming the first bad component.
 */
export function normalize(op: unknown): TextOp {
  if (!Array.isArray(op)) throw new OpError(`An op must be an array of components, got ${describeValue(op)}`);
  let canonical = true;
  let previous: ComponentKind | undefined;
  for (let i = 0; i < op.length; i++) {
    const kind = checkComponent(op[i], i);
    if (kind === previous) canonical = false;
    previous = kind;
  }
  if (previous === "skip") canonical = false;
  if (canonical) return op as TextOp;
  const builder = new OpBuilder();
  for (const component of op as TextOp) builder.push(component);
  return builder.finish();
}

/** True when `op` is well formed and canonical, i.e. `normalize(op)` would return it unchanged. */
export function isCanonical(op: unknown): boolean {
  try {
    return normalize(op) === op;
  } catch {
    return false;
  }
}

/** True when the op changes nothing. */
export const isNoop = (op: TextOp): boolean => normalize(op).length === 0;

function checkComponent(component: unknown, index: number): ComponentKind {
  const where = `Op component ${index}`;
  switch (typeof component) {
    case "number":
      if (!isPositiveInteger(component)) {
        throw new OpError(`${where}: a skip must be a positive integer, got ${describeValue(component)}`);
      }
      return "skip";
    case "string":
      checkText(component, `${where}: an insert`);
      return "insert";
    case "object":
      if (component !== null && !Array.isArray(component)) {
        checkDelete(component, where);
        return "delete";
      }
  }
  throw new OpError(
    `${where} must be a number (skip), a string (insert) or {d: …} (delete), got ${describeValue(component)}`,
  );
}

function checkDelete(component: object, where: string): void {
  const keys = Object.keys(component);
  if (keys.length !== 1 || keys[0] !== "d") {
    throw new OpError(`${where}: a delete must have exactly one key, "d", got ${describeValue(component)}`);
  }
  const deleted = (component as Component & { d: unknown }).d;
  if (typeof deleted === "string") checkText(deleted, `${where}: a delete's text`);
  else if (typeof deleted !== "number" || !isPositiveInteger(deleted)) {
    throw new OpError(
      `${where}: a delete's "d" must be a positive integer or a non-empty string, got ${describeValue(deleted)}`,
    );
  }
}

function checkText(text: string, what: string): void {
  if (text === "") throw new OpError(`${what} must not be empty`);
  const lone = loneSurrogateIndex(text);
  if (lone >= 0) {
    const unit = text.charCodeAt(lone).toString(16).toUpperCase();
    throw new OpError(`${what} has a lone surrogate U+${unit} at UTF-16 index ${lone}`);
  }
}

const isPositiveInteger = (value: number) => Number.isSafeInteger(value) && value > 0;
