import { describe, expect, it } from "vitest";
import { seededRandom } from "../../shared/seeded-random.ts";
import type { FetchResult, ServerHints } from "./fetch.ts";
import {
  backoffMs,
  type CheckResult,
  checkResultOf,
  DEFAULT_SCHEDULE,
  type FeedSchedule,
  freshSchedule,
  maxAgeMs,
  nextSchedule,
  publishingInterval,
  retryAfterMs,
  serverHintMs,
} from "./schedule.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const NO_HINTS: ServerHints = { cacheControl: null, retryAfter: null };
const noJitter = () => 0;

/** Entries published every `gap` ms, the newest `age` ms ago. */
const everyGap = (count: number, gap: number, age = 0) =>
  Array.from({ length: count }, (_, i) => NOW - age - i * gap);

const success = (entryTimes: readonly number[], hints = NO_HINTS): CheckResult => ({
  ok: true,
  entryTimes,
  hints,
});
const failure = (retryable = true, hints = NO_HINTS): CheckResult => ({ ok: false, retryable, hints });

describe("publishingInterval", () => {
  it("is the median gap between the newest entries", () => {
    expect(publishingInterval(everyGap(10, 2 * HOUR), NOW)).toBe(2 * HOUR);
    // Gaps 1 h, 1 h, 10 h (a holiday): the median ignores the outlier.
    const times = [NOW, NOW - HOUR, NOW - 2 * HOUR, NOW - 12 * HOUR];
    expect(publishingInterval(times, NOW)).toBe(HOUR);
    // An even number of gaps: the mean of the two middle ones (1 h and 3 h).
    expect(publishingInterval([NOW, NOW - HOUR, NOW - 4 * HOUR, NOW - 14 * HOUR, NOW - 15 * HOUR], NOW)).toBe(
      2 * HOUR,
    );
  });

  it("does not care about order or duplicates, and ignores future and invalid dates", () => {
    const times = [NOW - 6 * HOUR, NOW, NOW - 3 * HOUR, NOW - 3 * HOUR, NOW + 1000 * HOUR, Number.NaN];
    expect(publishingInterval(times, NOW)).toBe(3 * HOUR);
  });

  it("reads only the newest sampleSize entries", () => {
    // 20 recent entries an hour apart, then a year of daily ones: the recent rate wins.
    const times = [...everyGap(20, HOUR), ...everyGap(365, 24 * HOUR, 30 * HOUR)];
    expect(publishingInterval(times, NOW)).toBe(HOUR);
    expect(publishingInterval(times, NOW, { ...DEFAULT_SCHEDULE, sampleSize: 400 })).toBe(24 * HOUR);
  });

  it("is clamped to [5 min, 24 h]", () => {
    expect(publishingInterval(everyGap(10, MINUTE), NOW)).toBe(5 * MINUTE);
    expect(publishingInterval(everyGap(10, 7 * 24 * HOUR), NOW)).toBe(24 * HOUR);
  });

  it("is the default interval while there are fewer than two dated entries", () => {
    expect(publishingInterval([], NOW)).toBe(HOUR);
    expect(publishingInterval([NOW - HOUR], NOW)).toBe(HOUR);
    expect(publishingInterval([NOW, NOW], NOW)).toBe(HOUR);
  });
});

describe("server hints", () => {
  it("reads max-age from Cache-Control, unless the response may not be reused", () => {
    expect(maxAgeMs("public, max-age=3600")).toBe(3600 * 1000);
    expect(maxAgeMs('MAX-AGE="60"')).toBe(60_000);
    expect(maxAgeMs("max-age=0")).toBe(0);
    expect(maxAgeMs("private")).toBeNull();
    expect(maxAgeMs("max-age=3600, no-cache")).toBeNull();
    expect(maxAgeMs("no-store")).toBeNull();
    expect(maxAgeMs("max-age=abc")).toBeNull();
    expect(maxAgeMs(null)).toBeNull();
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("120", NOW)).toBe(120_000);
    expect(retryAfterMs(" 0 ", NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW + 2 * HOUR).toUTCString(), NOW)).toBe(2 * HOUR);
    expect(retryAfterMs("Wed, 01 May 2024 11:00:00 GMT", NOW)).toBe(0); // in the past
    expect(retryAfterMs("soon", NOW)).toBeNull();
    expect(retryAfterMs("-5", NOW)).toBeNull();
    expect(retryAfterMs("2024-05-01", NOW)).toBeNull();
    expect(retryAfterMs("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(0);
    expect(retryAfterMs("Wed May  1 14:00:00 2024", NOW)).not.toBeNull();
    expect(retryAfterMs(null, NOW)).toBeNull();
  });

  it("takes the later hint, capped at the longest interval", () => {
    expect(serverHintMs({ cacheControl: "max-age=600", retryAfter: "1200" }, NOW)).toBe(1_200_000);
    expect(serverHintMs({ cacheControl: "max-age=6000", retryAfter: "1200" }, NOW)).toBe(6_000_000);
    expect(serverHintMs({ cacheControl: "max-age=31536000", retryAfter: null }, NOW)).toBe(24 * HOUR);
    expect(serverHintMs(NO_HINTS, NOW)).toBe(0);
  });
});

describe("backoffMs", () => {
  it("doubles from 5 minutes with each consecutive failure, up to a day", () => {
    const delays = [1, 2, 3, 4, 5, 9, 10, 30].map((n) => backoffMs(n, true) / MINUTE);
    expect(delays).toEqual([5, 10, 20, 40, 80, 1280, 1440, 1440]);
  });

  it("goes straight to the longest delay for a failure that will not heal soon", () => {
    expect(backoffMs(1, false)).toBe(24 * HOUR);
  });
});

describe("nextSchedule", () => {
  const healthy: FeedSchedule = freshSchedule(NOW);

  it("starts a new feed due at once", () => {
    expect(freshSchedule(NOW)).toEqual({ failures: 0, disabled: false, nextCheckAt: NOW });
  });

  it("after a success, checks again after the publishing interval", () => {
    expect(nextSchedule(healthy, success(everyGap(5, 3 * HOUR)), NOW)).toEqual({
      failures: 0,
      disabled: false,
      nextCheckAt: NOW + 3 * HOUR,
    });
  });

  it("after a success, waits longer when the server's max-age or Retry-After says so, never shorter", () => {
    const hourly = everyGap(5, HOUR);
    const later = nextSchedule(
      healthy,
      success(hourly, { cacheControl: "max-age=7200", retryAfter: null }),
      NOW,
    );
    expect(later.nextCheckAt).toBe(NOW + 2 * HOUR);
    const sooner = nextSchedule(
      healthy,
      success(hourly, { cacheControl: "max-age=60", retryAfter: null }),
      NOW,
    );
    expect(sooner.nextCheckAt).toBe(NOW + HOUR);
    const date = new Date(NOW + 5 * HOUR).toUTCString();
    const retry = nextSchedule(healthy, success(hourly, { cacheControl: null, retryAfter: date }), NOW);
    expect(retry.nextCheckAt).toBe(NOW + 5 * HOUR);
  });

  it("a success clears earlier failures", () => {
    const failing: FeedSchedule = { failures: 7, disabled: false, nextCheckAt: NOW };
    expect(nextSchedule(failing, success([]), NOW)).toEqual({
      failures: 0,
      disabled: false,
      nextCheckAt: NOW + HOUR,
    });
  });

  it("backs off exponentially on consecutive failures", () => {
    let state = healthy;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      state = nextSchedule(state, failure(), NOW, DEFAULT_SCHEDULE, noJitter);
      waits.push((state.nextCheckAt! - NOW) / MINUTE);
    }
    expect(waits).toEqual([5, 10, 20, 40, 80]);
    expect(state).toMatchObject({ failures: 5, disabled: false });
  });

  it("adds up to 25% jitter, only ever lengthening the delay, reproducibly from a seed", () => {
    const failing: FeedSchedule = { failures: 2, disabled: false, nextCheckAt: NOW };
    const base = 20 * MINUTE;
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, () =>
        nextSchedule(failing, failure(), NOW, DEFAULT_SCHEDULE, random),
      );
    };
    const delays = run(42).map((s) => s.nextCheckAt! - NOW);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThan(base * 1.25);
    }
    expect(new Set(delays).size).toBeGreaterThan(40); // spread, not one value
    expect(run(42)).toEqual(run(42));
    expect(nextSchedule(failing, failure(), NOW, DEFAULT_SCHEDULE, () => 0.5).nextCheckAt).toBe(
      NOW + base * 1.125,
    );
  });

  it("honours Retry-After on a failure when it asks for longer than the backoff", () => {
    const hints = { cacheControl: null, retryAfter: "3600" };
    expect(nextSchedule(healthy, failure(true, hints), NOW, DEFAULT_SCHEDULE, noJitter).nextCheckAt).toBe(
      NOW + HOUR,
    );
    const short = { cacheControl: null, retryAfter: "1" };
    expect(nextSchedule(healthy, failure(true, short), NOW, DEFAULT_SCHEDULE, noJitter).nextCheckAt).toBe(
      NOW + 5 * MINUTE,
    );
  });

  it("waits the longest delay after a failure that is not retryable", () => {
    expect(nextSchedule(healthy, failure(false), NOW, DEFAULT_SCHEDULE, noJitter)).toEqual({
      failures: 1,
      disabled: false,
      nextCheckAt: NOW + 24 * HOUR,
    });
  });

  it("disables a feed after maxFailures consecutive failures", () => {
    const options = { ...DEFAULT_SCHEDULE, maxFailures: 3 };
    let state = healthy;
    state = nextSchedule(state, failure(), NOW, options, noJitter);
    state = nextSchedule(state, failure(), NOW, options, noJitter);
    expect(state).toMatchObject({ failures: 2, disabled: false });
    state = nextSchedule(state, failure(), NOW, options, noJitter);
    expect(state).toEqual({ failures: 3, disabled: true, nextCheckAt: null });
  });

  it("with the defaults, a feed failing every time is disabled at the tenth failure", () => {
    let state = healthy;
    let clock = NOW;
    let checks = 0;
    while (!state.disabled) {
      state = nextSchedule(state, failure(), clock, DEFAULT_SCHEDULE, noJitter);
      clock = state.nextCheckAt ?? clock;
      checks++;
    }
    expect(checks).toBe(10);
    // 5 min · (1 + 2 + … + 256) before the tenth check: about a day and a half of retries.
    expect(clock - NOW).toBe(5 * MINUTE * 511);
  });

  it("never disables when maxFailures is 0", () => {
    const options = { ...DEFAULT_SCHEDULE, maxFailures: 0 };
    const state = nextSchedule(
      { failures: 500, disabled: false, nextCheckAt: NOW },
      failure(),
      NOW,
      options,
      noJitter,
    );
    expect(state).toEqual({ failures: 501, disabled: false, nextCheckAt: NOW + 24 * HOUR });
  });
});

describe("checkResultOf", () => {
  const hints = { cacheControl: "max-age=60", retryAfter: null };
  const validators = { etag: null, lastModified: null };

  it("counts ok and not_modified as successes and error as a failure", () => {
    const ok: FetchResult = {
      kind: "ok",
      url: "https://example.com/feed",
      status: 200,
      body: new Uint8Array(),
      contentType: null,
      validators,
      hints,
    };
    const notModified: FetchResult = {
      kind: "not_modified",
      url: "https://example.com/feed",
      validators,
      hints,
    };
    const error: FetchResult = {
      kind: "error",
      reason: "http_status",
      retryable: false,
      message: "HTTP 404",
      url: "https://example.com/feed",
      status: 404,
      hints,
    };
    expect(checkResultOf(ok, [NOW])).toEqual({ ok: true, entryTimes: [NOW], hints });
    expect(checkResultOf(notModified, [NOW])).toEqual({ ok: true, entryTimes: [NOW], hints });
    expect(checkResultOf(error, [NOW])).toEqual({ ok: false, retryable: false, hints });
  });
});
