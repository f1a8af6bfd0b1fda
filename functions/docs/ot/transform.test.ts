import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import { OpError, type Side, type TextOp } from "./components.ts";
import { transform } from "./transform.ts";

/** Both orders of applying a and b, transformed, with a on `aSide`. */
function converge(doc: string, a: TextOp, b: TextOp, aSide: Side = "left") {
  const bSide: Side = aSide === "left" ? "right" : "left";
  const viaA = apply(apply(doc, a), transform(b, a, bSide));
  const viaB = apply(apply(doc, b), transform(a, b, aSide));
  expect(viaA).toBe(viaB);
  return viaA;
}

describe("transform", () => {
  it("shifts an op past text inserted before it", () => {
    expect(transform([3, "x"], ["ab"], "left")).toEqual([5, "x"]);
    expect(transform([3, "x"], ["😀"], "left")).toEqual([4, "x"]);
    expect(transform([3, { d: 1 }], [1, "ab"], "right")).toEqual([5, { d: 1 }]);
  });

  it("leaves an op alone when the other edits after it", () => {
    expect(transform([1, "x"], [3, "ab", { d: 2 }], "left")).toEqual([1, "x"]);
  });

  it("shifts an op back past text deleted before it", () => {
    expect(transform([4, "x"], [1, { d: 2 }], "left")).toEqual([2, "x"]);
    expect(transform([4, "x"], [{ d: "👍🏽" }], "left")).toEqual([2, "x"]);
  });

  it("breaks insert ties at one position by side", () => {
    expect(transform([1, "a"], [1, "b"], "left")).toEqual([1, "a"]);
    expect(transform([1, "a"], [1, "b"], "right")).toEqual([2, "a"]);
    expect(converge("xy", [1, "a"], [1, "b"], "left")).toBe("xaby");
    expect(converge("xy", [1, "a"], [1, "b"], "right")).toBe("xbay");
  });

  it("drops deletes of text the other already deleted", () => {
    expect(transform([1, { d: 3 }], [2, { d: 3 }], "left")).toEqual([1, { d: 1 }]);
    expect(transform([1, { d: "bcd" }], [2, { d: 3 }], "left")).toEqual([1, { d: "b" }]);
    expect(transform([{ d: 2 }], [{ d: 2 }], "left")).toEqual([]);
    expect(converge("abcdef", [1, { d: 3 }], [2, { d: 3 }])).toBe("af");
  });

  it("keeps text the other inserted inside a range this op deletes", () => {
    expect(transform([{ d: "abcd" }], [2, "XY"], "left")).toEqual([{ d: "ab" }, 2, { d: "cd" }]);
    expect(converge("abcd", [{ d: "abcd" }], [2, "XY"])).toBe("XY");
  });

  it("puts an insert inside a range the other deleted where that range was", () => {
    expect(transform([2, "x"], [1, { d: 3 }], "left")).toEqual([1, "x"]);
    expect(converge("abcde", [2, "x"], [1, { d: 3 }])).toBe("axe");
  });

  it("keeps an insert right before text the other deletes", () => {
    expect(transform(["x"], [{ d: 2 }], "right")).toEqual(["x"]);
  });

  it("splits emoji never: text pieces stay whole code points", () => {
    const a = [{ d: "😀👍🏽😁" }];
    const b = [2, "🙂"];
    expect(transform(a, b, "left")).toEqual([{ d: "😀👍" }, 1, { d: "🏽😁" }]);
    expect(converge("😀👍🏽😁", a, b)).toBe("🙂");
  });

  it("validates both ops and the side", () => {
    expect(() => transform([0], [], "left")).toThrow(OpError);
    expect(() => transform([], [""], "left")).toThrow("an insert must not be empty");
    expect(() => transform([], [], "up" as Side)).toThrow(
      'transform\'s side must be "left" or "right", got "up"',
    );
  });
});
