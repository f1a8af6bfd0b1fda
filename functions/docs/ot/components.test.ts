import { describe, expect, it } from "vitest";
import {
  advanceCodePoints,
  codePointLength,
  componentLength,
  describeValue,
  isBmpOnly,
  kindOf,
  loneSurrogateIndex,
  OpError,
} from "./components.ts";

describe("codePointLength", () => {
  it("counts a surrogate pair once", () => {
    expect(codePointLength("")).toBe(0);
    expect(codePointLength("abc")).toBe(3);
    expect(codePointLength("😀")).toBe(1);
    expect(codePointLength("a😀👍🏽b")).toBe(5);
    expect(codePointLength("\u{10FFFF}")).toBe(1);
  });

  it("counts a lone surrogate as one code point, like [...text]", () => {
    for (const text of ["\uD83D", "\uDE00", "a\uD83Db", "\uDE00\uD83D", "😀\uD83D"]) {
      expect(codePointLength(text)).toBe([...text].length);
    }
  });
});

describe("advanceCodePoints", () => {
  it("steps over whole pairs and reports the end", () => {
    expect(advanceCodePoints("a😀b", 0, 2)).toBe(3);
    expect(advanceCodePoints("a😀b", 1, 1)).toBe(3);
    expect(advanceCodePoints("a😀b", 0, 3)).toBe(4);
    expect(advanceCodePoints("a😀b", 0, 4)).toBe(-1);
    expect(advanceCodePoints("\uD83Da", 0, 1)).toBe(1);
  });
});

describe("helpers", () => {
  it("classify components and measure them", () => {
    expect(kindOf(3)).toBe("skip");
    expect(kindOf("x")).toBe("insert");
    expect(kindOf({ d: 2 })).toBe("delete");
    expect(componentLength(4)).toBe(4);
    expect(componentLength("😀a")).toBe(2);
    expect(componentLength({ d: 3 })).toBe(3);
    expect(componentLength({ d: "👍🏽" })).toBe(2);
  });

  it("find surrogates", () => {
    expect(isBmpOnly("abc é")).toBe(true);
    expect(isBmpOnly("a😀")).toBe(false);
    expect(loneSurrogateIndex("a😀b")).toBe(-1);
    expect(loneSurrogateIndex("ab\uD83D")).toBe(2);
    expect(loneSurrogateIndex("a\uDE00😀")).toBe(1);
  });

  it("describe values briefly for error messages", () => {
    expect(describeValue("short")).toBe('"short"');
    expect(describeValue("x".repeat(30))).toBe(`"${"x".repeat(20)}…"`);
    expect(describeValue(null)).toBe("null");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue({ d: 1 })).toBe('{"d":1}');
    expect(describeValue({ text: "y".repeat(50) })).toMatch(/^\{"text":"y+…$/);
    expect(describeValue({ big: 1n })).toBe("[object Object]");
  });

  it("OpError is an Error with its own name", () => {
    const error = new OpError("bad");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("OpError");
    expect(error.message).toBe("bad");
  });
});
