import { OpBuilder } from "./builder.ts";
import { advanceCodePoints, codePointLength, OpError, type TextOp } from "./components.ts";
import { normalize } from "./normalize.ts";

/**
 * Reads the document an op applies to: the text from code point `start` up to (not including) `end`.
 * A rope passes its own slice so inverting costs O(op · log n) instead of O(document).
 */
export type DocumentSlice = (start: number, end: number) => string;

/**
 * The op that undoes `op`: `apply(apply(doc, op), invert(op, doc)) === doc`. `doc` is the document `op`
 * applies to; it is read only for counted deletes (`{d: N}`), so an op whose deletes all carry their text
 * (see makeInvertible) inverts without it. The result always carries its deleted text.
 * Throws OpError when a `{d: N}` needs a document that is missing or too short.
 */
export function invert(op: TextOp, doc?: string | DocumentSlice): TextOp {
  // With every delete carrying its text, inverting is a swap: inserts become deletes and back.
  const carried = doc === undefined ? requireCarriedText(normalize(op)) : makeInvertible(op, doc);
  const out = new OpBuilder();
  for (const component of carried) {
    if (typeof component === "number") out.skip(component);
    else if (typeof component === "string") out.delete(component);
    else out.insert(component.d as string);
  }
  return out.finish();
}

function requireCarriedText(op: TextOp): TextOp {
  for (const component of op) {
    if (typeof component === "object" && typeof component.d === "number") {
      throw new OpError("invert needs the document: the op has a {d: N} delete that does not carry its text");
    }
  }
  return op;
}

/** `op` with every `{d: N}` replaced by `{d: "the text it deletes"}`, read from `doc`. */
export function makeInvertible(op: TextOp, doc: string | DocumentSlice): TextOp {
  const readDeleted = deletedTextReader(doc);
  const out = new OpBuilder();
  let position = 0;
  for (const component of normalize(op)) {
    if (typeof component === "number") {
      out.skip(component);
      position += component;
    } else if (typeof component === "string") {
      out.insert(component);
    } else {
      const count = typeof component.d === "number" ? component.d : codePointLength(component.d);
      out.delete(typeof component.d === "number" ? readDeleted(position, count) : component.d, count);
      position += count;
    }
  }
  return out.finish();
}

function deletedTextReader(doc: string | DocumentSlice): (start: number, count: number) => string {
  const slice = typeof doc === "string" ? sequentialSlice(doc) : doc;
  return (start, count) => {
    const text = slice(start, start + count);
    if (codePointLength(text) !== count) {
      throw new OpError(
        `The op deletes ${count} code points at position ${start}, past the end of the document`,
      );
    }
    return text;
  };
}

/**
 * Slices a string by code points. Ops walk forward, so it remembers where the last slice ended and scans
 * on from there: one pass over the document for the whole op. Past the end it returns what there is.
 */
function sequentialSlice(doc: string): DocumentSlice {
  let position = 0; // code points
  let at = 0; // the same place in UTF-16 units
  return (start, end) => {
    const from = advanceCodePoints(doc, at, start - position);
    if (from < 0) return "";
    const to = advanceCodePoints(doc, from, end - start);
    if (to < 0) return doc.slice(from);
    position = end;
    at = to;
    return doc.slice(from, to);
  };
}
