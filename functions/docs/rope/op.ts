/**
 * The op format the rope applies, ot-text-unicode's: a list of components walking the document from its
 * start. A positive integer skips that many code points, a non-empty string inserts it, `{d: N}` deletes
 * N code points and `{d: "text"}` deletes exactly that text. What is left after the last component is kept.
 * (functions/docs/ot/ owns the type, transform, compose and the rest; this is only what applying needs,
 * checked against the document the rope holds — bounds and `{d: "text"}` matches — before any edit.)
 */
import { countCodePoints, isWellFormed, RopeError } from "./text.ts";

// One op type for the whole service: the OT module defines it.
export type { Component as TextOpComponent, TextOp } from "../ot/index.ts";

const EXCERPT = 40;

function describe(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
}

function fail(index: number, component: unknown, problem: string): never {
  throw new RopeError(`op component ${index} (${describe(component)}): ${problem}`);
}

function checkString(index: number, component: unknown, text: string, what: string): void {
  if (text.length === 0) fail(index, component, `${what} must not be empty`);
  if (!isWellFormed(text)) fail(index, component, `${what} is not well-formed UTF-16 (lone surrogate)`);
}

/**
 * Throws a RopeError unless `op` applies to a document of `length` code points whose text `read(pos,
 * count)` returns: components well-formed, nothing skipped or deleted past the end, and every
 * `{d: "text"}` matching the document. Positions count in the document before the op.
 */
export function checkOp(op: unknown, length: number, read: (pos: number, count: number) => string): void {
  if (!Array.isArray(op)) throw new RopeError(`op must be an array of components, got ${describe(op)}`);
  let pos = 0;
  for (let index = 0; index < op.length; index++) {
    const component: unknown = op[index];
    if (typeof component === "string") {
      checkString(index, component, component, "an insert");
      continue;
    }
    let count: number;
    let expected: string | null = null;
    if (typeof component === "number") {
      if (!Number.isInteger(component) || component <= 0)
        fail(index, component, "a skip must be a positive integer");
      count = component;
    } else if (typeof component === "object" && component !== null && "d" in component) {
      const d: unknown = component.d;
      if (typeof d === "number") {
        if (!Number.isInteger(d) || d <= 0)
          fail(index, component, "a delete count must be a positive integer");
        count = d;
      } else if (typeof d === "string") {
        checkString(index, component, d, "deleted text");
        count = countCodePoints(d);
        expected = d;
      } else fail(index, component, "d must be a positive integer or a non-empty string");
    } else fail(index, component, "expected a number (skip), a string (insert) or {d} (delete)");
    if (pos + count > length)
      fail(index, component, `reaches ${pos + count}, past the end of the document (length ${length})`);
    if (expected !== null) {
      const actual = read(pos, count);
      if (actual !== expected)
        fail(index, component, `the document has ${describe(actual)} at ${pos}, not the text to delete`);
    }
    pos += count;
  }
}
