import { describe, expect, it } from "vitest";
import { OpError } from "./components.ts";
import { isCanonical, isNoop, normalize } from "./normalize.ts";

describe("normalize", () => {
  it("returns a canonical op itself", () => {
    const op = [2, "hi", { d: 3 }, 4, { d: "😀" }];
    expect(normalize(op)).toBe(op);
    expect(normalize([])).toEqual([]);
  });

  it("drops a trailing skip", () => {
    expect(normalize([3])).toEqual([]);
    expect(normalize(["a", 3])).toEqual(["a"]);
    expect(normalize([1, { d: 1 }, 2, 5])).toEqual([1, { d: 1 }]);
  });

  it("merges adjacent components of one kind", () => {
    expect(normalize([1, 2, "a", "b", { d: 1 }, { d: 2 }])).toEqual([3, "ab", { d: 3 }]);
    expect(normalize([{ d: "ab" }, { d: "😀" }])).toEqual([{ d: "ab😀" }]);
  });

  it("merges a counted delete with a text delete into a count of code points", () => {
    expect(normalize([{ d: "a😀" }, { d: 2 }])).toEqual([{ d: 4 }]);
    expect(normalize([{ d: 1 }, { d: "👍🏽" }])).toEqual([{ d: 3 }]);
  });

  it("keeps inserts and deletes at one position in their order, as ot-text-unicode does", () => {
    // They apply alike but transform differently, so neither is rewritten into the other.
    expect(normalize([1, { d: 2 }, "x"])).toEqual([1, { d: 2 }, "x"]);
    expect(normalize([1, "x", { d: 2 }])).toEqual([1, "x", { d: 2 }]);
    expect(normalize([{ d: 1 }, "a", "b", { d: "c" }, { d: "d" }, 2, 3])).toEqual([
      { d: 1 },
      "ab",
      { d: "cd" },
    ]);
  });

  it.each([
    [null, "An op must be an array of components, got null"],
    ["abc", 'An op must be an array of components, got "abc"'],
    [{ d: 1 }, 'An op must be an array of components, got {"d":1}'],
    [[0], "Op component 0: a skip must be a positive integer, got 0"],
    [[1, -2], "Op component 1: a skip must be a positive integer, got -2"],
    [[1.5], "Op component 0: a skip must be a positive integer, got 1.5"],
    [[Number.NaN], "got NaN"],
    [[Number.POSITIVE_INFINITY], "got Infinity"],
    [[2 ** 53], "a skip must be a positive integer"],
    [[""], "Op component 0: an insert must not be empty"],
    [["a\uD83D"], "Op component 0: an insert has a lone surrogate U+D83D at UTF-16 index 1"],
    [["\uDE00"], "an insert has a lone surrogate U+DE00 at UTF-16 index 0"],
    [[true], "Op component 0 must be a number (skip), a string (insert) or {d: …} (delete), got true"],
    [[1, null], "Op component 1 must be a number (skip), a string (insert) or {d: …} (delete), got null"],
    [[[1]], "got [1]"],
    [[undefined], "got undefined"],
    [[{}], 'a delete must have exactly one key, "d", got {}'],
    [[{ i: "x" }], 'a delete must have exactly one key, "d", got {"i":"x"}'],
    [[{ d: 1, x: 2 }], 'a delete must have exactly one key, "d"'],
    [[{ d: 0 }], `a delete's "d" must be a positive integer or a non-empty string, got 0`],
    [[{ d: -1 }], "got -1"],
    [[{ d: 1.5 }], "got 1.5"],
    [[{ d: null }], "got null"],
    [[{ d: [1] }], "got [1]"],
    [[{ d: "" }], "Op component 0: a delete's text must not be empty"],
    [[{ d: "\uD83Dx" }], "a delete's text has a lone surrogate U+D83D at UTF-16 index 0"],
  ])("rejects %j", (op, message) => {
    expect(() => normalize(op)).toThrow(OpError);
    expect(() => normalize(op)).toThrow(message);
  });

  it("rejects a sparse array's hole", () => {
    const op = [1, "x"];
    op.length = 3; // a hole at index 2, as `[1, "x", ,]` would have
    expect(() => normalize(op)).toThrow("Op component 2 must be a number");
  });
});

describe("isCanonical and isNoop", () => {
  it("tell canonical ops from others and from garbage", () => {
    expect(isCanonical([1, "a", { d: 1 }])).toBe(true);
    expect(isCanonical([1, { d: 1 }, "a"])).toBe(true);
    expect(isCanonical([1, 1, "a"])).toBe(false);
    expect(isCanonical([1])).toBe(false);
    expect(isCanonical("nope")).toBe(false);
  });

  it("finds ops that change nothing", () => {
    expect(isNoop([])).toBe(true);
    expect(isNoop([5])).toBe(true);
    expect(isNoop([5, "x"])).toBe(false);
  });
});
