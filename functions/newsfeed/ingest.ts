/**
 * Ingestion: fetch (feeds/fetch.ts, through the FeedFetcher port) → parse (feeds/parse.ts) → upsert the
 * entries (store) → the feed's new schedule (feeds/schedule.ts). `check` is the scheduler's per-feed job;
 * it turns every problem into an outcome the scheduler records. `subscribe` is `POST /api/feeds`: the first
 * fetch proves the URL is a feed before anything is stored.
 */
import type { Config } from "../shared/config.ts";
import { AppError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { isoToMs } from "./article-fields.ts";
import type { ParsedFeed } from "./feeds/entry.ts";
import type { FetchResult, Validators } from "./feeds/fetch.ts";
import { parseFeed } from "./feeds/parse.ts";
import {
  type CheckResult,
  checkResultOf,
  DEFAULT_SCHEDULE,
  type FeedSchedule,
  nextSchedule,
  type ScheduleOptions,
} from "./feeds/schedule.ts";
import { parseAllowlist } from "./feeds/ssrf.ts";
import type { DueFeedRecord, NewsfeedStore } from "./store.ts";
import type { ArticleRecord } from "./store-articles.ts";
import type { FeedRecord, FetchRecord } from "./store-feeds.ts";

/** Fetches a feed's bytes (Node: fetchFeed with the SSRF allowlist and limits bound; the edge: its own). */
export type FeedFetcher = (
  url: string,
  validators: Partial<Validators>,
  signal?: AbortSignal,
) => Promise<FetchResult>;

/** Called with the articles a check stored for the first time: the live-updates hook. */
/** What the config sets for every fetcher (Node's and the edge's) and for the schedule. */
export function ingestSettings(config: Config) {
  return {
    limits: {
      allowlist: parseAllowlist(config.FEED_ALLOWLIST),
      maxBytes: config.FEED_MAX_BYTES,
      timeoutMs: config.FEED_TIMEOUT_SECONDS * 1000,
    },
    schedule: { ...DEFAULT_SCHEDULE, maxFailures: config.FEED_MAX_FAILURES },
  };
}

export type PublishArticles = (feed: FeedRecord, articles: ArticleRecord[]) => void | Promise<void>;

export interface IngestOptions {
  store: NewsfeedStore;
  fetch: FeedFetcher;
  log: Logger;
  schedule?: ScheduleOptions;
  onNewArticles?: PublishArticles;
  now?: () => number;
  /** [0, 1), for the backoff's jitter (seed it in tests). */
  random?: () => number;
}

/** What one check did, and what the scheduler records for it (`fetch`). */
export interface CheckOutcome {
  result: "updated" | "not_modified" | "failed";
  fetch: FetchRecord;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The schedule state a feed row stands for. */
const scheduleOf = (feed: FeedRecord): FeedSchedule => ({
  failures: feed.consecutiveFailures,
  disabled: feed.status === "disabled",
  nextCheckAt: feed.nextCheckAt,
});

const entryTimes = (parsed: ParsedFeed): number[] =>
  parsed.entries.flatMap((e) => {
    const t = isoToMs(e.published ?? e.updated);
    return t === null ? [] : [t];
  });

/** A fetched body that is a feed, or why not. */
function parseBody(result: Extract<FetchResult, { kind: "ok" }>): ParsedFeed | string {
  try {
    return parseFeed(result.body, { url: result.url, contentType: result.contentType ?? undefined });
  } catch (err) {
    return `not a feed: ${(err as Error).message}`;
  }
}

export class FeedIngest {
  readonly #options: IngestOptions & { now: () => number; random: () => number; schedule: ScheduleOptions };

  constructor(options: IngestOptions) {
    this.#options = { now: Date.now, random: Math.random, schedule: DEFAULT_SCHEDULE, ...options };
  }

  /** Checks a due feed: fetch, parse, store new and changed entries. The schedule is left to `record`. */
  async check(feed: FeedRecord, signal?: AbortSignal): Promise<CheckOutcome> {
    const { store, log } = this.#options;
    const result = await this.#options.fetch(
      feed.url,
      { etag: feed.etag, lastModified: feed.lastModified },
      signal,
    );
    if (result.kind === "error") {
      return this.#failed(feed, checkResultOf(result, []), `${result.reason}: ${result.message}`);
    }
    if (result.kind === "not_modified") {
      const times = await store.feeds.recentEntryTimes(feed.id, this.#options.schedule.sampleSize);
      const fetch = this.#record(feed, checkResultOf(result, times), null);
      return {
        result: "not_modified",
        fetch: { ...fetch, etag: result.validators.etag, lastModified: result.validators.lastModified },
        inserted: 0,
        updated: 0,
        unchanged: 0,
      };
    }
    const parsed = parseBody(result);
    if (typeof parsed === "string") {
      // A server answering 200 with an error page heals by itself more often than not: retry with backoff.
      return this.#failed(feed, { ok: false, retryable: true, hints: result.hints }, parsed);
    }
    const stored = await store.articles.upsert(feed.id, parsed.entries, this.#options.now());
    if (stored.inserted.length > 0 && this.#options.onNewArticles) {
      try {
        await this.#options.onNewArticles(feed, stored.inserted);
      } catch (err) {
        log.warn("publishing new articles failed", { feed: feed.id, err: String(err) });
      }
    }
    const fetch = this.#record(feed, checkResultOf(result, entryTimes(parsed)), null);
    return {
      result: "updated",
      fetch: {
        ...fetch,
        etag: result.validators.etag,
        lastModified: result.validators.lastModified,
        title: parsed.title,
        siteLink: parsed.link,
        format: parsed.format,
      },
      inserted: stored.inserted.length,
      updated: stored.updated,
      unchanged: stored.unchanged,
    };
  }

  /** Checks a feed and records the outcome: one scheduled run without the scheduler (the edge's cron, tests). */
  async ingest(feed: FeedRecord, signal?: AbortSignal): Promise<CheckOutcome> {
    const outcome = await this.check(feed, signal);
    await this.#options.store.feeds.recordFetch(feed.id, outcome.fetch);
    return outcome;
  }

  /** The scheduler's job for one due feed (store.ts `feedSource` hands out DueFeedRecord). */
  readonly checkDue = (due: DueFeedRecord, signal: AbortSignal): Promise<CheckOutcome> =>
    this.check(due.feed, signal);

  /**
   * Adds a feed by URL after one fetch shows it is a feed (422 otherwise), with its entries stored at once.
   * A URL already added comes back as it is (`created: false`), re-enabled if it had been disabled.
   */
  async subscribe(url: string, addedBy: string | null): Promise<{ feed: FeedRecord; created: boolean }> {
    const { store } = this.#options;
    const now = this.#options.now();
    const existing = await store.feeds.getByUrl(url);
    if (existing) {
      if (existing.status === "disabled") await store.feeds.reactivate(existing.id, now);
      return { feed: (await store.feeds.get(existing.id)) ?? existing, created: false };
    }
    const result = await this.#options.fetch(url, {});
    if (result.kind !== "ok") {
      const why = result.kind === "error" ? `${result.reason}: ${result.message}` : "unexpected 304";
      throw new AppError(422, "feed_unreachable", `Could not fetch ${url} (${why})`);
    }
    const parsed = parseBody(result);
    if (typeof parsed === "string") throw new AppError(422, "not_a_feed", `${url} is ${parsed}`);
    const added = await store.feeds.add({
      url,
      addedBy,
      createdAt: now,
      // Not due until its first fetch is recorded below: the scheduler must not check it meanwhile (a
      // second fetch whose outcome could land after ours). A crash in between delays it by an hour only.
      nextCheckAt: now + 3_600_000,
      title: parsed.title,
      siteLink: parsed.link,
      format: parsed.format,
    });
    if (added.created) {
      // New subscriptions are not published live: their backlog is old news to everyone.
      await store.articles.upsert(added.feed.id, parsed.entries, now);
      const fetch = this.#record(added.feed, checkResultOf(result, entryTimes(parsed)), null);
      await store.feeds.recordFetch(added.feed.id, {
        ...fetch,
        etag: result.validators.etag,
        lastModified: result.validators.lastModified,
      });
    }
    return { feed: (await store.feeds.get(added.feed.id)) ?? added.feed, created: added.created };
  }

  #failed(feed: FeedRecord, check: CheckResult, error: string): CheckOutcome {
    return {
      result: "failed",
      fetch: this.#record(feed, check, error),
      inserted: 0,
      updated: 0,
      unchanged: 0,
    };
  }

  #record(feed: FeedRecord, check: CheckResult, error: string | null): FetchRecord {
    const now = this.#options.now();
    const next = nextSchedule(scheduleOf(feed), check, now, this.#options.schedule, this.#options.random);
    return {
      at: now,
      error,
      status: next.disabled ? "disabled" : "active",
      nextCheckAt: next.nextCheckAt,
      consecutiveFailures: next.failures,
    };
  }
}
