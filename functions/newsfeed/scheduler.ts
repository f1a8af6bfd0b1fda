/**
 * The Node feed scheduler: an in-process loop that asks the store for due feeds and checks them (fetch →
 * parse → store is the `check` function's business), at most `concurrency` at a time and at most the
 * host limiter's share per host. The edge does the same from a Cron Trigger instead.
 *
 * Several replicas may run it against one database. Before checking a feed each one claims
 * `<feed id>:<due time>` in a FeedLock (Redis: SET NX PX with a random token), so one due time is checked
 * by one replica. A claim whose check was recorded is kept until it expires, not released: another replica
 * may still hold a due list read just before the record, and the kept claim stops it from checking the same
 * due time again; the next due time is a different key. A claim whose check threw, or whose outcome could
 * not be recorded, is released (compare-and-delete: only by its holder) so the feed is retried at the next
 * tick by whichever replica gets there first.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../shared/logger.ts";
import type { HostLimiter } from "./feeds/host-limit.ts";

/** What the scheduler needs of a feed; the store's rows may carry more (validators, schedule, …). */
export interface DueFeed {
  id: string;
  url: string;
  /** The next-check time that made it due (ms since the epoch). */
  dueAt: number;
}

/** The store's side of scheduling (implemented by store.ts). */
export interface FeedSource<F extends DueFeed, O> {
  /** Enabled feeds whose next check is at or before `now`, earliest first, at most `limit`. */
  due(now: number, limit: number): Promise<F[]>;
  /** Stores a check's outcome, including the feed's new schedule, so it is no longer due. */
  record(feedId: string, outcome: O): Promise<void>;
}

/** Mutual exclusion across replicas: `claim` returns a token when the key was free, else null. */
export interface FeedLock {
  claim(key: string, ttlMs: number): Promise<string | null>;
  /** Frees the key if `token` still holds it; true when it did. */
  release(key: string, token: string): Promise<boolean>;
}

/** One process: claims in a map (with their expiry). */
export class MemoryFeedLock implements FeedLock {
  readonly #claims = new Map<string, { token: string; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlMs: number): Promise<string | null> {
    const now = this.now();
    for (const [k, c] of this.#claims) if (c.expiresAt <= now) this.#claims.delete(k);
    if (this.#claims.has(key)) return null;
    const token = randomUUID();
    this.#claims.set(key, { token, expiresAt: now + ttlMs });
    return token;
  }

  async release(key: string, token: string): Promise<boolean> {
    if (this.#claims.get(key)?.token !== token) return false;
    return this.#claims.delete(key);
  }
}

type ClaimRedis = Redis & { newsfeedRelease(key: string, token: string): Promise<number> };

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Several replicas: one Redis key per claim, deleted only by the token that set it. */
export class RedisFeedLock implements FeedLock {
  readonly #redis: ClaimRedis;
  constructor(
    client: Redis,
    private readonly prefix = "canary:newsfeed:claim:",
  ) {
    client.defineCommand("newsfeedRelease", { lua: RELEASE, numberOfKeys: 1 });
    this.#redis = client as ClaimRedis;
  }

  async claim(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const set = await this.#redis.set(this.prefix + key, token, "PX", ttlMs, "NX");
    return set === "OK" ? token : null;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.#redis.newsfeedRelease(this.prefix + key, token)) === 1;
  }
}

export interface SchedulerOptions<F extends DueFeed, O> {
  source: FeedSource<F, O>;
  /** Checks one feed; should turn every problem into an outcome (a throw is logged as a bug). */
  check: (feed: F, signal: AbortSignal) => Promise<O>;
  lock: FeedLock;
  hosts: HostLimiter;
  log: Logger;
  /** Checks in flight at once (FEED_CONCURRENCY). */
  concurrency: number;
  /** How often to look for due feeds (default 15 s); a finished check also looks at once. */
  intervalMs?: number;
  /** Due feeds read per look (default 100): more than the free slots, to skip busy hosts and others' claims. */
  batchSize?: number;
  /** How long a claim lives (default 5 min): longer than a check can take, and than a due list is used. */
  claimTtlMs?: number;
  now?: () => number;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

export class FeedScheduler<F extends DueFeed, O> {
  readonly #options: Required<Omit<SchedulerOptions<F, O>, "now">> & { now: () => number };
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #state: "idle" | "running" | "stopped" = "idle";

  constructor(options: SchedulerOptions<F, O>) {
    this.#options = { intervalMs: 15_000, batchSize: 100, claimTtlMs: 300_000, now: Date.now, ...options };
    if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError(`scheduler concurrency must be a positive integer, got ${options.concurrency}`);
  }

  get #stopped(): boolean {
    return this.#state === "stopped";
  }

  /** Checks in flight. */
  get running(): number {
    return this.#running.size;
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "running";
    this.#timer = setInterval(() => this.#requestTick(), this.#options.intervalMs);
    this.#timer.unref?.();
    this.#requestTick();
  }

  /**
   * Stops looking for feeds and waits for the checks in flight, at most `timeoutMs`; checks still running
   * then are aborted (their signal) and left behind. Resolves with how many were left.
   */
  async stop(timeoutMs = 10_000): Promise<{ abandoned: number }> {
    this.#state = "stopped";
    clearInterval(this.#timer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = (async () => {
      await this.#ticking;
      await Promise.allSettled([...this.#running.values()]);
      return true;
    })();
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!finished) this.#abort.abort(new Error("scheduler stopped"));
    return { abandoned: finished ? 0 : this.#running.size };
  }

  /** Starts a look now, or right after the one in progress (looks never overlap). */
  #requestTick(): void {
    if (this.#state !== "running") return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = (async () => {
      do {
        this.#again = false;
        await this.tick();
      } while (this.#again && this.#state === "running");
    })().finally(() => {
      this.#ticking = undefined;
    });
  }

  /** One look: reads due feeds and starts a check for each one it can claim. Returns how many started. */
  async tick(): Promise<number> {
    const { source, lock, hosts, log, concurrency, batchSize, claimTtlMs } = this.#options;
    if (this.#stopped || this.#running.size >= concurrency) return 0;
    let feeds: F[];
    try {
      feeds = await source.due(this.#options.now(), batchSize);
    } catch (err) {
      log.warn("could not read due feeds", { err: String(err) });
      return 0;
    }
    let started = 0;
    for (const feed of feeds) {
      if (this.#stopped || this.#running.size >= concurrency) break;
      if (this.#running.has(feed.id)) continue;
      const releaseHost = hosts.tryAcquire(hostOf(feed.url));
      if (!releaseHost) continue;
      const key = `${feed.id}:${feed.dueAt}`;
      let token: string | null;
      try {
        token = await lock.claim(key, claimTtlMs);
      } catch (err) {
        // Without the lock there is no telling whether another replica has the feed: leave it for later.
        releaseHost();
        log.warn("could not claim a feed", { feed: feed.id, err: String(err) });
        break;
      }
      if (!token) {
        releaseHost();
        continue;
      }
      this.#launch(feed, key, token, releaseHost);
      started++;
    }
    return started;
  }

  #launch(feed: F, key: string, token: string, releaseHost: () => void): void {
    const { source, check, lock, log } = this.#options;
    const run = (async () => {
      let recorded = false;
      try {
        await source.record(feed.id, await check(feed, this.#abort.signal));
        recorded = true;
      } catch (err) {
        log.error("feed check failed", { feed: feed.id, url: feed.url, err: String(err) });
      } finally {
        releaseHost();
        if (!recorded)
          await lock.release(key, token).catch((err) => {
            log.warn("could not release a feed claim", { feed: feed.id, err: String(err) });
          });
        this.#running.delete(feed.id);
      }
      // A slot is free: more feeds may be waiting. Only after a recorded check, so a failing one is
      // retried at the next interval rather than in a tight loop.
      if (recorded) this.#requestTick();
    })();
    this.#running.set(feed.id, run);
  }
}
