import { describe, expect, it } from "vitest";
import { apply } from "./apply.ts";
import { OpError } from "./components.ts";
import { compose } from "./compose.ts";

describe("compose", () => {
  it("joins edits at different places", () => {
    expect(compose([1, "a"], [3, "b"])).toEqual([1, "a", 1, "b"]);
    expect(compose([3, "b"], [1, "a"])).toEqual([1, "a", 2, "b"]);
  });

  it("merges typing into one insert", () => {
    expect(compose(["h"], [1, "i"])).toEqual(["hi"]);
    expect(compose([2, "h"], [3, "😀"])).toEqual([2, "h😀"]);
  });

  it("cancels text inserted then deleted", () => {
    expect(compose([1, "abc"], [2, { d: 1 }])).toEqual([1, "ac"]);
    expect(compose([1, "😀👍"], [1, { d: "😀👍" }])).toEqual([]);
  });

  it("passes deletes of the first op through", () => {
    expect(compose([{ d: 2 }], [{ d: 1 }])).toEqual([{ d: 3 }]);
    expect(compose([1, { d: "b" }], [1, { d: "c" }])).toEqual([1, { d: "bc" }]);
    expect(compose([1, { d: 2 }], [2, "x"])).toEqual([1, { d: 2 }, 1, "x"]);
    expect(compose([1, { d: 1 }], [])).toEqual([1, { d: 1 }]);
  });

  it("takes part of a text delete that covers inserted and original text", () => {
    const first = [1, "XY"];
    const second = [2, { d: "Y😀" }];
    expect(compose(first, second)).toEqual([1, "X", { d: "😀" }]);
    expect(apply("a😀b", compose(first, second))).toBe(apply(apply("a😀b", first), second));
  });

  it("lets the second op work past the end of the first", () => {
    expect(compose(["x"], [3, { d: 2 }])).toEqual(["x", 2, { d: 2 }]);
  });

  it("validates both ops", () => {
    expect(() => compose([{} as { d: number }], [])).toThrow(OpError);
    expect(() => compose([], [-1])).toThrow("a skip must be a positive integer");
  });
});
