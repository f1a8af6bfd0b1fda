import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import { OpError } from "./components.ts";
import { invert, makeInvertible } from "./invert.ts";

describe("invert", () => {
  it("turns inserts into text deletes and deletes into inserts", () => {
    expect(invert([2, "xy"])).toEqual([2, { d: "xy" }]);
    expect(invert([1, { d: "bc" }])).toEqual([1, "bc"]);
    expect(invert([1, "X", { d: "b" }])).toEqual([1, { d: "X" }, "b"]);
  });

  it("reads counted deletes from the document", () => {
    const doc = "a😀b👍🏽c";
    const op = [1, { d: 1 }, 1, { d: 2 }, "!"];
    const inverse = invert(op, doc);
    expect(inverse).toEqual([1, "😀", 1, "👍🏽", { d: "!" }]);
    expect(apply(apply(doc, op), inverse)).toBe(doc);
  });

  it("reads counted deletes through a document slice (a rope's)", () => {
    const doc = ["a", "😀", "b", "c"];
    const slice = (start: number, end: number) => doc.slice(start, end).join("");
    expect(invert([1, { d: 1 }, 1, { d: 1 }], slice)).toEqual([1, "😀", 1, "c"]);
  });

  it("needs the document for a counted delete", () => {
    expect(() => invert([{ d: 1 }])).toThrow(OpError);
    expect(() => invert([{ d: 1 }])).toThrow("invert needs the document");
  });

  it("rejects a counted delete past the end of the document", () => {
    expect(() => invert([2, { d: 2 }], "abc")).toThrow(
      "The op deletes 2 code points at position 2, past the end of the document",
    );
    expect(() => invert([4, { d: 1 }], "abc")).toThrow("position 4, past the end");
    expect(() => invert([1, { d: 1 }], () => "")).toThrow("past the end");
  });

  it("validates the op", () => {
    expect(() => invert([""], "a")).toThrow(OpError);
  });
});

describe("makeInvertible", () => {
  it("fills in the text of counted deletes", () => {
    const doc = "a😀bcd";
    expect(makeInvertible([1, { d: 1 }, 1, "x", { d: 2 }], doc)).toEqual([
      1,
      { d: "😀" },
      1,
      "x",
      { d: "cd" },
    ]);
    expect(makeInvertible([{ d: "a😀" }, { d: 1 }], doc)).toEqual([{ d: "a😀b" }]);
    expect(makeInvertible(["x"], "")).toEqual(["x"]);
  });

  it("rejects a counted delete past the end", () => {
    expect(() => makeInvertible([{ d: 3 }], "ab")).toThrow(OpError);
  });
});
