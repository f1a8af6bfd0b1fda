import { describe, expect, it } from "vitest";
import { countCodePoints, isWellFormed, RopeError, splitEvenly, unitOffset } from "./text.ts";

describe("code-point helpers", () => {
  it("counts code points, one per surrogate pair", () => {
    expect(countCodePoints("")).toBe(0);
    expect(countCodePoints("abc")).toBe(3);
    expect(countCodePoints("a😀b𝄞")).toBe(4);
    expect(countCodePoints("é€中")).toBe(3);
  });

  it("tells well-formed text from text with lone surrogates", () => {
    expect(isWellFormed("a😀b")).toBe(true);
    expect(isWellFormed("\uD83D")).toBe(false);
    expect(isWellFormed("x\uDE00")).toBe(false);
    expect(isWellFormed("\uDE00\uD83D")).toBe(false);
  });

  it("maps code point positions to UTF-16 offsets", () => {
    expect(unitOffset("abc", 3, 2)).toBe(2);
    const text = "a😀b𝄞c";
    const chars = countCodePoints(text);
    expect([0, 1, 2, 3, 4, 5].map((pos) => unitOffset(text, chars, pos))).toEqual([0, 1, 3, 4, 6, 7]);
  });

  it("splits into even pieces without cutting a surrogate pair", () => {
    const text = "😀a😀b😀c😀";
    const pieces = splitEvenly(text, countCodePoints(text), 3);
    expect(pieces.map((p) => p.chars)).toEqual([2, 2, 3]);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
    for (const piece of pieces) {
      expect(isWellFormed(piece.text)).toBe(true);
      expect(countCodePoints(piece.text)).toBe(piece.chars);
    }
    expect(splitEvenly("abcdef", 6, 4).map((p) => p.text)).toEqual(["a", "bc", "d", "ef"]);
  });

  it("names its errors", () => {
    const error = new RopeError("boom");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RopeError");
  });
});
