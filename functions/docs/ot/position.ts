import { codePointLength, describeValue, OpError, type Side, type TextOp } from "./components.ts";
import { normalize } from "./normalize.ts";

/** A selection in code points; `anchor` stays where it started, `head` moves, either may be first. */
export interface Selection {
  readonly anchor: number;
  readonly head: number;
}

/**
 * Where a cursor (a code point position in the document `op` applies to) ends up after `op`. Text
 * inserted or deleted before the cursor moves it; a cursor inside deleted text lands where the text was.
 * `side` settles text inserted exactly at the cursor:
 * - "right" (the default): the cursor moves past it, so it keeps the character after it: the character
 *   right after the cursor before the op is still right after it afterwards, unless deleted. This is how
 *   a remote editor's caret follows what they type.
 * - "left": the cursor stays before it, keeping the character before it. ot-text-unicode's
 *   transformPosition behaves like this.
 * O(op size).
 */
export function transformPosition(cursor: number, op: TextOp, side: Side = "right"): number {
  if (!Number.isSafeInteger(cursor) || cursor < 0) {
    throw new OpError(`A cursor must be a non-negative integer, got ${describeValue(cursor)}`);
  }
  if (side !== "left" && side !== "right") {
    throw new OpError(`A cursor's side must be "left" or "right", got ${describeValue(side)}`);
  }
  let moved = cursor;
  let position = 0; // in the document before the op
  for (const component of normalize(op)) {
    if (position > cursor) break;
    if (typeof component === "number") {
      position += component;
    } else if (typeof component === "string") {
      if (position < cursor || side === "right") moved += codePointLength(component);
    } else {
      const count = typeof component.d === "number" ? component.d : codePointLength(component.d);
      if (position < cursor) moved -= Math.min(count, cursor - position);
      position += count;
    }
  }
  return moved;
}

/**
 * A selection after `op`. A collapsed selection (a caret) moves like a cursor on `side`. A range keeps
 * covering the same characters: text inserted at its edges stays outside it, so its start moves on the
 * right side and its end on the left. Its direction (anchor before or after head) is kept.
 */
export function transformSelection(selection: Selection, op: TextOp, side: Side = "right"): Selection {
  const { anchor, head } = selection;
  if (anchor === head) {
    const caret = transformPosition(anchor, op, side);
    return { anchor: caret, head: caret };
  }
  // Start ≤ end still holds afterwards: both count the same survivors and inserts up to the start.
  const start = transformPosition(Math.min(anchor, head), op, "right");
  const end = transformPosition(Math.max(anchor, head), op, "left");
  return anchor < head ? { anchor: start, head: end } : { anchor: end, head: start };
}
