/**
 * Seeded generators for the OT property tests: documents and ops over an alphabet heavy with astral
 * characters, including emoji that share a high surrogate (😀 😁 👍) or a low one, so that any code that
 * cuts strings by UTF-16 units instead of code points shows up quickly.
 */
import type { Component, TextOp } from "../components.ts";

/** The seed every property test uses unless OT_SEED overrides it (to explore, or to reproduce CI). */
export const SEED = Number(process.env.OT_SEED ?? 20_240_601);

export type Random = () => number;

export { seededRandom } from "../../../shared/seeded-random.ts";

export const int = (random: Random, max: number): number => Math.floor(random() * (max + 1));
export const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length - 1)]!;

/** One code point each; several astral ones share surrogates with each other. */
const ALPHABET = ["a", "b", "c", " ", "\n", "é", "中", "😀", "😁", "👍", "🏽", "𝄞", "🂡", "🙂", "\u{10FFFF}"];

export function randomText(random: Random, maxCodePoints: number, minCodePoints = 0): string {
  const length = minCodePoints + int(random, maxCodePoints - minCodePoints);
  let text = "";
  for (let i = 0; i < length; i++) text += pick(random, ALPHABET);
  return text;
}

/** A document of 0..maxCodePoints code points. */
export const randomDoc = (random: Random, maxCodePoints = 24): string => randomText(random, maxCodePoints);

/**
 * A canonical-or-not op that applies to `doc`: it walks the document choosing skips, inserts and deletes
 * (counted or carrying their text), sometimes several in a row, and often stops before the end.
 */
export function randomOp(random: Random, doc: string): Component[] {
  const chars = Array.from(doc);
  const op: Component[] = [];
  let at = 0;
  while (random() < 0.85) {
    const roll = random();
    const left = chars.length - at;
    if (roll < 0.35) {
      op.push(randomText(random, 4, 1));
    } else if (roll < 0.65 && left > 0) {
      const count = 1 + int(random, Math.min(left, 5) - 1);
      op.push(random() < 0.5 ? { d: count } : { d: chars.slice(at, at + count).join("") });
      at += count;
    } else if (left > 0) {
      const count = 1 + int(random, Math.min(left, 6) - 1);
      op.push(count);
      at += count;
    }
  }
  return op;
}

/**
 * The meaning of an op with none of the library: walk code points, one component at a time, in the
 * order given. The oracle for apply and normalize.
 */
export function applyNaive(doc: string, op: TextOp): string {
  const chars = Array.from(doc);
  const out: string[] = [];
  let at = 0;
  for (const component of op) {
    if (typeof component === "number") {
      if (at + component > chars.length) throw new Error("skip past end");
      out.push(...chars.slice(at, at + component));
      at += component;
    } else if (typeof component === "string") {
      out.push(component);
    } else {
      const count = typeof component.d === "number" ? component.d : Array.from(component.d).length;
      if (at + count > chars.length) throw new Error("delete past end");
      if (typeof component.d === "string" && chars.slice(at, at + count).join("") !== component.d) {
        throw new Error("delete mismatch");
      }
      at += count;
    }
  }
  return out.join("") + chars.slice(at).join("");
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when no string in the value (a doc or an op) holds half a surrogate pair. */
export function wellFormed(value: string | TextOp): boolean {
  if (typeof value === "string") return !LONE.test(value);
  return value.every((c) => typeof c === "number" || wellFormed(typeof c === "string" ? c : String(c.d)));
}

/**
 * The same edit written non-canonically: components cut into pieces (never inside an emoji), a delete
 * moved before the insert next to it, a trailing skip added.
 */
export function scramble(random: Random, op: readonly Component[], docLength: number): Component[] {
  const out: Component[] = [];
  for (const component of op) {
    const text =
      typeof component === "number" ? undefined : typeof component === "string" ? component : component.d;
    const length =
      typeof component === "number" ? component : typeof text === "number" ? text : Array.from(text!).length;
    const cut = length > 1 && random() < 0.4 ? 1 + int(random, length - 2) : length;
    const pieces: Component[] = [];
    if (typeof component === "number") pieces.push(cut, length - cut);
    else if (typeof text === "number") pieces.push({ d: cut }, { d: length - cut });
    else {
      const chars = Array.from(text as string);
      const head = chars.slice(0, cut).join("");
      const tail = chars.slice(cut).join("");
      pieces.push(...(typeof component === "string" ? [head, tail] : [{ d: head }, { d: tail }]));
    }
    for (const piece of pieces) {
      if (piece === 0 || piece === "" || (typeof piece === "object" && (piece.d === 0 || piece.d === "")))
        continue;
      const last = out[out.length - 1];
      // Move a delete behind the insert that follows it: same edit, non-canonical order.
      if (typeof piece === "string" && typeof last === "object" && random() < 0.5)
        out.splice(out.length - 1, 0, piece);
      else out.push(piece);
    }
  }
  const used = out.reduce<number>(
    (sum, c) =>
      sum +
      (typeof c === "number"
        ? c
        : typeof c === "string"
          ? 0
          : typeof c.d === "number"
            ? c.d
            : Array.from(c.d).length),
    0,
  );
  if (used < docLength && random() < 0.3) out.push(1 + int(random, docLength - used - 1));
  return out;
}

/**
 * Where each of the document's code points ends up after the op: `moved[i]` is the new index of old
 * code point i, or -1 when the op deletes it. Walks the op literally, with no library code.
 */
export function trackCharacters(docLength: number, op: TextOp): number[] {
  const moved: number[] = [];
  let at = 0;
  let next = 0;
  for (const component of op) {
    if (typeof component === "number") {
      for (let i = 0; i < component; i++) moved[at++] = next++;
    } else if (typeof component === "string") {
      next += Array.from(component).length;
    } else {
      const count = typeof component.d === "number" ? component.d : Array.from(component.d).length;
      for (let i = 0; i < count; i++) moved[at++] = -1;
    }
  }
  while (at < docLength) moved[at++] = next++;
  return moved;
}

/**
 * The canonical form's rules, checked without the library: no empty pieces, no two of a kind in a row,
 * no trailing skip.
 */
export function hasCanonicalShape(op: TextOp): boolean {
  const kinds = op.map((c) => (typeof c === "number" ? "skip" : typeof c === "string" ? "insert" : "delete"));
  const empty = op.some((c) => c === 0 || c === "" || (typeof c === "object" && (c.d === 0 || c.d === "")));
  const badPair = kinds.some((kind, i) => i > 0 && kind === kinds[i - 1]);
  return !empty && !badPair && kinds[kinds.length - 1] !== "skip";
}
