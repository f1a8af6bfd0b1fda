import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import { OpError } from "./components.ts";

describe("apply", () => {
  it("skips, inserts and deletes in code points", () => {
    expect(apply("hello", [])).toBe("hello");
    expect(apply("hello", ["¡"])).toBe("¡hello");
    expect(apply("hello", [5, "!"])).toBe("hello!");
    expect(apply("hello", [1, { d: 3 }, "EL"])).toBe("hELo");
    expect(apply("hello", [{ d: "he" }, 1, { d: 1 }])).toBe("lo");
  });

  it("counts an emoji as one character", () => {
    expect(apply("😀a👍🏽b", [1, { d: 1 }])).toBe("😀👍🏽b");
    expect(apply("😀a👍🏽b", [3, "x"])).toBe("😀a👍x🏽b");
    expect(apply("😀a👍🏽b", [2, { d: "👍🏽" }, "🙂"])).toBe("😀a🙂b");
    expect(apply("𝄞", [{ d: 1 }])).toBe("");
  });

  it("treats a lone surrogate already in the document as one code point", () => {
    expect(apply("a\uD83Db", [2, "x"])).toBe("a\uD83Dxb");
  });

  it("accepts a non-canonical op", () => {
    expect(apply("abc", [1, { d: 1 }, "X", 1])).toBe("aXc");
  });

  it.each([
    ["abc", [4], "The op skips 4 code points at position 0, past the end of the document (length 3)"],
    [
      "a😀c",
      [2, { d: 2 }],
      "The op deletes 2 code points at position 2, past the end of the document (length 3)",
    ],
    ["😀😀", [3, "x"], "The op skips 3 code points at position 0, past the end of the document (length 2)"],
    [
      "ab",
      [2, { d: 1 }],
      "The op deletes 1 code point at position 2, past the end of the document (length 2)",
    ],
    ["abc", [1, { d: "c" }], 'The op deletes "c" at position 1, but the document has "b" there'],
    ["a😀", [1, { d: "😁" }], 'The op deletes "😁" at position 1, but the document has "😀" there'],
    ["abc", [{ d: "abcd" }], 'The op deletes "abcd" at position 0, but the document has "abc" there'],
    ["abc", [1, { d: 0 }], 'a delete\'s "d" must be a positive integer'],
  ])("rejects applying to %j the op %j", (doc, op, message) => {
    expect(() => apply(doc, op)).toThrow(OpError);
    expect(() => apply(doc, op)).toThrow(message);
  });
});
