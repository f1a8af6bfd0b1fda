/**
 * The global candidates of the feed, held in memory: reading a thousand rows costs far more than ranking
 * them, and every feed request needs them. The pool is reloaded from the store when it is older than
 * `ttlMs` (stale-while-revalidate: the request that notices serves the old pool and the reload runs
 * behind it), and before the next request after this replica stored new articles. Likes made on this replica update it in
 * place; likes on other replicas show within `ttlMs`. The merged stories are kept too, recomputed only
 * when the pool changed.
 *
 * Besides the pool, what every signed-in request would otherwise read again (wall-clock TTLs, so they
 * hold whatever clock the ranking uses):
 *   - a user's follows, for `followsTtlMs` (30 s): a follow or unfollow made on this replica shows at once
 *     (the follow routes call `followsChanged`), one made on another replica within 30 s;
 *   - the candidates a user's follows add beyond the pool, for `followedTtlMs` (30 s), reloaded at once
 *     when the follows changed or this replica stored new articles; their likes are kept current like the
 *     pool's (this replica's at once, other replicas' within 30 s);
 *   - articles' text and feeds' names, for `recordsTtlMs` (30 s): an edited entry or a renamed feed shows
 *     within 30 s (like counts shown come from the candidates, not from these records).
 */
import type { Logger } from "../shared/logger.ts";
import { mergeDuplicates, type Story } from "./duplicates.ts";
import type { Candidate, NewsfeedStore } from "./store.ts";
import type { ArticleRecord } from "./store-articles.ts";
import type { FeedRef } from "./store-feeds.ts";
import type { Follows } from "./store-people.ts";

export interface FeedPoolOptions {
  /** Newest articles kept (default 1000). */
  newest?: number;
  /** Most-liked articles of the popularity window kept besides (default 500). */
  liked?: number;
  /** The popularity window before the reload (default 7 days). */
  popularWindowMs?: number;
  /** Age after which the next request reloads it (default 2 s). */
  ttlMs?: number;
  now?: () => number;
  /** How long a user's follows are reused (default 30 s of wall time). */
  followsTtlMs?: number;
  /** How long a user's candidates beyond the pool are reused (default 30 s of wall time). */
  followedTtlMs?: number;
  /** How long article and feed records are reused (default 30 s of wall time). */
  recordsTtlMs?: number;
  /** Users and records kept at most; past that the cache starts over (default 20,000). */
  maxEntries?: number;
  /** Where a failed background reload is reported (the old pool keeps serving). */
  log?: Logger;
}

export interface PoolSnapshot {
  articles: readonly Candidate[];
  byId: ReadonlyMap<number, Candidate>;
  /** The articles merged into stories (duplicates.ts), computed on first use. */
  stories(): readonly Story<Candidate>[];
}

interface Loaded {
  loadedAt: number;
  articles: Candidate[];
  byId: Map<number, Candidate>;
  stories: Story<Candidate>[] | undefined;
}

const DAY_MS = 24 * 3_600_000;

/** The newest articles of a user's follows considered besides the global pool. */
export const FOLLOWED_CANDIDATES = 100;

/** Wall time for the caches' TTLs (the injected `now` may stand still in tests; staleness is real time). */
const wallNow = () => performance.now();

interface Timed<T> {
  at: number;
  value: T;
}

/** A user's follows and the candidates they add, with the follows they were read for. */
interface Followed {
  follows: Timed<Follows>;
  extra?: Timed<Candidate[]> & { key: string };
}

/** Whether a reload read what the pool holds already, everything the ranking looks at included. */
function sameCandidates(held: readonly Candidate[], read: readonly Candidate[]): boolean {
  if (held.length !== read.length) return false;
  return held.every((a, i) => {
    const b = read[i]!;
    return (
      a.id === b.id &&
      a.likes === b.likes &&
      a.publishedAt === b.publishedAt &&
      a.sourceId === b.sourceId &&
      a.title === b.title &&
      a.link === b.link &&
      a.topics.join("\n") === b.topics.join("\n")
    );
  });
}

export class FeedPool {
  readonly #store: NewsfeedStore;
  readonly #options: Required<Omit<FeedPoolOptions, "log">> & Pick<FeedPoolOptions, "log">;
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;
  #fresh = true;
  /** Bumped whenever what the pool ranks changed: reload, like, new articles. */
  #version = 0;
  readonly #users = new Map<string, Followed>();
  /** The one copy of each extra candidate, so a like here updates every user's list at once. */
  readonly #extras = new Map<number, Candidate>();
  readonly #records = new Map<number, Timed<ArticleRecord>>();
  readonly #feeds = new Map<number, Timed<FeedRef>>();

  constructor(store: NewsfeedStore, options: FeedPoolOptions = {}) {
    this.#store = store;
    this.#options = {
      newest: 1000,
      liked: 500,
      popularWindowMs: 7 * DAY_MS,
      ttlMs: 2000,
      now: Date.now,
      followsTtlMs: 30_000,
      followedTtlMs: 30_000,
      recordsTtlMs: 30_000,
      maxEntries: 20_000,
      ...options,
    };
  }

  /** The current candidates: loaded on first use, then refreshed in the background when stale. */
  async snapshot(): Promise<PoolSnapshot> {
    const loaded = this.#loaded && this.#fresh ? this.#loaded : await this.#load();
    if (this.#options.now() - loaded.loadedAt >= this.#options.ttlMs) {
      this.#load().catch((err) => this.#options.log?.warn("feed pool reload failed", { err: String(err) }));
    }
    return {
      articles: loaded.articles,
      byId: loaded.byId,
      stories: () => {
        loaded.stories ??= mergeDuplicates(loaded.articles);
        return loaded.stories;
      },
    };
  }

  /** Changes whenever the ranking of the pool's stories may have: a key for caching a ranked page. */
  get version(): number {
    return this.#version;
  }

  /** New articles were stored here: the next request waits for a reload. */
  invalidate(): void {
    this.#fresh = false;
    this.#version++;
    for (const entry of this.#users.values()) entry.extra = undefined;
    this.#extras.clear();
  }

  /** The user followed or unfollowed something here: their next request reads their follows afresh. */
  followsChanged(userId: string): void {
    const entry = this.#users.get(userId);
    if (entry) entry.follows = { at: Number.NEGATIVE_INFINITY, value: entry.follows.value };
  }

  /** The user's follows (sources, then topics), as of at most `followsTtlMs` ago. */
  async follows(userId: string): Promise<Follows> {
    const now = wallNow();
    const cached = this.#users.get(userId);
    if (cached && now - cached.follows.at < this.#options.followsTtlMs) return cached.follows.value;
    const follows = { at: now, value: await this.#store.people.follows(userId) };
    const entry = this.#users.get(userId);
    if (entry) entry.follows = follows;
    else this.#remember(this.#users, userId, { follows });
    return follows.value;
  }

  /**
   * The newest `FOLLOWED_CANDIDATES` articles of the user's follows (store.followedCandidates), reused while
   * the follows are the same; read afresh with `since` (rare, and a different set each time).
   */
  async followedCandidates(userId: string, follows: Follows, since?: number): Promise<readonly Candidate[]> {
    if (since !== undefined) return this.#store.followedCandidates(userId, FOLLOWED_CANDIDATES, since);
    const key = `${follows.sources.join(",")}|${follows.topics.join(",")}`;
    const now = wallNow();
    const cached = this.#users.get(userId)?.extra;
    if (cached && cached.key === key && now - cached.at < this.#options.followedTtlMs) return cached.value;
    const rows = await this.#store.followedCandidates(userId, FOLLOWED_CANDIDATES);
    const value = rows.map((row) => {
      const known = this.#extras.get(row.id);
      if (!known) this.#remember(this.#extras, row.id, row);
      else known.likes = row.likes;
      return known ?? row;
    });
    const entry = this.#users.get(userId);
    if (entry) entry.extra = { at: now, value, key };
    return value;
  }

  /** Articles by id (unknown ids left out), their text as of at most `recordsTtlMs` ago. */
  async articles(ids: readonly number[]): Promise<Map<number, ArticleRecord>> {
    return this.#cached(this.#records, ids, (missing) => this.#store.articles.getMany(missing));
  }

  /** Feeds' names by id (unknown ids left out), as of at most `recordsTtlMs` ago. */
  async feedRefs(ids: readonly number[]): Promise<Map<number, FeedRef>> {
    return this.#cached(this.#feeds, ids, (missing) => this.#store.feeds.refs(missing));
  }

  async #cached<T extends { id: number }>(
    cache: Map<number, Timed<T>>,
    ids: readonly number[],
    read: (ids: number[]) => Promise<T[]>,
  ): Promise<Map<number, T>> {
    const now = wallNow();
    const found = new Map<number, T>();
    const missing: number[] = [];
    for (const id of ids) {
      const hit = cache.get(id);
      if (hit && now - hit.at < this.#options.recordsTtlMs) found.set(id, hit.value);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const value of await read(missing)) {
        found.set(value.id, value);
        this.#remember(cache, value.id, { at: now, value });
      }
    }
    return found;
  }

  /** Adds to a bounded cache: past `maxEntries` it starts over (cheap, and rare at this size). */
  #remember<K, V>(cache: Map<K, V>, key: K, value: V): void {
    if (cache.size >= this.#options.maxEntries) cache.clear();
    cache.set(key, value);
  }

  /** A like or unlike on this replica: the article's count, as stored, takes effect at once. */
  liked(articleId: number, likes: number): void {
    let changed = false;
    const extra = this.#extras.get(articleId);
    if (extra && extra.likes !== likes) {
      extra.likes = likes;
      changed = true;
    }
    const loaded = this.#loaded;
    const article = loaded?.byId.get(articleId);
    if (loaded && article && article.likes !== likes) {
      article.likes = likes;
      loaded.stories = undefined;
      changed = true;
    }
    // Merged stories cached by version (the pool's and users' extra candidates) are then recomputed.
    if (changed) this.#version++;
  }

  #load(): Promise<Loaded> {
    this.#loading ??= (async () => {
      try {
        this.#fresh = true;
        const loadedAt = this.#options.now();
        const articles = await this.#store.globalCandidates({
          newest: this.#options.newest,
          liked: this.#options.liked,
          popularSince: loadedAt - this.#options.popularWindowMs,
        });
        const previous = this.#loaded;
        // Usually nothing changed: keep the pool (and its version, which callers cache pages by).
        if (previous && sameCandidates(previous.articles, articles)) {
          previous.loadedAt = loadedAt;
          return previous;
        }
        const loaded = {
          loadedAt,
          articles,
          byId: new Map(articles.map((a) => [a.id, a])),
          stories: undefined,
        };
        this.#loaded = loaded;
        this.#version++;
        return loaded;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
