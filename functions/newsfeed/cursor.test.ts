import { describe, expect, it } from "vitest";
import { CursorError, decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from "./cursor.ts";

/** A token carrying any JSON text, as a client tampering with a cursor could make one. */
function tokenOf(json: string): string {
  return encodeBytes(new TextEncoder().encode(json));
}

function encodeBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

describe("encodeCursor / decodeCursor", () => {
  it("round-trips string and integer ids, unicode included, through a base64url token", () => {
    for (const cursor of [
      { asOf: 1_735_689_600_000, score: 0.123456789012345, id: "a1" },
      { asOf: 0, score: 0, id: 42 },
      { asOf: 1, score: 1e-300, id: "é😀/+=" },
    ]) {
      const token = encodeCursor(cursor);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(token)).toEqual(cursor);
    }
  });

  it("is the base64url of a versioned JSON object (what Buffer makes too)", () => {
    const token = encodeCursor({ asOf: 5, score: 1.5, id: "x" });
    expect(token).toBe(tokenOf('{"v":1,"asOf":5,"score":1.5,"id":"x"}'));
  });
});

describe("decodeCursor refuses what we did not issue", () => {
  const valid = { v: 1, asOf: 5, score: 1.5, id: "x" };
  const withField = (field: string, value: unknown) => tokenOf(JSON.stringify({ ...valid, [field]: value }));

  it.each([
    ["an empty token", ""],
    ["a token with other characters", "eyJ2IjoxfQ=="],
    ["a token with a plus", "ab+c"],
    ["a too long token", "A".repeat(MAX_CURSOR_LENGTH + 1)],
    ["a token of impossible length", "A"],
    ["text that is not JSON", tokenOf("hello")],
    ["bytes that are not UTF-8", encodeBytes(new Uint8Array([0x7b, 0xff, 0x7d]))],
    ["JSON null", tokenOf("null")],
    ["a JSON number", tokenOf("12")],
    ["an array", tokenOf('[1, 5, 1.5, "x"]')],
    ["another version", withField("v", 2)],
    ["no version", tokenOf('{"asOf":5,"score":1.5,"id":"x"}')],
    ["a negative asOf", withField("asOf", -1)],
    ["a fractional asOf", withField("asOf", 1.5)],
    ["a string asOf", withField("asOf", "5")],
    ["a negative score", withField("score", -0.5)],
    ["an infinite score", tokenOf('{"v":1,"asOf":5,"score":1e400,"id":"x"}')],
    ["a string score", withField("score", "1.5")],
    ["an empty id", withField("id", "")],
    ["a too long id", withField("id", "x".repeat(513))],
    ["a fractional id", withField("id", 1.5)],
    ["an object id", withField("id", { a: 1 })],
    ["a null id", withField("id", null)],
  ])("%s", (_name, token) => {
    expect(() => decodeCursor(token)).toThrow(CursorError);
  });

  it("refuses a truncated token and says why, with a stable code", () => {
    const token = encodeCursor({ asOf: 5, score: 1.5, id: "abc" });
    let caught: unknown;
    try {
      decodeCursor(token.slice(0, -3));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CursorError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ name: "CursorError", code: "invalid_cursor", message: /JSON/ });
  });
});
