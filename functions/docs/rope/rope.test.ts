import { describe, expect, it } from "vitest";
import { Rope, RopeError, type TextOp } from "./index.ts";
import { checkInvariants } from "./testing/invariants.ts";

const TINY = { leafSize: 4, fanout: 4 };

/** `count` code points cycling through ASCII, BMP and astral characters. */
function mixedText(count: number): string {
  const alphabet = ["a", "b", "é", "中", "😀", "\n", "𝄞", "z"];
  return Array.from({ length: count }, (_, i) => alphabet[i % alphabet.length]).join("");
}

function expectRopeError(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(RopeError);
  expect(fn).toThrow(message);
}

describe("Rope basics", () => {
  it("holds text and counts code points and UTF-16 units", () => {
    for (const text of ["", "abc", "a😀b", mixedText(5000)]) {
      const rope = Rope.from(text);
      expect(rope.toString()).toBe(text);
      expect(rope.length).toBe(Array.from(text).length);
      expect(rope.utf16Length).toBe(text.length);
      checkInvariants(rope);
    }
  });

  it("rejects text that is not a string or has a lone surrogate", () => {
    expectRopeError(() => Rope.from(42 as unknown as string), /text must be a string, got number/);
    expectRopeError(() => Rope.from("a\uD83D"), /not well-formed UTF-16/);
  });

  it("accepts tree options and rejects bad ones", () => {
    expect(Rope.from("abc", { leafSize: 1024, fanout: 16 }).toString()).toBe("abc");
    expect(Rope.from(mixedText(100), { leafSize: 8 }).toString()).toBe(mixedText(100));
    expectRopeError(() => Rope.from("", { leafSize: 3 }), /leafSize must be an integer >= 4, got 3/);
    expectRopeError(() => Rope.from("", { fanout: 4.5 }), /fanout must be an integer >= 4, got 4.5/);
  });

  it("inserts at code point positions, never inside a surrogate pair", () => {
    const rope = Rope.from("a😀b");
    rope.insert(2, "X");
    rope.insert(0, "<");
    rope.insert(rope.length, "🎉>");
    rope.insert(1, "");
    expect(rope.toString()).toBe("<a😀Xb🎉>");
    expect(rope.length).toBe(7);
    expect(rope.utf16Length).toBe(9);
  });

  it("rejects inserts at bad positions or of bad text", () => {
    const rope = Rope.from("abc");
    expectRopeError(
      () => rope.insert(4, "x"),
      /insert: range 4..4 goes past the end of the document \(length 3\)/,
    );
    expectRopeError(() => rope.insert(-1, "x"), /integers >= 0/);
    expectRopeError(() => rope.insert(1.5, "x"), /integers >= 0/);
    expectRopeError(() => rope.insert(0, "\uDE00"), /inserted text is not well-formed/);
    expectRopeError(() => rope.insert(0, null as unknown as string), /inserted text must be a string/);
    expect(rope.toString()).toBe("abc");
  });

  it("deletes code points and returns them", () => {
    const rope = Rope.from("a😀b𝄞c");
    expect(rope.delete(1, 2)).toBe("😀b");
    expect(rope.delete(0, 0)).toBe("");
    expect(rope.toString()).toBe("a𝄞c");
    expect(rope.delete(0, 3)).toBe("a𝄞c");
    expect(rope.length).toBe(0);
    expectRopeError(() => rope.delete(0, 1), /delete: range 0..1 goes past the end/);
    expectRopeError(() => rope.delete(0, -1), /integers >= 0/);
  });

  it("slices by code points", () => {
    const rope = Rope.from("a😀b𝄞c");
    expect(rope.slice(1, 3)).toBe("😀b𝄞");
    expect(rope.slice(3)).toBe("𝄞c");
    expect(rope.slice(5)).toBe("");
    expect(rope.slice(2, 0)).toBe("");
    expectRopeError(() => rope.slice(4, 2), /slice: range 4..6/);
    expectRopeError(() => rope.slice(7), /slice: range 7..7 goes past the end of the document \(length 5\)/);
  });

  it("slices any range of a deep tree", () => {
    const text = mixedText(500);
    const rope = Rope.from(text, TINY);
    const points = Array.from(text);
    for (let pos = 0; pos <= 500; pos += 7) {
      for (const count of [0, 1, 5, 17, 64, 200]) {
        if (pos + count > 500) continue;
        expect(rope.slice(pos, count)).toBe(points.slice(pos, pos + count).join(""));
      }
    }
  });

  it("maps code point positions to UTF-16 offsets", () => {
    const text = mixedText(3000);
    const rope = Rope.from(text, TINY);
    const points = Array.from(text);
    for (const pos of [0, 1, 4, 5, 6, 7, 1234, 2999, 3000]) {
      expect(rope.utf16Offset(pos)).toBe(points.slice(0, pos).join("").length);
    }
    expectRopeError(() => rope.utf16Offset(3001), /utf16Offset: range 3001..3001/);
  });
});

describe("Rope.applyOp", () => {
  it("applies skips, inserts and both kinds of delete", () => {
    const rope = Rope.from("hello 😀 world");
    rope.applyOp([6, { d: "😀" }, "🌍", 1, { d: 5 }, "there"]);
    expect(rope.toString()).toBe("hello 🌍 there");
    rope.applyOp([]);
    rope.applyOp([3, "_"]);
    rope.applyOp(["<", 14, ">"]);
    expect(rope.toString()).toBe("<hel_lo 🌍 there>");
  });

  it("keeps the text after the last component", () => {
    const rope = Rope.from("abcdef");
    rope.applyOp([{ d: 2 }, "X", 1]);
    expect(rope.toString()).toBe("Xcdef");
  });

  const rejected: [string, unknown, RegExp][] = [
    ["a non-array", { d: 1 }, /An op must be an array of components, got \{"d":1\}/],
    ["a zero skip", [0, "x"], /Op component 0: a skip must be a positive integer, got 0/],
    ["a negative skip", [-2], /a skip must be a positive integer/],
    ["a fractional skip", [1.5], /a skip must be a positive integer/],
    ["an empty insert", [1, ""], /Op component 1: an insert must not be empty/],
    ["a lone surrogate insert", ["\uD83D"], /an insert has a lone surrogate/],
    ["a zero delete", [{ d: 0 }], /a delete's "d" must be a positive integer/],
    ["an empty delete text", [{ d: "" }], /a delete's text must not be empty/],
    ["a bad delete value", [{ d: null }], /"d" must be a positive integer or a non-empty string, got null/],
    ["an unknown object", [{ i: "x" }], /a delete must have exactly one key, "d"/],
    [
      "a null component",
      [null],
      /Op component 0 must be a number \(skip\), a string \(insert\) or \{d: …\} \(delete\), got null/,
    ],
    ["an undefined component", [undefined], /Op component 0 must be .*, got undefined/],
    [
      "a skip past the end",
      ["x", 6],
      /op component 1 \(6\): reaches 6, past the end of the document \(length 5\)/,
    ],
    ["a delete past the end", [3, { d: 3 }], /reaches 6, past the end of the document/],
    ["a delete text past the end", [3, { d: "lo!" }], /reaches 6, past the end/],
    ["a mismatched delete text", [1, { d: "EL" }], /the document has "el" at 1, not the text to delete/],
  ];
  for (const [name, op, message] of rejected) {
    it(`rejects ${name} and leaves the text untouched`, () => {
      const rope = Rope.from("hello");
      expectRopeError(() => rope.applyOp(op as TextOp), message);
      expect(rope.toString()).toBe("hello");
    });
  }

  it("rejects an op that fails late without applying its earlier components", () => {
    const rope = Rope.from("abc");
    expectRopeError(() => rope.applyOp(["X", { d: 1 }, "Y", { d: "zz" }]), /op component 3/);
    expect(rope.toString()).toBe("abc");
  });

  it("shortens long excerpts in messages", () => {
    const rope = Rope.from("b".repeat(100));
    expectRopeError(() => rope.applyOp([{ d: "a".repeat(100) }]), /\{"d":"a+…\): the document has "b+…/);
  });
});

describe("Rope tree", () => {
  it("stays balanced on a 100,000+ character document", () => {
    const text = mixedText(120_000);
    const rope = Rope.from(text);
    const stats = checkInvariants(rope);
    expect(stats.depth).toBeGreaterThanOrEqual(2);
    rope.insert(60_000, "middle");
    rope.delete(1000, 50_000);
    rope.applyOp([10, "x", 30_000, { d: 20_000 }]);
    const expected = Array.from(text);
    expected.splice(60_000, 0, "middle");
    expected.splice(1000, 50_000);
    expected.splice(10, 0, "x");
    expected.splice(30_011, 20_000);
    expect(rope.toString()).toBe(expected.join(""));
    checkInvariants(rope);
  });

  it("absorbs a paste much larger than a leaf and shrinks back to one leaf", () => {
    const rope = Rope.from("ab", TINY);
    const paste = mixedText(5000);
    rope.insert(1, paste);
    expect(rope.toString()).toBe(`a${paste}b`);
    expect(checkInvariants(rope).depth).toBeGreaterThanOrEqual(4);
    expect(rope.delete(1, 5000)).toBe(paste);
    expect(rope.toString()).toBe("ab");
    expect(checkInvariants(rope)).toEqual({ depth: 1, leaves: 2, branches: 1 });
    rope.insert(2, mixedText(300));
    rope.delete(0, rope.length);
    expect(checkInvariants(rope)).toEqual({ depth: 0, leaves: 1, branches: 0 });
    expect(rope.toString()).toBe("");
  });

  it("keeps invariants while text is deleted piece by piece from both ends and the middle", () => {
    const text = mixedText(2000);
    const rope = Rope.from(text, TINY);
    const model = Array.from(text);
    while (model.length > 0) {
      for (const pos of [0, Math.floor(model.length / 2), Math.max(0, model.length - 3)]) {
        const count = Math.min(3, model.length - pos);
        if (count <= 0) continue;
        expect(rope.delete(pos, count)).toBe(model.splice(pos, count).join(""));
        checkInvariants(rope);
      }
    }
    expect(rope.toString()).toBe("");
  });

  it("reports broken invariants", () => {
    const rope = Rope.from(mixedText(100), TINY);
    let node = rope.internalTree.root;
    while (!node.isLeaf) node = node.children[0]!;
    node.text = "changed behind the tree's back";
    expect(() => checkInvariants(rope)).toThrow(/rope invariant broken at root(\/0)+: chars 2 != 30/);
  });
});
