/** A rope over code points for Docs sessions: O(log n) edits and op application on large documents. */
export type { TextOp, TextOpComponent } from "./op.ts";
export { Rope, type RopeOptions } from "./rope.ts";
export { countCodePoints, isWellFormed, RopeError } from "./text.ts";
