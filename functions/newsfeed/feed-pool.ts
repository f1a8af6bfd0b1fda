/**
 * The global candidates of the feed, held in memory: reading a thousand rows costs far more than ranking
 * them, and every feed request needs them. The pool is reloaded from the store when it is older than
 * `ttlMs` (stale-while-revalidate: the request that notices serves the old pool and the reload runs
 * behind it), and before the next request after this replica stored new articles. Likes made on this replica update it in
 * place; likes on other replicas show within `ttlMs`. The merged stories are kept too, recomputed only
 * when the pool changed.
 */
import type { Logger } from "../shared/logger.ts";
import { mergeDuplicates, type Story } from "./duplicates.ts";
import type { Candidate, NewsfeedStore } from "./store.ts";

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

export class FeedPool {
  readonly #store: NewsfeedStore;
  readonly #options: Required<Omit<FeedPoolOptions, "log">> & Pick<FeedPoolOptions, "log">;
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;
  #fresh = true;

  constructor(store: NewsfeedStore, options: FeedPoolOptions = {}) {
    this.#store = store;
    this.#options = {
      newest: 1000,
      liked: 500,
      popularWindowMs: 7 * DAY_MS,
      ttlMs: 2000,
      now: Date.now,
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

  /** New articles were stored here: the next request waits for a reload. */
  invalidate(): void {
    this.#fresh = false;
  }

  /** A like or unlike on this replica: the article's count, as stored, takes effect at once. */
  liked(articleId: number, likes: number): void {
    const loaded = this.#loaded;
    const article = loaded?.byId.get(articleId);
    if (!loaded || !article || article.likes === likes) return;
    article.likes = likes;
    loaded.stories = undefined;
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
        const loaded = {
          loadedAt,
          articles,
          byId: new Map(articles.map((a) => [a.id, a])),
          stories: undefined,
        };
        this.#loaded = loaded;
        return loaded;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
