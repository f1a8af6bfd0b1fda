import { describe, expect, it } from "vitest";
import * as ot from "./index.ts";

describe("the ot module", () => {
  it("exports the whole API", () => {
    expect(Object.keys(ot).sort()).toEqual([
      "OpError",
      "apply",
      "baseLength",
      "codePointLength",
      "compose",
      "diffToOp",
      "invert",
      "isCanonical",
      "isNoop",
      "lengthDelta",
      "makeInvertible",
      "normalize",
      "transform",
      "transformPosition",
      "transformSelection",
    ]);
  });

  it("runs a small collaborative session end to end", () => {
    const doc = "Hi 👋";
    const alice = ot.diffToOp(doc, "Hi there 👋"); // types " there"
    const bob = ot.diffToOp(doc, "Hi 👋!"); // appends "!"
    const server = ot.apply(ot.apply(doc, alice), ot.transform(bob, alice, "right"));
    expect(server).toBe("Hi there 👋!");
    const bobCursor = ot.transformPosition(ot.codePointLength("Hi 👋!"), ot.transform(alice, bob, "left"));
    expect(bobCursor).toBe(ot.codePointLength(server));
    const undoAlice = ot.invert(ot.transform(alice, bob, "left"), ot.apply(doc, bob));
    expect(ot.apply(server, undoAlice)).toBe("Hi 👋!");
  });
});
