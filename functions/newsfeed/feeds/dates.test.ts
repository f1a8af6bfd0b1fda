import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDate } from "./dates.ts";

describe("parseDate: RFC 3339 / W3C-DTF", () => {
  it.each([
    ["2003-12-31T10:14:55Z", "2003-12-31T10:14:55.000Z"],
    ["2003-12-31T10:14:55.123456Z", "2003-12-31T10:14:55.123Z"],
    ["2003-12-31T10:14:55.5+01:00", "2003-12-31T09:14:55.500Z"],
    ["2003-12-31t10:14:55z", "2003-12-31T10:14:55.000Z"],
    ["2003-12-31 10:14:55", "2003-12-31T10:14:55.000Z"], // space for T, no zone: UTC
    ["2002-10-17T17:00+01:00", "2002-10-17T16:00:00.000Z"], // no seconds
    ["2002-10-17T17:00-0530", "2002-10-17T22:30:00.000Z"],
    ["2002-10-17T17:00:00+01", "2002-10-17T16:00:00.000Z"],
    ["2002-10-17T23:30:00-02:00", "2002-10-18T01:30:00.000Z"], // crosses midnight
    ["2002-10-17T10:00:00 UTC", "2002-10-17T10:00:00.000Z"],
    ["20031231T101455Z", "2003-12-31T10:14:55.000Z"], // basic format
    ["2003-12-31", "2003-12-31T00:00:00.000Z"],
    ["2003-12", "2003-12-01T00:00:00.000Z"],
    ["2003", "2003-01-01T00:00:00.000Z"],
    ["  2004-02-29T00:00:00Z \n", "2004-02-29T00:00:00.000Z"],
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59.000Z"], // leap second kept in its minute
  ])("%s → %s", (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });
});

describe("parseDate: RFC 822 / RFC 2822 and what feeds do to them", () => {
  it.each([
    ["Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"],
    ["Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01.000Z"],
    ["01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21.000Z"], // no weekday
    ["Thu, 1 Jan 2004 19:48 EST", "2004-01-02T00:48:00.000Z"], // one-digit day, no seconds, named zone
    ["Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21.000Z"],
    ["Thu, 01 Jan 2004 19:48:21 CEST", "2004-01-01T17:48:21.000Z"],
    ["Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21.000Z"],
    ["Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21.000Z"],
    ["Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21.000Z"], // two-digit year < 50 → 20xx
    ["Fri, 31 Dec 99 23:59:59 GMT", "1999-12-31T23:59:59.000Z"], // two-digit year ≥ 50 → 19xx
    ["Thu, 01 Jan 104 19:48:21 GMT", "2004-01-01T19:48:21.000Z"], // three digits: + 1900
    ["Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"], // full names
    ["Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21.000Z"], // a wrong weekday is ignored
    ["Thu, 01 Jan 2004 19:48:21 +01:00", "2004-01-01T18:48:21.000Z"], // RFC 3339 offset
    ["Thu, 01 Jan 2004 19:48:21 -0500 (EST)", "2004-01-02T00:48:21.000Z"], // comment
    ["Thu, 01 Jan 2004 19:48:21 GMT+0100", "2004-01-01T18:48:21.000Z"],
    ["Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21.000Z"], // no zone: UTC
    ["Thu, 01 Jan 2004 19:48:21 XYZ", "2004-01-01T19:48:21.000Z"], // unknown zone: UTC
    ["Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T19:48:21.000Z"], // military letter: UTC (RFC 2822)
    ["Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21.000Z"], // RFC 850
    ["Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21.000Z"], // ctime
    ["Jan 01 2004 7:48 PM", "2004-01-01T19:48:00.000Z"],
    ["Jan 01 2004 12:05 am", "2004-01-01T00:05:00.000Z"],
    ["01 Jan 2004", "2004-01-01T00:00:00.000Z"], // no time
    ["Thu, 01 Jan 2004 19:48:21.250 GMT", "2004-01-01T19:48:21.250Z"],
  ])("%s → %s", (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });
});

describe("parseDate: invalid input is null", () => {
  it.each([
    [null],
    [undefined],
    [""],
    ["   "],
    ["yesterday"],
    ["2003-13-01T00:00:00Z"], // month 13
    ["2003-04-31"], // 31 April
    ["2003-02-29"], // not a leap year
    ["2003-12-31T24:00:00Z"],
    ["2003-12-31T10:60:00Z"],
    ["2003-12-31T10:14:55+25:00"],
    ["2003-12-31T10:14:55+01:75"],
    ["0000-01-01"],
    ["Thu, 32 Jan 2004 19:48:21 GMT"],
    ["Thu, 01 Foo 2004 19:48:21 GMT"],
    ["Thu, 01 Jan 19:48:21 GMT"], // no year
    ["Thu, 01 Jan 2004 19:48:21 GMT extra"],
    ["Thu, 01 Jan 2004 19:48:21 +01:00:00"],
    ["Jan 01 2004 13:00 PM"],
    ["Jan 01 2004 am"],
    ["9999-12-31T23:00:00-02:00"], // shifts past year 9999
    [`Thu, 01 Jan 2004 ${"1".repeat(200)}`], // over the length cap
  ])("%s → null", (input) => {
    expect(parseDate(input)).toBeNull();
  });

  it("never throws, and returns either null or a normalised ISO string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const result = parseDate(text);
        expect(result === null || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(result)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips any ISO instant", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0100-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
        (d) => {
          expect(parseDate(d.toISOString())).toBe(d.toISOString());
          expect(parseDate(d.toUTCString())).toBe(
            new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString(),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
