/**
 * The app's LikeIndex (recommendations.ts), kept in memory: built from the store on first use, then kept
 * current by this replica's own likes and unlikes, by the other replicas' (LikeEvents: Redis pub/sub on
 * Node), and by new articles (this replica's ingestion at once; other replicas' by reading articles newer
 * than the last one seen, at most every `refreshMs`).
 *
 * Staleness across replicas: without LikeEvents, another replica's likes reach this index only at its next
 * rebuild (`rebuildMs`); with them, within a pub/sub round trip. A message lost while Redis was unreachable,
 * or an article whose title or topics changed, is corrected by the same periodic rebuild, which runs in the
 * background while the old index keeps answering.
 *
 * Answers are reused per user for `answerTtlMs` (30 s of wall time; the injected clock may stand still in
 * tests): dropped at once when that user likes or unlikes (here or, with LikeEvents, on another replica),
 * so one's own likes always show, and whenever the index gains articles or is rebuilt; other people's
 * likes reach an answer within 30 s. One answer costs a few milliseconds of CPU (four reads and the
 * scoring of a thousand candidates); reusing it is what lets a replica serve thousands per second.
 */
import type { Logger } from "../shared/logger.ts";
import type { LikeEvent, LikeEvents } from "./like-events.ts";
import { LikeIndex, type RecommendableItem, type Recommendation } from "./recommendations.ts";
import type { NewsfeedStore } from "./store.ts";
import type { ArticleRecord } from "./store-articles.ts";
import type { FeedRef } from "./store-feeds.ts";
import type { LikeRow } from "./store-people.ts";

export interface RecommenderOptions {
  log: Logger;
  events?: LikeEvents;
  now?: () => number;
  /** How often other replicas' new articles are looked for (default 5 s). */
  refreshMs?: number;
  /** How often the whole index is rebuilt from the store (default 15 min). */
  rebuildMs?: number;
  /** Rows read per query while loading (default 5000). */
  pageSize?: number;
  /** How long one user's answer is reused (default 30 s of wall time). */
  answerTtlMs?: number;
  /** Users whose answer is kept at most; past that the cache starts over (default 20,000). */
  maxAnswers?: number;
}

interface Answer<T> {
  at: number;
  /** The options it answers (limit, topics, exclusions). */
  key: string;
  /** The index and its article generation it was computed from. */
  built: Built;
  generation: number;
  value: T;
}

/** What `GET /api/recommendations/{user}` shows: the recommendations, their articles and feeds' names. */
export interface RecommendationPage {
  recommendations: Recommendation[];
  articles: Map<number, ArticleRecord>;
  feeds: Map<number, FeedRef>;
}

export const recommendable = (
  a: Pick<ArticleRecord, "id" | "title" | "topics" | "postedAt">,
): RecommendableItem => ({
  id: a.id,
  title: a.title,
  topics: a.topics,
  publishedAt: a.postedAt,
});

interface Built {
  index: LikeIndex;
  builtAt: number;
  maxArticleId: number;
  refreshedAt: number;
  /** Bumped when articles are added: cached answers from before are dropped. */
  generation: number;
}

export class Recommender {
  readonly #store: NewsfeedStore;
  readonly #options: Required<Omit<RecommenderOptions, "events">> & { events?: LikeEvents };
  #current: Built | undefined;
  #building: Promise<Built> | undefined;
  /** Events that happened while a build was reading the store: replayed onto the new index. */
  #pending: LikeEvent[] = [];
  readonly #answers = new Map<string, Answer<Recommendation[]>>();
  readonly #pages = new Map<string, Answer<RecommendationPage>>();
  /** Counts likes applied, so an answer read across one is not kept. */
  #likeEpoch = 0;

  constructor(store: NewsfeedStore, options: RecommenderOptions) {
    this.#store = store;
    this.#options = {
      now: Date.now,
      refreshMs: 5000,
      rebuildMs: 15 * 60_000,
      pageSize: 5000,
      answerTtlMs: 30_000,
      maxAnswers: 20_000,
      ...options,
    };
  }

  /** Starts listening to the other replicas. */
  async start(): Promise<void> {
    await this.#options.events?.subscribe((event) => this.#apply(event));
  }

  async close(): Promise<void> {
    await this.#options.events?.close();
  }

  /** This replica stored a like or unlike: update the index and tell the other replicas. */
  async liked(event: LikeEvent): Promise<void> {
    this.#apply(event);
    await this.#options.events?.publish(event);
  }

  /** This replica ingested new articles. */
  added(articles: readonly ArticleRecord[]): void {
    const built = this.#current;
    if (!built) return;
    built.generation++;
    for (const article of articles) {
      built.index.setItem(recommendable(article));
      built.maxArticleId = Math.max(built.maxArticleId, article.id);
    }
  }

  /** `exclude`: articles never to recommend besides the liked ones (e.g. copies of liked stories). */
  async recommend(
    userId: string,
    options: { followedTopics: readonly string[]; limit: number; exclude?: readonly number[] },
  ): Promise<Recommendation[]> {
    const key = `${options.limit}|${options.followedTopics.join(",")}|${(options.exclude ?? []).join(",")}`;
    const built = await this.#ready();
    return this.#answer(this.#answers, userId, key, built, () =>
      built.index.recommend(userId, { now: this.#options.now(), ...options }),
    );
  }

  /**
   * Everything the recommendations route reads for a user, in one cached answer: their followed topics,
   * the copies of what they liked (never recommended), the recommendations, and the shown articles and
   * feeds (like counts as of the answer: up to `answerTtlMs` old, except after the user's own like).
   */
  async page(userId: string, limit: number): Promise<RecommendationPage> {
    const built = await this.#ready();
    const cached = this.#pages.get(userId);
    if (cached && this.#fresh(cached, String(limit), built)) return cached.value;
    const { generation } = built;
    const at = performance.now();
    const epoch = this.#likeEpoch;
    const [follows, copies] = await Promise.all([
      this.#store.people.follows(userId),
      this.#store.people.copiesOfLiked(userId),
    ]);
    const recommendations = built.index.recommend(userId, {
      now: this.#options.now(),
      followedTopics: follows.topics,
      limit,
      exclude: copies,
    });
    const articles = new Map(
      (await this.#store.articles.getMany(recommendations.map((r) => Number(r.itemId)))).map((a) => [
        a.id,
        a,
      ]),
    );
    const refs = await this.#store.feeds.refs([...articles.values()].map((a) => a.feedId));
    const value = { recommendations, articles, feeds: new Map(refs.map((f) => [f.id, f])) };
    // A like that arrived while the store was read may be missing from this answer: then it is not kept.
    if (this.#likeEpoch === epoch) {
      this.#keep(this.#pages, userId, { at, key: String(limit), built, generation, value });
    }
    return value;
  }

  #answer<T>(cache: Map<string, Answer<T>>, userId: string, key: string, built: Built, compute: () => T): T {
    const cached = cache.get(userId);
    if (cached && this.#fresh(cached, key, built)) return cached.value;
    const value = compute();
    this.#keep(cache, userId, { at: performance.now(), key, built, generation: built.generation, value });
    return value;
  }

  #fresh(answer: Answer<unknown>, key: string, built: Built): boolean {
    return (
      answer.key === key &&
      answer.built === built &&
      answer.generation === built.generation &&
      performance.now() - answer.at < this.#options.answerTtlMs
    );
  }

  #keep<T>(cache: Map<string, Answer<T>>, userId: string, answer: Answer<T>): void {
    if (cache.size >= this.#options.maxAnswers) cache.clear();
    cache.set(userId, answer);
  }

  /** The current index, built on first use; refreshed with new articles, rebuilt in the background. */
  async #ready(): Promise<Built> {
    const now = this.#options.now();
    const built = this.#current ?? (await this.#build());
    if (now - built.builtAt >= this.#options.rebuildMs) {
      this.#build().catch((err) =>
        this.#options.log.warn("recommendation index rebuild failed", { err: String(err) }),
      );
    }
    if (now - built.refreshedAt >= this.#options.refreshMs) {
      built.refreshedAt = now;
      await this.#loadArticles(built);
    }
    return built;
  }

  #build(): Promise<Built> {
    this.#building ??= (async () => {
      this.#pending = [];
      try {
        const built: Built = {
          index: new LikeIndex(),
          builtAt: this.#options.now(),
          maxArticleId: 0,
          refreshedAt: 0,
          generation: 0,
        };
        await this.#loadArticles(built);
        const size = this.#options.pageSize;
        let after: LikeRow | undefined;
        for (;;) {
          const page = await this.#store.people.likesPage(size, after);
          for (const like of page) built.index.like(like.userId, like.articleId);
          if (page.length < size) break;
          after = page.at(-1);
        }
        for (const event of this.#pending) applyTo(built.index, event);
        built.refreshedAt = this.#options.now();
        this.#current = built;
        this.#options.log.debug("recommendation index built", { articles: built.maxArticleId });
        return built;
      } finally {
        this.#pending = [];
        this.#building = undefined;
      }
    })();
    return this.#building;
  }

  async #loadArticles(built: Built): Promise<void> {
    for (;;) {
      const page = await this.#store.articles.recommendablePage(built.maxArticleId, this.#options.pageSize);
      for (const article of page) built.index.setItem(recommendable(article));
      if (page.length > 0) {
        built.maxArticleId = page.at(-1)!.id;
        built.generation++;
      }
      if (page.length < this.#options.pageSize) return;
    }
  }

  #apply(event: LikeEvent): void {
    this.#likeEpoch++;
    this.#answers.delete(event.userId);
    this.#pages.delete(event.userId);
    if (this.#current) applyTo(this.#current.index, event);
    if (this.#building) this.#pending.push(event);
  }
}

function applyTo(index: LikeIndex, event: LikeEvent): void {
  if (event.op === "like") index.like(event.userId, event.articleId);
  else index.unlike(event.userId, event.articleId);
}
