/**
 * Plain-text operational transformation in the wire format of `ot-text-unicode` (ShareDB's text type),
 * addressed in Unicode code points. Pure and synchronous. See docs/adr/0001-text-ot.md.
 *
 * An op is an array of components: `N` skips N code points, `"text"` inserts, `{d: N}` / `{d: "text"}`
 * deletes. Every function accepts any well-formed op (throwing OpError on a malformed one) and returns
 * canonical ops (see normalize).
 */
export { apply } from "./apply.ts";
export {
  type Component,
  codePointLength,
  type Delete,
  type Insert,
  OpError,
  type Side,
  type Skip,
  type TextOp,
} from "./components.ts";
export { compose } from "./compose.ts";
export { type DiffOptions, diffToOp } from "./diff.ts";
export { type DocumentSlice, invert, makeInvertible } from "./invert.ts";
export { baseLength, lengthDelta } from "./lengths.ts";
export { isCanonical, isNoop, normalize } from "./normalize.ts";
export { type Selection, transformPosition, transformSelection } from "./position.ts";
export { transform } from "./transform.ts";
