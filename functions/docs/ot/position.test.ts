import { describe, expect, it } from "vitest";
import { OpError, type Side } from "./components.ts";
import { transformPosition, transformSelection } from "./position.ts";

describe("transformPosition", () => {
  it("moves with text inserted or deleted before the cursor", () => {
    expect(transformPosition(3, ["ab"])).toBe(5);
    expect(transformPosition(3, [1, "😀"])).toBe(4);
    expect(transformPosition(3, [1, { d: 1 }])).toBe(2);
    expect(transformPosition(3, [{ d: "a😀" }])).toBe(1);
  });

  it("ignores edits after the cursor", () => {
    expect(transformPosition(2, [3, "x", { d: 1 }])).toBe(2);
    expect(transformPosition(2, [2, { d: 3 }])).toBe(2);
    expect(transformPosition(0, [])).toBe(0);
  });

  it("lands where deleted text was when the cursor was inside it", () => {
    expect(transformPosition(3, [1, { d: 4 }])).toBe(1);
    expect(transformPosition(3, [1, "xy", { d: 4 }])).toBe(3);
  });

  it("goes past an insert at the cursor on the right side, stays before it on the left", () => {
    expect(transformPosition(2, [2, "abc"])).toBe(5);
    expect(transformPosition(2, [2, "abc"], "right")).toBe(5);
    expect(transformPosition(2, [2, "abc"], "left")).toBe(2);
    expect(transformPosition(2, [2, "abc", { d: 1 }], "left")).toBe(2);
  });

  it("sees an insert after a delete as sitting after the deleted text", () => {
    // [1, {d: 1}, "x"] inserts at old position 2; [1, "x", {d: 1}] at old position 1.
    expect(transformPosition(1, [1, { d: 1 }, "x"], "right")).toBe(1);
    expect(transformPosition(1, [1, "x", { d: 1 }], "right")).toBe(2);
    expect(transformPosition(2, [1, { d: 1 }, "x"], "right")).toBe(2);
    expect(transformPosition(2, [1, { d: 1 }, "x"], "left")).toBe(1);
  });

  it("rejects bad cursors, sides and ops", () => {
    for (const cursor of [-1, 1.5, Number.NaN]) {
      expect(() => transformPosition(cursor, [])).toThrow(OpError);
      expect(() => transformPosition(cursor, [])).toThrow("A cursor must be a non-negative integer");
    }
    expect(() => transformPosition(0, [], "middle" as Side)).toThrow(
      'A cursor\'s side must be "left" or "right"',
    );
    expect(() => transformPosition(0, [0])).toThrow(OpError);
  });
});

describe("transformSelection", () => {
  it("moves a caret like a cursor", () => {
    expect(transformSelection({ anchor: 2, head: 2 }, [2, "ab"])).toEqual({ anchor: 4, head: 4 });
    expect(transformSelection({ anchor: 2, head: 2 }, [2, "ab"], "left")).toEqual({ anchor: 2, head: 2 });
  });

  it("keeps a range over the same characters, inserts at its edges outside", () => {
    // "abcd", selection "bc" (1..3); insert at 1 and at 3.
    const op = [1, "X", 2, "Y"];
    expect(transformSelection({ anchor: 1, head: 3 }, op)).toEqual({ anchor: 2, head: 4 });
    expect(transformSelection({ anchor: 3, head: 1 }, op)).toEqual({ anchor: 4, head: 2 });
  });

  it("collapses a range whose text was deleted", () => {
    expect(transformSelection({ anchor: 1, head: 3 }, [{ d: 4 }])).toEqual({ anchor: 0, head: 0 });
    expect(transformSelection({ anchor: 1, head: 3 }, [1, "Z", { d: 2 }])).toEqual({ anchor: 2, head: 2 });
  });
});
