/**
 * When to check a feed next (pure: the clock and the random source are arguments).
 *
 * After a successful check (fetched, or 304 Not Modified):
 *   interval = clamp(median gap between the newest `sampleSize` entry dates, minInterval, maxInterval)
 *              (defaultInterval while the feed has fewer than two dated entries)
 *   next     = now + max(interval, server hint)
 * After a failed one (the `failures`-th in a row):
 *   backoff  = min(backoffBase · 2^(failures − 1), backoffMax)   (backoffMax at once if not retryable:
 *              a 404 or a refused address will not heal in minutes)
 *   next     = now + max(backoff · (1 + jitter · random()), server hint)
 *   and once failures reaches maxFailures (0 = never) the feed is disabled: no next check until re-enabled.
 * server hint = the later of `Cache-Control: max-age` and `Retry-After` (seconds or an HTTP date), capped
 * at maxInterval so a server cannot park a feed for a year. Jitter only ever lengthens a delay, so feeds
 * failing together (one host down) spread out instead of retrying in lockstep.
 */
import type { FetchResult, ServerHints } from "./fetch.ts";

export interface ScheduleOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Used until a feed has two dated entries. */
  defaultIntervalMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Fraction of the backoff added at random (0.25: up to +25%). */
  jitter: number;
  /** Consecutive failures that disable a feed (FEED_MAX_FAILURES); 0 never disables. */
  maxFailures: number;
  /** How many of the newest entries the publishing rate is read from. */
  sampleSize: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_SCHEDULE: ScheduleOptions = {
  minIntervalMs: 5 * MINUTE,
  maxIntervalMs: 24 * HOUR,
  defaultIntervalMs: HOUR,
  backoffBaseMs: 5 * MINUTE,
  backoffMaxMs: 24 * HOUR,
  jitter: 0.25,
  maxFailures: 10,
  sampleSize: 20,
};

/** A feed's scheduling state, as the store keeps it and the feed status shows it. */
export interface FeedSchedule {
  /** Consecutive failed checks; 0 after a success. */
  failures: number;
  /** Set once `failures` reaches maxFailures; a disabled feed is not checked until re-enabled. */
  disabled: boolean;
  /** When to check next (ms since the epoch); null while disabled. */
  nextCheckAt: number | null;
}

/** What a check found, as far as scheduling cares. */
export type CheckResult =
  | { ok: true; entryTimes: readonly number[]; hints: ServerHints }
  | { ok: false; retryable: boolean; hints: ServerHints };

/** A new feed (or a re-enabled one): due now, no failures. */
export const freshSchedule = (now: number): FeedSchedule => ({
  failures: 0,
  disabled: false,
  nextCheckAt: now,
});

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The feed's publishing interval: the median gap between its newest dated entries (ms since the epoch,
 * any order; future dates are ignored), clamped. The median, not the mean, so one long holiday or one
 * burst of posts does not swing it.
 */
export function publishingInterval(
  entryTimes: readonly number[],
  now: number,
  options = DEFAULT_SCHEDULE,
): number {
  const times = [...new Set(entryTimes.filter((t) => Number.isFinite(t) && t <= now))]
    .sort((a, b) => b - a)
    .slice(0, options.sampleSize);
  if (times.length < 2) return clamp(options.defaultIntervalMs, options.minIntervalMs, options.maxIntervalMs);
  const gaps = times
    .slice(1)
    .map((t, i) => times[i]! - t)
    .sort((a, b) => a - b);
  return clamp(median(gaps), options.minIntervalMs, options.maxIntervalMs);
}

/** `max-age` of a Cache-Control header in ms; null when absent, or when the response may not be reused. */
export function maxAgeMs(cacheControl: string | null): number | null {
  if (!cacheControl) return null;
  const directives = cacheControl
    .toLowerCase()
    .split(",")
    .map((d) => d.trim());
  if (directives.includes("no-store") || directives.includes("no-cache")) return null;
  for (const directive of directives) {
    const match = /^max-age\s*=\s*"?(\d+)"?$/.exec(directive);
    if (match) return Number(match[1]) * 1000;
  }
  return null;
}

/** How long a Retry-After header (delay-seconds or HTTP-date) asks to wait from `now`, in ms; null if none. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would read "-5" as a year.
  const date = /^[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The later of the server's two hints, capped at maxInterval; 0 when it gave none. */
export function serverHintMs(hints: ServerHints, now: number, options = DEFAULT_SCHEDULE): number {
  const asked = Math.max(maxAgeMs(hints.cacheControl) ?? 0, retryAfterMs(hints.retryAfter, now) ?? 0);
  return Math.min(asked, options.maxIntervalMs);
}

/** The backoff before retrying after the `failures`-th consecutive failure, before jitter. */
export function backoffMs(failures: number, retryable: boolean, options = DEFAULT_SCHEDULE): number {
  if (!retryable) return options.backoffMaxMs;
  return Math.min(options.backoffBaseMs * 2 ** Math.max(0, failures - 1), options.backoffMaxMs);
}

/** The schedule after a check that ended at `now`. `random` returns [0, 1) (seed it in tests). */
export function nextSchedule(
  previous: FeedSchedule,
  result: CheckResult,
  now: number,
  options = DEFAULT_SCHEDULE,
  random: () => number = Math.random,
): FeedSchedule {
  const hint = serverHintMs(result.hints, now, options);
  if (result.ok) {
    const interval = publishingInterval(result.entryTimes, now, options);
    return { failures: 0, disabled: false, nextCheckAt: now + Math.max(interval, hint) };
  }
  const failures = previous.failures + 1;
  if (options.maxFailures > 0 && failures >= options.maxFailures)
    return { failures, disabled: true, nextCheckAt: null };
  const delay = Math.round(backoffMs(failures, result.retryable, options) * (1 + options.jitter * random()));
  return { failures, disabled: false, nextCheckAt: now + Math.max(delay, hint) };
}

/**
 * Adapts a fetch result: ok and not_modified are successes (a 304 says the feed is alive), an error is a
 * failure. `entryTimes` are the feed's newest entry dates, from the parsed feed or, after a 304, the store.
 */
export function checkResultOf(result: FetchResult, entryTimes: readonly number[]): CheckResult {
  return result.kind === "error"
    ? { ok: false, retryable: result.retryable, hints: result.hints }
    : { ok: true, entryTimes, hints: result.hints };
}
