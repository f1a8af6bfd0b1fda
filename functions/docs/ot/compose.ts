import { OpBuilder } from "./builder.ts";
import type { TextOp } from "./components.ts";
import { OpReader } from "./iterator.ts";
import { normalize } from "./normalize.ts";

/**
 * One op with the effect of `first` then `second`: `apply(doc, compose(a, b)) === apply(apply(doc, a), b)`.
 * Text `first` inserts and `second` deletes vanishes from both. Same results as ot-text-unicode's compose.
 * O(size of both ops).
 *
 * `second` is not checked against what `first` inserted (a `{d: "text"}` over inserted text is trusted);
 * `apply` checks deletes against the document.
 */
export function compose(first: TextOp, second: TextOp): TextOp {
  const before = new OpReader(normalize(first));
  const after = new OpReader(normalize(second));
  const out = new OpBuilder();
  while (after.kind() !== "end") {
    const afterKind = after.kind();
    const beforeKind = before.kind();
    if (afterKind === "insert") {
      out.push(after.takeAll());
    } else if (beforeKind === "delete") {
      // Deleted by `first`, so `second` never saw it: it passes through untouched.
      out.push(before.takeAll());
    } else {
      // `second` skips or deletes text `first` skipped (or `first` is past its end) or inserted.
      const count = Math.min(before.remaining(), after.remaining());
      if (afterKind === "skip") {
        out.push(before.take(count));
        after.skip(count);
      } else {
        const deleted = after.take(count);
        if (beforeKind !== "insert") out.push(deleted);
        before.skip(count);
      }
    }
  }
  while (before.kind() !== "end") out.push(before.takeAll());
  return out.finish();
}
