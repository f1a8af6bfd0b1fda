import { OpBuilder } from "./builder.ts";
import { codePointLength, loneSurrogateIndex, OpError, type TextOp } from "./components.ts";

export interface DiffOptions {
  /** Deletes carry the text they remove (`{d: "text"}`), so the op inverts without the old text. */
  readonly invertible?: boolean;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * An op turning `oldText` into `newText`: it keeps their common prefix and suffix and replaces the middle.
 * Cuts fall between code points only. Used to turn a full-content update into an op. O(length).
 * Throws OpError when text the op would carry has a lone surrogate (an op cannot carry one): the inserted
 * part of `newText`, or, with `invertible`, the deleted part of `oldText`.
 */
export function diffToOp(oldText: string, newText: string, options: DiffOptions = {}): TextOp {
  const shorter = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  // Two emoji can share a high surrogate ("😀" and "😁"): never end the prefix inside a pair.
  if (prefix > 0 && isHighSurrogate(oldText.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  // Likewise they can share a low surrogate: never start the suffix inside a pair.
  if (suffix > 0 && isLowSurrogate(oldText.charCodeAt(oldText.length - suffix))) suffix--;

  const inserted = newText.slice(prefix, newText.length - suffix);
  const deleted = oldText.slice(prefix, oldText.length - suffix);
  checkWellFormed(inserted, "new", prefix);
  if (options.invertible) checkWellFormed(deleted, "old", prefix);
  const out = new OpBuilder();
  out.skip(codePointLength(oldText.slice(0, prefix)));
  out.insert(inserted);
  out.delete(options.invertible ? deleted : codePointLength(deleted));
  return out.finish();
}

function checkWellFormed(part: string, which: "old" | "new", offset: number): void {
  const lone = loneSurrogateIndex(part);
  if (lone >= 0) throw new OpError(`The ${which} text has a lone surrogate at UTF-16 index ${offset + lone}`);
}
