/**
 * Code-point arithmetic over JS strings. The rope addresses text in Unicode code points, while JS strings
 * are UTF-16: an astral character (most emoji) is one code point but two units, a surrogate pair.
 * Everything here assumes well-formed text (no lone surrogates); the rope rejects anything else on entry,
 * because two lone halves joined by an edit would silently become one character and corrupt every count.
 */

/** A rejected rope call or op: bad position, malformed component, text mismatch, ill-formed UTF-16. */
export class RopeError extends Error {
  override name = "RopeError";
}

const HIGH_SURROGATE_MIN = 0xd800;
const HIGH_SURROGATE_MAX = 0xdbff;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every surrogate in `text` is half of a pair (`String.prototype.isWellFormed`, ES2024). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

const isHighSurrogate = (unit: number) => unit >= HIGH_SURROGATE_MIN && unit <= HIGH_SURROGATE_MAX;

/** Code points in well-formed `text`: its UTF-16 units minus one per surrogate pair. */
export function countCodePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) if (isHighSurrogate(text.charCodeAt(i))) pairs++;
  return text.length - pairs;
}

/**
 * UTF-16 offset of code point `pos` in `text`, which holds `chars` code points. Text without astral
 * characters (chars === length, the common case) needs no scan.
 */
export function unitOffset(text: string, chars: number, pos: number): number {
  if (chars === text.length) return pos;
  let offset = 0;
  for (let i = 0; i < pos; i++) offset += isHighSurrogate(text.charCodeAt(offset)) ? 2 : 1;
  return offset;
}

/** A run of text with its code-point count, the unit the tree is built from. */
export interface Piece {
  text: string;
  chars: number;
}

/**
 * Cuts well-formed `text` (`chars` code points) into `parts` pieces whose code-point counts differ by at
 * most one. Cuts fall between code points, so a surrogate pair is never split.
 */
export function splitEvenly(text: string, chars: number, parts: number): Piece[] {
  const pieces: Piece[] = [];
  const bmpOnly = chars === text.length;
  let start = 0;
  let taken = 0;
  for (let i = 1; i <= parts; i++) {
    const size = Math.floor((i * chars) / parts) - taken;
    let end = start + size;
    if (!bmpOnly) {
      end = start;
      for (let k = 0; k < size; k++) end += isHighSurrogate(text.charCodeAt(end)) ? 2 : 1;
    }
    pieces.push({ text: text.slice(start, end), chars: size });
    start = end;
    taken += size;
  }
  return pieces;
}
