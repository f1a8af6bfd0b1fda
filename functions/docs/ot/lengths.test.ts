import { describe, expect, it } from "vitest";
import { OpError } from "./components.ts";
import { baseLength, lengthDelta } from "./lengths.ts";

describe("baseLength and lengthDelta", () => {
  it("measure in code points", () => {
    const op = [2, "😀x", { d: 3 }, 1, { d: "👍🏽" }];
    expect(baseLength(op)).toBe(8);
    expect(lengthDelta(op)).toBe(-3);
    expect(baseLength([])).toBe(0);
    expect(lengthDelta(["ab"])).toBe(2);
  });

  it("validate the op", () => {
    expect(() => baseLength([0])).toThrow(OpError);
    expect(() => lengthDelta([{ d: "" }])).toThrow(OpError);
  });
});
