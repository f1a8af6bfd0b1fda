import { codePointLength, type TextOp } from "./components.ts";
import { normalize } from "./normalize.ts";

/**
 * The shortest document `op` applies to, in code points: what it skips and deletes. Longer documents
 * work too (the trailing skip is implicit).
 */
export function baseLength(op: TextOp): number {
  let length = 0;
  for (const component of normalize(op)) {
    if (typeof component === "number") length += component;
    else if (typeof component === "object") {
      length += typeof component.d === "number" ? component.d : codePointLength(component.d);
    }
  }
  return length;
}

/** How many code points longer the document is after `op`: inserted minus deleted. */
export function lengthDelta(op: TextOp): number {
  let delta = 0;
  for (const component of normalize(op)) {
    if (typeof component === "string") delta += codePointLength(component);
    else if (typeof component === "object") {
      delta -= typeof component.d === "number" ? component.d : codePointLength(component.d);
    }
  }
  return delta;
}
