import { OpBuilder } from "./builder.ts";
import { describeValue, OpError, type Side, type TextOp } from "./components.ts";
import { OpReader } from "./iterator.ts";
import { normalize } from "./normalize.ts";

/**
 * Rewrites `op` so it applies after `other`, both written against the same document (TP1):
 * `apply(apply(doc, a), transform(b, a, "right")) === apply(apply(doc, b), transform(a, b, "left"))`.
 *
 * - `side` only matters when both ops insert at the same position: "left" puts `op`'s text first.
 * - Text `other` deleted is gone: `op`'s deletes of it are dropped, and `op`'s inserts inside it land where
 *   it was.
 * - Text `other` inserted is kept: `op` skips over it, even in the middle of a range `op` deletes.
 *
 * Same results as ot-text-unicode's transform (checked on random ops), so a ShareDB client transforming its
 * pending ops on its side converges with the server. O(size of both ops).
 */
export function transform(op: TextOp, other: TextOp, side: Side): TextOp {
  if (side !== "left" && side !== "right") {
    throw new OpError(`transform's side must be "left" or "right", got ${describeValue(side)}`);
  }
  const mine = new OpReader(normalize(op));
  const theirs = new OpReader(normalize(other));
  const out = new OpBuilder();
  while (mine.kind() !== "end") {
    const mineKind = mine.kind();
    const theirKind = theirs.kind();
    if (mineKind === "insert" && (theirKind !== "insert" || side === "left")) {
      out.push(mine.takeAll());
    } else if (theirKind === "insert") {
      out.skip(theirs.remaining());
      theirs.skip(Infinity);
    } else {
      // Both skip or delete here (`theirs` may be past its end: an endless skip).
      const count = Math.min(mine.remaining(), theirs.remaining());
      if (theirKind === "delete") mine.skip(count);
      else out.push(mine.take(count));
      theirs.skip(count);
    }
  }
  return out.finish();
}
