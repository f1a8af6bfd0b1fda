import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import { OpError } from "./components.ts";
import { diffToOp } from "./diff.ts";

describe("diffToOp", () => {
  it("replaces only the middle between the common prefix and suffix", () => {
    expect(diffToOp("hello world", "hello there world")).toEqual([6, "there "]);
    expect(diffToOp("abcdef", "abXYef")).toEqual([2, "XY", { d: 2 }]);
    expect(diffToOp("abc", "")).toEqual([{ d: 3 }]);
    expect(diffToOp("", "abc")).toEqual(["abc"]);
    expect(diffToOp("same", "same")).toEqual([]);
    expect(diffToOp("aaa", "aa")).toEqual([2, { d: 1 }]);
  });

  it("counts the prefix in code points", () => {
    expect(diffToOp("😀a", "😀b")).toEqual([1, "b", { d: 1 }]);
  });

  it("never cuts an emoji that shares a surrogate with its replacement", () => {
    // 😀 is D83D DE00 and 😁 is D83D DE01: the prefix must not end after D83D.
    expect(diffToOp("x😀y", "x😁y")).toEqual([1, "😁", { d: 1 }]);
    // 🂡 is D83C DCA1 and 👍 is D83D DC4D... 𝄞 (D834 DD1E) and 🔞 (D83D DD1E) share the low surrogate.
    expect(diffToOp("a𝄞", "a🔞")).toEqual([1, "🔞", { d: 1 }]);
  });

  it("carries the deleted text when asked", () => {
    expect(diffToOp("abcdef", "abXYef", { invertible: true })).toEqual([2, "XY", { d: "cd" }]);
    expect(diffToOp("a😀", "a", { invertible: true })).toEqual([1, { d: "😀" }]);
  });

  it("rejects text an op cannot carry", () => {
    expect(() => diffToOp("a", "a\uD83D")).toThrow(OpError);
    expect(() => diffToOp("a", "a\uD83D")).toThrow("The new text has a lone surrogate at UTF-16 index 1");
    expect(() => diffToOp("ab\uDE00", "ab", { invertible: true })).toThrow(
      "The old text has a lone surrogate at UTF-16 index 2",
    );
    expect(diffToOp("ab\uDE00", "ab")).toEqual([2, { d: 1 }]);
  });

  it("produces ops that apply", () => {
    for (const [from, to] of [
      ["👍🏽", "👍🏿"],
      ["😀😀", "😀"],
      ["a😀", "😀"],
      ["😁😀", "😀😀"],
    ] as const) {
      expect(apply(from, diffToOp(from, to))).toBe(to);
    }
  });
});
