import { describe, expect, it } from "vitest";
import { JsonPathError, parseJsonPath } from "./json-path.ts";

const data = {
  data: { ok: true, successPercent: 0.95, none: null },
  results: [{ name: "a", value: 1 }, { name: "b", value: 2.5 }, { name: "c" }],
  items: [
    { v: 1, tag: "x", ok: true, list: [1, 2] },
    { v: 2.5, tag: "y", ok: false, list: [3] },
  ],
  message: "It worked!",
  "dotted.key": 7,
  nested: { list: [[1, 2], [3]] },
};

const find = (template: string, value: unknown = data) => parseJsonPath(template).findResults(value);

describe("JSONPath templates (client-go's jsonpath, as Argo's web provider uses it)", () => {
  it.each<[string, unknown[][]]>([
    ["{$}", [[data]]],
    ["{$.data.ok}", [[true]]],
    ["{.data.ok}", [[true]]],
    ["{ $.data.successPercent }", [[0.95]]],
    ["{$.data}", [[data.data]]],
    ["{$.data.none}", [[null]]],
    ["{$.results[0].value}", [[1]]],
    ["{$.results[-1].name}", [["c"]]],
    ["{$.results[*].name}", [["a", "b", "c"]]],
    ["{$.results[0:2].name}", [["a", "b"]]],
    ["{$.results[1:].name}", [["b", "c"]]],
    ["{$.results[::2].name}", [["a", "c"]]],
    ["{$.results[-2:].name}", [["b", "c"]]],
    ["{$.results[0:0]}", [[]]],
    ["{$.results[0,2].name}", [["a", "c"]]],
    ["{$['message']}", [["It worked!"]]],
    ["{$.dotted\\.key}", [[7]]],
    ["{$.items[?(@.tag=='y')].v}", [[2.5]]],
    ['{$.items[?(@.tag!="y")].v}', [[1]]],
    ["{$.items[?(@.v>1.0)].tag}", [["y"]]],
    ["{$.items[?(@.v<=2.5)].tag}", [["x", "y"]]],
    ["{$.items[?(@.v >= 2.5)].tag}", [["y"]]],
    ["{$.items[?(@.v<2.0)].tag}", [["x"]]],
    ["{$.items[?(@.ok==true)].tag}", [["x"]]],
    ["{$.results[?(@.value)].name}", [["a", "b"]]],
    ["{..value}", [[1, 2.5]]],
    ["{$.nested.list[*][0]}", [[1, 3]]],
    ["{$.data.*}", [[true, 0.95, null]]],
    ["value: {$.message}!", [["value: "], ["It worked!"], ["!"]]],
    ["{true}{-1}{1.5}{'q\\'s'}", [[true], [-1], [1.5], ["q's"]]],
  ])("%s", (template, expected) => {
    expect(find(template)).toEqual(expected);
  });

  it("visits the bytes of a string under * and ..", () => {
    expect(find("{$.*}", { s: "hi" })).toEqual([["hi"]]);
    expect(find("{$.s.*}", { s: "hi" })).toEqual([[104, 105]]);
    expect(find("{..s}", null)).toEqual([[]]);
  });

  it.each<[string, string]>([
    ["{$.data.missing}", "missing is not found"],
    ["{$.data.none.x}", "x is not found"],
    ["{$.results[5]}", "array index out of bounds: index 5, length 3"],
    ["{$.results[-5]}", "array index out of bounds: index -2, length 3"],
    ["{$.results[1:7]}", "array index out of bounds: index 6, length 3"],
    ["{$.results[2:1]}", "starting index 2 is greater than ending index 1"],
    ["{$.results[0:3:0]}", "step must be > 0"],
    ["{$.data[0]}", "map is not array or slice"],
    ["{$.items[?(@.missing=='q')].tag}", "missing is not found"],
    ["{$.data[?(@.x)]}", "map is not array or slice and cannot be filtered"],
    ["{$.results[?(@.value>1.0)].name}", "value is not found"],
    ["{$.items[?(@.v>1)]}", "incompatible types for comparison"],
    ["{$.items[?(@.ok<true)]}", "invalid type for comparison"],
    ["{$.items[?(@.list==1)]}", "invalid type for comparison"],
    ["{$.items[?(@.list[*]==1)]}", "can only compare one element at a time"],
    ["{$.items[?(@.v=<1)]}", "unrecognized filter operator =<"],
    ["{foo}", "unrecognized identifier foo"],
    ["{$['dotted.key']}", "dotted is not found"],
  ])("%s fails: %s", (template, message) => {
    expect(() => find(template)).toThrow(JsonPathError);
    expect(() => find(template)).toThrow(message);
  });

  it.each<[string, string]>([
    ["{$.data", "unclosed action"],
    ["{$.data\n}", "unclosed action"],
    ["{$.a[0}", "unterminated array"],
    ["{$.a[0\n]}", "unterminated array"],
    ["{$.a[x]}", "invalid array index x"],
    ["{$.a[1:-]}", "array index - is not a number"],
    ["{$....a}", "invalid multiple recursive descent"],
    ['{$.a[?(@.x=="y"]}', "unterminated filter"],
    ["{$.a[?(@.x)x]}", "unclosed array expect ]"],
    ['{"abc}', "unterminated quoted string"],
    ["{#}", "unrecognized character in action: U+0023 '#'"],
    ["{..*}", "unrecognized character in action: U+002A '*'"],
    ["{1.2.3}", "cannot parse number 1.2.3"],
    ["{range .items[*]}{.v}{end}", "{range} is not supported by the local engine's web provider"],
  ])("%j does not parse: %s", (template, message) => {
    expect(() => parseJsonPath(template)).toThrow(JsonPathError);
    expect(() => parseJsonPath(template)).toThrow(message);
  });
});
