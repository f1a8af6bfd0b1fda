/**
 * Recommendations, pure and in memory: item-to-item collaborative filtering over likes, blended with the
 * reader's topic affinity and with popularity (which carries new readers: no likes → topics + popularity).
 *
 * Similarity of items i and j, from the sets of users who liked them (Ui, Uj), c = |Ui ∩ Uj|:
 *   sim(i, j) = c / √(|Ui|·|Uj|)  ×  c / (c + shrinkage)
 * Cosine over the binary like vectors, shrunk towards 0 when few people co-liked: one shared liker of two
 * obscure items says less than twenty shared likers of two popular ones.
 *
 * A candidate j for user u scores  coLiked·cf(j) + topic·affinity(j)·pop(j) + popularity·pop(j)  where
 *   cf(j)       = Σ sim(i, j) over u's liked items i that list j among their `maxNeighbours` most similar,
 *   affinity(j) = the best of j's topics in u's profile: 1 for a followed topic, else the share of u's
 *                 likes carrying it,
 *   pop(j)      = its gravity score (gentler than the feed's: a panel of things one may have missed), as
 *                 of the pools' last rebuild, divided by the best among the candidates, so in [0, 1].
 * The `reason` names the largest of the three terms.
 *
 * Cost: `recommend` reads at most `maxLikesConsidered` × `maxNeighbours` neighbours plus the topic and
 * trending pools, never the catalogue. Neighbour lists are computed on first use (Σ likes of the item's
 * likers) and cached; a like drops exactly the lists it changes: the item's, those of the user's other
 * likes, and those naming the item — O(the user's likes + those lists). An unlike can also lift the item
 * into lists that did not name it, so it drops the lists of every item co-liked with it (Σ likes of the
 * item's likers, like computing its list once). Cached lists are therefore always exact.
 *
 * Usage:
 *   const index = LikeIndex.build({ items: articles, likes: rows }); // at start-up
 *   index.setItem({ id, title, topics, publishedAt });                // on ingestion
 *   index.like("u1", "a1"); index.unlike("u1", "a1");                 // on POST / DELETE /api/like
 *   index.recommend("u1", { now: Date.now(), limit: 10, followedTopics: ["rust"], exclude: hidden });
 *   // → [{ itemId, title, likes, score, reason: "liked by people who liked “X”", basis: { kind: "co-liked", itemId } }]
 */
import { compareIds, type Id } from "./duplicates.ts";
import { ageHours, gravityScore, normalizeTopic, selectTop } from "./ranking.ts";

export type { Id } from "./duplicates.ts";

/** Item and user ids may be strings or integers; keep one kind per field (1 and "1" are different ids). */
export interface RecommendableItem {
  id: Id;
  title: string | null;
  topics: readonly string[];
  /** Epoch ms. */
  publishedAt: number;
}

export interface LikePair {
  userId: Id;
  itemId: Id;
}

export interface LikeIndexOptions {
  /**
   * Neighbours kept per item. `recommend` costs about maxLikesConsidered × maxNeighbours map operations,
   * so this is the main lever on its speed; item-based top-N recommenders keep 10–30 (Deshpande & Karypis
   * 2004), and 20 per liked item already offers hundreds of candidates for a panel of 20.
   */
  maxNeighbours: number;
  /** The c / (c + shrinkage) factor (2: one co-like counts a third, ten count 5/6). */
  shrinkage: number;
  /** Only the user's most recent likes feed cf and the profile: bounded cost, current tastes. */
  maxLikesConsidered: number;
  /** Profile topics whose pools are read. */
  maxProfileTopics: number;
  /** Most popular items kept per topic and overall, rebuilt every `poolTtlMs`. */
  topicPoolSize: number;
  trendingPoolSize: number;
  poolTtlMs: number;
}

export const LIKE_INDEX_DEFAULTS: Readonly<LikeIndexOptions> = {
  maxNeighbours: 20,
  shrinkage: 2,
  maxLikesConsidered: 100,
  maxProfileTopics: 10,
  topicPoolSize: 50,
  trendingPoolSize: 100,
  poolTtlMs: 60_000,
};

/**
 * Blend weights. Co-likes of one's own likes are the strongest evidence; a topic match beats an
 * unmatched item unless that one is 6× more popular ((0.5 + 0.1) / 0.1); popularity alone orders the rest.
 * Popularity decays with gravity 1.2 instead of the feed's 1.8, so well-liked items of the last days stay.
 */
export const RECOMMENDATION_WEIGHTS = {
  coLiked: 1,
  topic: 0.5,
  popularity: 0.1,
  alpha: 0.8,
  gravity: 1.2,
  ageOffsetHours: 2,
} as const;

export interface SimilarItem {
  itemId: Id;
  similarity: number;
  coLikes: number;
}

export type RecommendationBasis =
  | { kind: "co-liked"; itemId: Id }
  | { kind: "topic"; topic: string }
  | { kind: "trending" };

export interface Recommendation {
  itemId: Id;
  title: string | null;
  likes: number;
  score: number;
  /** For people: "liked by people who liked “X”", "popular in #rust", "new in #rust", "trending", "new". */
  reason: string;
  basis: RecommendationBasis;
}

export interface RecommendOptions {
  /** Epoch ms, for popularity's time decay and the pools' age. */
  now: number;
  /** Default 20. */
  limit?: number;
  /** The user's followed topics (any spelling; compared after `normalizeTopic`). */
  followedTopics?: Iterable<string>;
  /** Item ids never to recommend besides the liked ones: seen, hidden. */
  exclude?: Iterable<Id>;
}

/** Popularity as of `builtAt` (all items), and the most popular ids overall and per topic. */
interface Pool {
  builtAt: number;
  popularity: Map<Id, number>;
  trending: Id[];
  byTopic: Map<string, Id[]>;
}

/** cf so far, and the liked item that contributed the most to it. */
interface Candidate {
  cf: number;
  via: Id | null;
  viaSimilarity: number;
}

const EMPTY: ReadonlySet<Id> = new Set();

/** Topic → affinity in (0, 1]: what `recommend` knows of a user's interests. */
type Profile = ReadonlyMap<string, number>;

/** The three weighted terms of a candidate's score (see the header), and the profile topic behind the second. */
function blend(c: Candidate, item: RecommendableItem, popShare: number, profile: Profile) {
  let topic: string | null = null;
  let affinity = 0;
  for (const t of item.topics) {
    const a = profile.get(t) ?? 0;
    if (a > affinity) {
      topic = t;
      affinity = a;
    }
  }
  const weights = RECOMMENDATION_WEIGHTS;
  const popPart = weights.popularity * popShare;
  return { cfPart: weights.coLiked * c.cf, topicPart: weights.topic * affinity * popShare, popPart, topic };
}

export class LikeIndex {
  readonly #options: LikeIndexOptions;
  readonly #items = new Map<Id, RecommendableItem>();
  readonly #likers = new Map<Id, Set<Id>>();
  readonly #liked = new Map<Id, Set<Id>>();
  readonly #neighbours = new Map<Id, SimilarItem[]>();
  /** Item → items whose cached list names it (may name lists already dropped: harmless, cleared lazily). */
  readonly #listedBy = new Map<Id, Set<Id>>();
  #pool: Pool | null = null;

  constructor(options: Partial<LikeIndexOptions> = {}) {
    this.#options = { ...LIKE_INDEX_DEFAULTS, ...options };
  }

  /** An index over a catalogue and its likes, as loaded at start-up. */
  static build(
    input: { items?: Iterable<RecommendableItem>; likes?: Iterable<LikePair> },
    options?: Partial<LikeIndexOptions>,
  ): LikeIndex {
    const index = new LikeIndex(options);
    for (const item of input.items ?? []) index.setItem(item);
    for (const { userId, itemId } of input.likes ?? []) index.like(userId, itemId);
    return index;
  }

  /** Adds or replaces an item's metadata. Only items with metadata are recommended. */
  setItem(item: RecommendableItem): void {
    const topics = [...new Set(item.topics.map(normalizeTopic))].filter((topic) => topic.length > 0);
    this.#items.set(item.id, { id: item.id, title: item.title, topics, publishedAt: item.publishedAt });
  }

  /** Forgets an item's metadata (it is no longer recommended); its likes stay as co-like evidence. */
  removeItem(itemId: Id): void {
    this.#items.delete(itemId);
  }

  /** Records a like; false when it already existed (likes are idempotent). */
  like(userId: Id, itemId: Id): boolean {
    const mine = this.#liked.get(userId);
    if (mine?.has(itemId)) return false;
    this.#invalidate(itemId, mine ?? EMPTY);
    if (mine) mine.add(itemId);
    else this.#liked.set(userId, new Set([itemId]));
    const likers = this.#likers.get(itemId);
    if (likers) likers.add(userId);
    else this.#likers.set(itemId, new Set([userId]));
    return true;
  }

  /** Removes a like; false when there was none. */
  unlike(userId: Id, itemId: Id): boolean {
    const mine = this.#liked.get(userId);
    if (!mine?.has(itemId)) return false;
    this.#invalidate(itemId, this.#coLiked(itemId));
    mine.delete(itemId);
    if (mine.size === 0) this.#liked.delete(userId);
    const likers = this.#likers.get(itemId)!;
    likers.delete(userId);
    if (likers.size === 0) this.#likers.delete(itemId);
    return true;
  }

  likeCount(itemId: Id): number {
    return this.#likers.get(itemId)?.size ?? 0;
  }

  /** The items a user liked, oldest like first. */
  likesOf(userId: Id): ReadonlySet<Id> {
    return this.#liked.get(userId) ?? EMPTY;
  }

  /** The item's most similar items by co-likes, most similar first (ties by id). Cached. */
  similarItems(itemId: Id): readonly SimilarItem[] {
    const cached = this.#neighbours.get(itemId);
    if (cached) return cached;
    const likers = this.#likers.get(itemId) ?? EMPTY;
    const coLikes = new Map<Id, number>();
    for (const userId of likers) {
      for (const other of this.#liked.get(userId)!) {
        if (other !== itemId) coLikes.set(other, (coLikes.get(other) ?? 0) + 1);
      }
    }
    const similar = [...coLikes].map(([other, count]): SimilarItem => {
      const cosine = count / Math.sqrt(likers.size * this.#likers.get(other)!.size);
      return {
        itemId: other,
        similarity: (cosine * count) / (count + this.#options.shrinkage),
        coLikes: count,
      };
    });
    const top = selectTop(
      similar,
      this.#options.maxNeighbours,
      (a, b) => b.similarity - a.similarity || compareIds(a.itemId, b.itemId),
    );
    this.#neighbours.set(itemId, top);
    for (const { itemId: named } of top) {
      const lists = this.#listedBy.get(named);
      if (lists) lists.add(itemId);
      else this.#listedBy.set(named, new Set([itemId]));
    }
    return top;
  }

  /** Best items for the user, best first; never one they liked or excluded. */
  recommend(userId: Id, options: RecommendOptions): Recommendation[] {
    const { now } = options;
    const liked = this.likesOf(userId);
    const excluded = new Set(options.exclude ?? []);
    const considered = [...liked].slice(-this.#options.maxLikesConsidered);

    const candidates = new Map<Id, Candidate>();
    const candidate = (itemId: Id): Candidate => {
      const found = candidates.get(itemId);
      if (found) return found;
      const fresh: Candidate = { cf: 0, via: null, viaSimilarity: 0 };
      candidates.set(itemId, fresh);
      return fresh;
    };
    for (const likedId of considered) {
      for (const { itemId, similarity } of this.similarItems(likedId)) {
        const c = candidate(itemId);
        c.cf += similarity;
        if (similarity > c.viaSimilarity) {
          c.via = likedId;
          c.viaSimilarity = similarity;
        }
      }
    }

    const profile = this.#profile(considered, options.followedTopics ?? []);
    const pool = this.#poolAt(now);
    for (const topic of profile.keys()) for (const itemId of pool.byTopic.get(topic) ?? []) candidate(itemId);
    for (const itemId of pool.trending) candidate(itemId);

    const eligible: { item: RecommendableItem; c: Candidate; pop: number; score: number }[] = [];
    let maxPop = 0;
    for (const [itemId, c] of candidates) {
      const item = this.#items.get(itemId);
      if (!item || liked.has(itemId) || excluded.has(itemId)) continue;
      // Items set since the pool was built are scored as of the same instant as the others.
      const pop = pool.popularity.get(itemId) ?? this.#popularity(item, pool.builtAt);
      maxPop = Math.max(maxPop, pop);
      eligible.push({ item, c, pop, score: 0 });
    }
    const share = (pop: number) => (maxPop > 0 ? pop / maxPop : 0);
    for (const e of eligible) {
      const { cfPart, topicPart, popPart } = blend(e.c, e.item, share(e.pop), profile);
      e.score = cfPart + topicPart + popPart;
    }
    // Reasons are worded for the page's items only: thousands of candidates, a few dozen shown.
    const byScore = (a: (typeof eligible)[0], b: (typeof eligible)[0]) =>
      b.score - a.score || compareIds(a.item.id, b.item.id);
    const top = selectTop(eligible, options.limit ?? 20, byScore);
    return top.map(({ item, c, pop, score }): Recommendation => {
      const { cfPart, topicPart, popPart, topic } = blend(c, item, share(pop), profile);
      const likes = this.likeCount(item.id);
      const base = { itemId: item.id, title: item.title, likes, score };
      if (c.via !== null && cfPart >= topicPart && cfPart >= popPart) {
        const title = this.#items.get(c.via)?.title ?? c.via;
        const basis = { kind: "co-liked", itemId: c.via } as const;
        return { ...base, reason: `liked by people who liked “${title}”`, basis };
      }
      if (topic !== null && topicPart >= popPart) {
        const reason = `${likes > 0 ? "popular" : "new"} in #${topic}`;
        return { ...base, reason, basis: { kind: "topic", topic } };
      }
      return { ...base, reason: likes > 0 ? "trending" : "new", basis: { kind: "trending" } };
    });
  }

  /**
   * Topic → affinity in (0, 1]: 1 for a followed topic, else the share of the considered likes carrying
   * it. Followed topics come first (in the caller's order), then liked ones by share, `maxProfileTopics` in all.
   */
  #profile(considered: readonly Id[], followed: Iterable<string>): Profile {
    const profile = new Map<string, number>();
    for (const topic of followed) profile.set(normalizeTopic(topic), 1);
    const counts = new Map<string, number>();
    for (const itemId of considered) {
      for (const topic of this.#items.get(itemId)?.topics ?? [])
        counts.set(topic, (counts.get(topic) ?? 0) + 1);
    }
    const liked = [...counts].filter(([topic]) => !profile.has(topic));
    liked.sort((a, b) => b[1] - a[1] || compareIds(a[0], b[0]));
    for (const [topic, count] of liked) profile.set(topic, count / considered.length);
    return new Map([...profile].slice(0, this.#options.maxProfileTopics));
  }

  #popularity(item: RecommendableItem, now: number): number {
    return gravityScore(this.likeCount(item.id), ageHours(item.publishedAt, now), RECOMMENDATION_WEIGHTS);
  }

  /**
   * Popularity and the trending and per-topic pools, rebuilt from the whole catalogue at most every
   * `poolTtlMs`: likes of the last minute move an item's popularity a minute late, for two `**` less per
   * candidate (they dominated the cost of `recommend`).
   */
  #poolAt(now: number): Pool {
    const pool = this.#pool;
    if (pool && now >= pool.builtAt && now - pool.builtAt < this.#options.poolTtlMs) return pool;
    const popularity = new Map<Id, number>();
    const ranked = [...this.#items.values()].map((item) => {
      const pop = this.#popularity(item, now);
      popularity.set(item.id, pop);
      return { item, pop };
    });
    ranked.sort((a, b) => b.pop - a.pop || compareIds(a.item.id, b.item.id));
    const byTopic = new Map<string, Id[]>();
    for (const { item } of ranked) {
      for (const topic of item.topics) {
        const ids = byTopic.get(topic);
        if (!ids) byTopic.set(topic, [item.id]);
        else if (ids.length < this.#options.topicPoolSize) ids.push(item.id);
      }
    }
    const trending = ranked.slice(0, this.#options.trendingPoolSize).map(({ item }) => item.id);
    this.#pool = { builtAt: now, popularity, trending, byTopic };
    return this.#pool;
  }

  /** Every item some liker of `itemId` liked (itself included). */
  *#coLiked(itemId: Id): Iterable<Id> {
    for (const userId of this.#likers.get(itemId)!) yield* this.#liked.get(userId)!;
  }

  /** Drops the cached lists a change of `itemId`'s likers makes wrong: its own, those naming it, `others`. */
  #invalidate(itemId: Id, others: Iterable<Id>): void {
    this.#neighbours.delete(itemId);
    for (const lister of this.#listedBy.get(itemId) ?? []) this.#neighbours.delete(lister);
    this.#listedBy.delete(itemId);
    for (const other of others) this.#neighbours.delete(other);
  }
}
