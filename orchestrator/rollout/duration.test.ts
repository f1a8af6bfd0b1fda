import { describe, expect, it } from "vitest";
import { DurationError, formatDuration, parseDuration, parseSecondsOrDuration } from "./duration.ts";

describe("parseDuration (Go's time.ParseDuration)", () => {
  it.each([
    ["30s", 30],
    ["2m", 120],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["1.5h", 5400],
    ["2h45m10s", 9910],
    ["1m30.5s", 90.5],
    [".5s", 0.5],
    ["1.s", 1],
    ["+5s", 5],
    ["0", 0],
    ["-0", 0],
    ["0s", 0],
    ["250us", 0.00025],
    ["250µs", 0.00025],
    ["250μs", 0.00025],
    ["100ns", 1e-7],
    ["1h1h", 7200],
  ])("%s is %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each([
    ["", /empty/],
    ["30", /unit after 30 is missing/],
    ["1.5", /unit after 1\.5 is missing/],
    ["5x", /unknown unit "x"/],
    ["5 s", /unknown unit " s"/],
    ["1d", /unknown unit "d"/],
    ["s", /number is missing/],
    [".s", /number is missing/],
    ["1m-5s", /unknown unit "m-"/],
    ["-5s", /negative/],
    ["+", /empty/],
    ["3000000h", /292 years/],
  ])("%j is refused", (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it("quotes the text and shows examples", () => {
    expect(() => parseDuration("5x")).toThrow(/^"5x" is not a duration: .*e\.g\. "30s"/);
  });
});

describe("parseSecondsOrDuration (Argo's pause.duration)", () => {
  it.each([
    [30, 30],
    [0, 0],
    ["30", 30],
    ["+30", 30],
    ["30s", 30],
    ["2m", 120],
    ["1h", 3600],
    // Argo's DurationSeconds truncates to whole seconds.
    ["1500ms", 1],
    ["500ms", 0],
  ])("%j is %d seconds", (value, seconds) => {
    expect(parseSecondsOrDuration(value)).toBe(seconds);
  });

  it.each([
    [1.5, /not a whole number/],
    [-1, /negative/],
    ["-1", /negative/],
    ["2147483648", /out of range/],
    ["1.5", /unit after 1\.5 is missing/],
    ["ten", /unknown unit|number is missing/],
    [true, /got boolean true/],
    [null, /got null/],
    [[], /got a list/],
    [{}, /got a mapping/],
  ])("%j is refused", (value, message) => {
    expect(() => parseSecondsOrDuration(value)).toThrow(DurationError);
    expect(() => parseSecondsOrDuration(value)).toThrow(message);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [0.25, "250ms"],
    [0.0004, "0s"],
    [1, "1s"],
    [1.5, "1.5s"],
    [30, "30s"],
    [90, "1m30s"],
    [120, "2m"],
    [3600, "1h"],
    [5400, "1h30m"],
    [3661, "1h1m1s"],
    [59.9996, "1m"],
    [-90, "-1m30s"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("%d seconds is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("reads back what it writes", () => {
    for (const seconds of [0, 0.25, 1.5, 42, 90, 120, 5400, 86_400 + 61]) {
      expect(parseDuration(formatDuration(seconds))).toBeCloseTo(seconds, 6);
    }
  });
});
