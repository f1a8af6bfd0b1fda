/**
 * The op format the rope applies, ot-text-unicode's: a list of components walking the document from its
 * start. A positive integer skips that many code points, a non-empty string inserts it, `{d: N}` deletes
 * N code points and `{d: "text"}` deletes exactly that text. What is left after the last component is kept.
 * (functions/docs/ot/ owns the type, transform, compose and the rest; this is only what applying needs,
 * checked against the document the rope holds — bounds and `{d: "text"}` matches — before any edit.)
 */
import { normalize, type OpError, type TextOp } from "../ot/index.ts";
import { countCodePoints, RopeError } from "./text.ts";

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

/**
 * Throws a RopeError unless `op` applies to a document of `length` code points whose text `read(pos,
 * count)` returns. The op's shape is checked by the OT module's `normalize` (one validator for the whole
 * service); this adds what only the document can tell: nothing skipped or deleted past the end (a trailing
 * skip included), and every `{d: "text"}` matching the document. Positions count in the document before
 * the op.
 */
export function checkOp(op: unknown, length: number, read: (pos: number, count: number) => string): void {
  try {
    normalize(op);
  } catch (error) {
    throw new RopeError((error as OpError).message); // normalize throws only OpError
  }
  let pos = 0;
  for (const [index, component] of (op as TextOp).entries()) {
    if (typeof component === "string") continue;
    const expected = typeof component === "number" || typeof component.d === "number" ? null : component.d;
    const count =
      typeof component === "number"
        ? component
        : expected === null
          ? (component.d as number)
          : countCodePoints(expected);
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
