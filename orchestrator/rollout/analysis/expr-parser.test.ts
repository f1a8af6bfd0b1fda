import { describe, expect, it } from "vitest";
import { ConditionSyntaxError, evaluateCondition, parseCondition } from "./condition.ts";

describe("parseCondition", () => {
  it.each<[string, string, number, number]>([
    ["result >> 1", 'unexpected token Operator(">")', 1, 9],
    ["result[0] >= ", "unexpected end of expression", 1, 14],
    ["(result[0] >= 1", "unexpected end of expression", 1, 16],
    ["result[0] >= 1)", 'unexpected token Bracket(")")', 1, 15],
    ["'abc", "literal not terminated", 1, 1],
    ["result ==\n  'a\nb'", "literal not terminated", 2, 3],
    ["'\\q'", "invalid char escape", 1, 1],
    ["'\\x4'", "invalid char escape", 1, 1],
    ["'abc\\", "literal not terminated", 1, 1],
    ["`abc", "literal not terminated", 1, 1],
    ["1 /* open", "unclosed comment", 1, 3],
    ["result @ 1", "unrecognized character: U+0040 '@'", 1, 8],
    ["12abc > 1", 'bad number syntax: "12a"', 1, 1],
    ["99999999999999999999 > 1", "integer literal is too large", 1, 1],
    ["1 < 1e999", "invalid number literal: 1e999", 1, 5],
    ["a not b", 'unexpected token Identifier("b")', 1, 7],
    [
      "a ?? b || c",
      "Operator (||) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
      1,
      8,
    ],
    [
      "result | len()",
      "the pipe operator (|) is not supported in analysis conditions by the local engine",
      1,
      8,
    ],
    ["let x = 1; x > 0", '"let" is not supported in analysis conditions by the local engine', 1, 1],
    ["if true { 1 } else { 2 }", '"if" is not supported in analysis conditions by the local engine', 1, 1],
    [
      "(1; 2)",
      "a sequence of expressions (;) is not supported in analysis conditions by the local engine",
      1,
      3,
    ],
    [
      "1; 2",
      "a sequence of expressions (;) is not supported in analysis conditions by the local engine",
      1,
      2,
    ],
    ["{a: 1}", "map literals are not supported in analysis conditions by the local engine", 1, 1],
    ["result.size() > 0", "method calls are not supported in analysis conditions by the local engine", 1, 8],
    ["::len(result)", '"::" is not supported in analysis conditions by the local engine', 1, 1],
    ["result.1 > 0", 'unexpected token Number(".1")', 1, 7],
    ["result.+", "expected name", 1, 8],
    ["# > 1", 'unexpected token Operator("#")', 1, 1],
    ["all(result, # > 1; true)", "wrap predicate with brackets { and }", 1, 18],
    [
      "all(result, {# > 1; true})",
      "a sequence of expressions (;) is not supported in analysis conditions by the local engine",
      1,
      19,
    ],
    ["all(result)", "expected at least 2 arguments", 1, 11],
    ["[1, 2", "unexpected end of expression", 1, 6],
    ["true ? 1", "unexpected end of expression", 1, 9],
    ["len(1 2)", 'unexpected token Number("2")', 1, 7],
    ["", "unexpected end of expression", 1, 1],
  ])("%j: %s at %i:%i", (source, reason, line, column) => {
    let error: unknown;
    try {
      parseCondition(source);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConditionSyntaxError);
    const syntax = error as ConditionSyntaxError;
    expect(syntax.reason).toBe(reason);
    expect([syntax.line, syntax.column]).toEqual([line, column]);
    expect(syntax.brief).toBe(`${reason} (${line}:${column})`);
    expect(syntax.message.split("\n")[2]).toBe(` | ${".".repeat(column - 1)}^`);
  });

  it("accepts what the subset allows: trailing commas, optional predicate args, comments, nesting", () => {
    for (const source of [
      "[1, 2,] == [1, 2]",
      "len(result,) > 0",
      "count([true, false]) == 1",
      "count([true, false],) == 1",
      "sortBy(result, #)",
      "all(result, {# > 0},)",
      "result?.[0] == 1",
      "a.not.in == 1",
    ]) {
      expect(() => parseCondition(source), source).not.toThrow();
    }
    expect(evaluateCondition("count([true, false]) == 1", null)).toBe(true);
    expect(evaluateCondition("result?.[0] == 1", [1])).toBe(true);
    expect(evaluateCondition("result?.[0] == nil", null)).toBe(true);
  });

  it("refuses pathological nesting with a syntax error, not a crash", () => {
    expect(() => parseCondition(`${"(".repeat(50_000)}1${")".repeat(50_000)}`)).toThrow(ConditionSyntaxError);
  });
});
