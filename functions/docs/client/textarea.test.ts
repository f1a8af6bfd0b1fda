/** Between the textarea's UTF-16 offsets and code points, and input turned into ops at the caret. */
import { describe, expect, it } from "vitest";
import { apply } from "../ot/index.ts";
import { caretAfter, inputOp, readSelection, toPoints, toUnits, writeSelection } from "./textarea.ts";

describe("positions", () => {
  it("convert between UTF-16 units and code points around surrogate pairs", () => {
    const text = "a😀b🦊";
    expect([0, 1, 3, 4, 6].map((u) => toPoints(text, u))).toEqual([0, 1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4, 9].map((p) => toUnits(text, p))).toEqual([0, 1, 3, 4, 6, 6]);
  });

  it("read and write a textarea's selection in code points, keeping its direction", () => {
    const area = {
      selectionStart: 1,
      selectionEnd: 4,
      selectionDirection: "backward",
    } as HTMLTextAreaElement;
    expect(readSelection(area, "a😀b🦊")).toEqual({ anchor: 3, head: 1 });
    area.selectionDirection = "forward";
    expect(readSelection(area, "a😀b🦊")).toEqual({ anchor: 1, head: 3 });
    const calls: unknown[] = [];
    const target = {
      setSelectionRange: (...args: unknown[]) => calls.push(args),
    } as unknown as HTMLTextAreaElement;
    writeSelection(target, "a😀b🦊", { anchor: 4, head: 1 });
    writeSelection(target, "a😀b🦊", { anchor: 2, head: 2 });
    expect(calls).toEqual([
      [1, 6, "backward"],
      [3, 3, "forward"],
    ]);
  });
});

describe("inputOp", () => {
  const cases: [string, string, number, unknown][] = [
    ["hello", "helllo", 4, [3, "l"]], // typed at "hel|lo": placed at the caret, not after the run
    ["hello", "hello!", 6, [5, "!"]],
    ["", "x", 1, ["x"]],
    ["aaa", "aa", 1, [1, { d: 1 }]], // Delete at "a|aa"
    ["aaa", "aa", 0, [{ d: 1 }]], // Backspace at "a|aa"
    ["a😀b", "ab", 1, [1, { d: 1 }]],
    ["ab", "a🦊b", 3, [1, "🦊"]],
    ["hello", "hXYo", 3, [1, "XY", { d: 3 }]], // a paste over a selection: a plain diff
    ["abc", "abd", 3, [2, "d", { d: 1 }]],
  ];
  it.each(cases)("%j → %j with the caret at %i", (before, after, caret, op) => {
    expect(inputOp(before, after, caret)).toEqual(op);
    expect(apply(before, inputOp(before, after, caret))).toBe(after);
  });

  it("falls back to a plain diff when the caret does not fit the change", () => {
    expect(inputOp("abc", "abXc", 1)).toEqual([2, "X"]);
    expect(inputOp("abc", "ac", 3)).toEqual([1, { d: 1 }]);
  });
});

describe("caretAfter", () => {
  it("lands at the end of the last change", () => {
    expect(caretAfter([3, "abc"])).toBe(6);
    expect(caretAfter([3, { d: "x" }])).toBe(3);
    expect(caretAfter(["a", 2, { d: 1 }, 4])).toBe(3);
    expect(caretAfter([])).toBe(0);
  });
});
