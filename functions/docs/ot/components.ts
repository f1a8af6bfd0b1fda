/**
 * The op format of `ot-text-unicode` (ShareDB's plain-text type), addressed in Unicode code points:
 *
 * - a positive integer skips (retains) that many code points,
 * - a non-empty string inserts it,
 * - `{d: N}` deletes N code points, `{d: "text"}` deletes exactly that text (the invertible form).
 *
 * Code points, not UTF-16 units: "😀" is one character, so no op can cut a surrogate pair in half. A lone
 * surrogate already in a document counts as one code point, as `[...text]` counts it.
 */

/** Skip (retain) this many code points. */
export type Skip = number;
/** Insert this text. */
export type Insert = string;
/** Delete this many code points, or exactly this text. */
export interface Delete {
  readonly d: number | string;
}
export type Component = Skip | Insert | Delete;
/** An op: components walked from the start of the document; a trailing skip is implicit. */
export type TextOp = readonly Component[];
export type ComponentKind = "skip" | "insert" | "delete";
/** Who goes first when two ops insert at the same position: "left" goes before "right". */
export type Side = "left" | "right";

/** A malformed op, or an op that does not fit the document it is applied to. */
export class OpError extends Error {
  override readonly name = "OpError";
}

export function kindOf(component: Component): ComponentKind {
  if (typeof component === "number") return "skip";
  return typeof component === "string" ? "insert" : "delete";
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every UTF-16 unit is a whole code point, so code point offsets equal string offsets. */
export const isBmpOnly = (text: string): boolean => !ANY_SURROGATE.test(text);

/** UTF-16 index of the first surrogate without its partner, or -1 when the text is well formed. */
export function loneSurrogateIndex(text: string): number {
  const match = LONE_SURROGATE.exec(text);
  return match ? match.index : -1;
}

/** Length in code points: a surrogate pair counts once. */
export function codePointLength(text: string): number {
  if (isBmpOnly(text)) return text.length;
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      length--;
      i++;
    }
  }
  return length;
}

/** The UTF-16 index `count` code points after `from`, or -1 when the text ends first. */
export function advanceCodePoints(text: string, from: number, count: number): number {
  let at = from;
  for (let taken = 0; taken < count; taken++) {
    if (at >= text.length) return -1;
    at += isHighSurrogate(text.charCodeAt(at)) && isLowSurrogate(text.charCodeAt(at + 1)) ? 2 : 1;
  }
  return at;
}

/** Code points a delete removes. */
export const deleteLength = (del: Delete): number =>
  typeof del.d === "number" ? del.d : codePointLength(del.d);

/** Code points a component covers: skipped, inserted or deleted. */
export function componentLength(component: Component): number {
  if (typeof component === "number") return component;
  if (typeof component === "string") return codePointLength(component);
  return deleteLength(component);
}

/** A value, shortened for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value !== "object" || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 40 ? `${json.slice(0, 40)}…` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
