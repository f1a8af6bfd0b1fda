/**
 * feedparser's well-formed RSS and Atom 1.0 cases: every file must parse (no exception at all), and the
 * translatable `Expect:` lines (see testing/feedparser-cases.ts for what that means) must pass at ≥ 90%.
 * Prints the counts by folder and the first failing cases.
 */
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import type { ParsedFeed } from "./entry.ts";
import { parseFeed } from "./parse.ts";
import {
  type FeedCase,
  FOLDERS,
  loadCases,
  skipWithoutCases,
  translate,
} from "./testing/feedparser-cases.ts";

const TARGET = 0.9;

interface Outcome {
  feedCase: FeedCase;
  feed?: ParsedFeed;
  error?: unknown;
  verdict: "pass" | "fail" | "untranslatable";
  detail: string;
}

function run(feedCase: FeedCase): Outcome {
  let feed: ParsedFeed | undefined;
  let error: unknown;
  try {
    feed = parseFeed(feedCase.bytes, { url: `http://conformance.test/${feedCase.folder}/${feedCase.name}` });
  } catch (e) {
    error = e;
  }
  const translation = translate(feedCase.expect, Buffer.from(feedCase.bytes).toString("latin1"));
  if (!translation.ok)
    return { feedCase, feed, error, verdict: "untranslatable", detail: translation.reason };
  if (!feed) return { feedCase, error, verdict: "fail", detail: `threw ${String(error)}` };
  for (const check of translation.checks) {
    const actual = check.actual(feed);
    if (!isDeepStrictEqual(actual, check.expected)) {
      return {
        feedCase,
        feed,
        verdict: "fail",
        detail: `${check.path}: expected ${JSON.stringify(check.expected)}, got ${JSON.stringify(actual)}`,
      };
    }
  }
  return { feedCase, feed, verdict: "pass", detail: "" };
}

describe.skipIf(skipWithoutCases())("feedparser conformance (wellformed rss, atom10)", () => {
  const outcomes = FOLDERS.flatMap((folder) => loadCases(folder).map(run));

  it("finds the cases", () => {
    for (const folder of FOLDERS) {
      expect(outcomes.filter((o) => o.feedCase.folder === folder).length).toBeGreaterThan(100);
    }
  });

  it("parses every file without an exception", () => {
    const crashed = outcomes.filter((o) => o.error !== undefined);
    expect(crashed.map((o) => `${o.feedCase.folder}/${o.feedCase.name}: ${String(o.error)}`)).toEqual([]);
  });

  it(`passes at least ${TARGET * 100}% of the translatable cases`, () => {
    const lines = ["feedparser conformance:"];
    for (const folder of FOLDERS) {
      const mine = outcomes.filter((o) => o.feedCase.folder === folder);
      const count = (verdict: Outcome["verdict"]) => mine.filter((o) => o.verdict === verdict).length;
      const translatable = count("pass") + count("fail");
      lines.push(
        `  ${folder}: ${mine.length} files, ${translatable} translatable, ${count("pass")} pass, ` +
          `${count("fail")} fail, ${count("untranslatable")} untranslatable`,
      );
    }
    const passed = outcomes.filter((o) => o.verdict === "pass").length;
    const failed = outcomes.filter((o) => o.verdict === "fail");
    const rate = passed / (passed + failed.length);
    lines.push(
      `  total: ${passed}/${passed + failed.length} translatable cases pass (${(rate * 100).toFixed(1)}%)`,
    );
    if (failed.length > 0) lines.push(`  failing (first 20 of ${failed.length}):`);
    for (const o of failed.slice(0, 20))
      lines.push(`    ${o.feedCase.folder}/${o.feedCase.name} — ${o.detail}`);
    console.log(lines.join("\n"));
    expect(rate).toBeGreaterThanOrEqual(TARGET);
  });
});
