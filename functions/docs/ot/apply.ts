import {
  advanceCodePoints,
  codePointLength,
  describeValue,
  isBmpOnly,
  OpError,
  type TextOp,
} from "./components.ts";
import { normalize } from "./normalize.ts";

/**
 * Applies `op` to a string document. Throws OpError when the op is malformed, skips (a trailing skip
 * included) or deletes past the end of the document, or a `{d: "text"}` does not match the text it deletes. O(document) — a string is rebuilt; the
 * rope applies ops without copying the document.
 */
export function apply(doc: string, op: TextOp): string {
  // Validate, then walk the op as given: its meaning is the same as its canonical form's, and a trailing
  // skip past the end (which normalizing would drop) still shows the sender had another document in mind.
  normalize(op);
  // Without surrogate pairs a code point offset is a UTF-16 offset: no scan needed to move through the doc.
  const bmpOnly = isBmpOnly(doc);
  const pieces: string[] = [];
  let at = 0; // UTF-16 index in doc
  let position = 0; // the same place in code points, for error messages

  const advance = (count: number, what: string): number => {
    const next = bmpOnly ? (at + count <= doc.length ? at + count : -1) : advanceCodePoints(doc, at, count);
    if (next < 0) {
      const docLength = codePointLength(doc);
      throw new OpError(
        `The op ${what} ${count} code point${count === 1 ? "" : "s"} at position ${position}, past the end of the document (length ${docLength})`,
      );
    }
    position += count;
    return next;
  };

  for (const component of op) {
    if (typeof component === "number") {
      const next = advance(component, "skips");
      pieces.push(doc.slice(at, next));
      at = next;
    } else if (typeof component === "string") {
      pieces.push(component);
    } else if (typeof component.d === "number") {
      at = advance(component.d, "deletes");
    } else {
      if (!doc.startsWith(component.d, at)) {
        const found = doc.slice(at, at + component.d.length);
        throw new OpError(
          `The op deletes ${describeValue(component.d)} at position ${position}, but the document has ${describeValue(found)} there`,
        );
      }
      at += component.d.length;
      position += codePointLength(component.d);
    }
  }
  pieces.push(doc.slice(at));
  return pieces.join("");
}
