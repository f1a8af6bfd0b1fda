/**
 * The feed's ranking, pure: duplicates merged into stories (duplicates.ts), each story scored with a
 * Hacker-News-style gravity score lifted by the reader's follows, and one page cut after a cursor.
 *
 *   score = (likes + 1)^alpha / (ageHours + ageOffsetHours)^gravity
 *           × followedSourceBoost (a copy comes from a followed source)
 *           × followedTopicBoost  (the story has a followed topic)
 *
 * Anonymous readers (no follows) get the same score without boosts: the global popular feed. Following
 * lifts items, it never hides the rest, so a reader who follows little still has a full feed.
 * Every page is ranked against the cursor's `asOf` (the first page's `now`), so scores do not drift between
 * pages; concatenated pages equal one big ranking. What can still move an item across the boundary is a
 * change of its likes (or a new copy joining its story) between two requests: the page then may repeat or
 * miss that one item, never others.
 *
 * Usage:
 *   const page = rankFeed(articles, { now: Date.now(), limit: 20, follows: { sources: ["s1"], topics: ["rust"] } });
 *   const next = rankFeed(articles, { now: Date.now(), limit: 20, follows, cursor: page.next });
 *   // page.items[i]: { id, representative, duplicateIds, sourceIds, likes, publishedAt, topics, score, … }
 */
import type { FeedCursor } from "./cursor.ts";
import { compareIds, type FeedArticle, HOUR_MS, type Id, mergeDuplicates, type Story } from "./duplicates.ts";

export type { FeedArticle, Id, Story } from "./duplicates.ts";

export interface RankingWeights {
  /** Exponent on likes + 1. Below 1 so that a viral item does not bury everything else for days. */
  alpha: number;
  /** Exponent on age. HN's 1.8: a story loses about half its score between its 2nd and 4th hour. */
  gravity: number;
  /** Added to the age so a story minutes old does not get an unbounded score (HN's +2 hours). */
  ageOffsetHours: number;
  /**
   * Multiplier for a story from a followed source: the reader asked for that publisher explicitly.
   * With gravity 1.8, ×3 lets it keep up with an unfollowed story of the same likes about 1.8× younger
   * (3^(1/1.8) ≈ 1.84 on age + offset).
   */
  followedSourceBoost: number;
  /** Multiplier for a story with a followed topic: a broader, noisier signal (categories vary by feed). */
  followedTopicBoost: number;
}

export const FEED_WEIGHTS: Readonly<RankingWeights> = {
  alpha: 0.8,
  gravity: 1.8,
  ageOffsetHours: 2,
  followedSourceBoost: 3,
  followedTopicBoost: 2,
};

/**
 * What a reader follows; null or absent means anonymous. Followed topics may be spelt any way (they are
 * normalised here); articles' topics must already be normalised (the store keeps them so).
 */
export interface Follows {
  /** Source ids of the same kind (string or number) as the articles' `sourceId`. */
  sources: Iterable<Id>;
  topics: Iterable<string>;
}

export interface StoryQuery {
  /** Epoch ms of the request. Ignored when a cursor is given: its `asOf` is the ranking instant. */
  now: number;
  /** Items per page. */
  limit: number;
  /** The previous page's `next`, decoded (cursor.ts). */
  cursor?: FeedCursor | null;
  follows?: Follows | null;
  weights?: Partial<RankingWeights>;
}

export interface FeedQuery extends StoryQuery {
  /** Only articles published after this epoch ms (applied before merging, as a SQL pre-filter would). */
  since?: number | null;
  /** Passed to `mergeDuplicates`. */
  duplicateWindowMs?: number;
}

export interface FeedItem<A extends FeedArticle = FeedArticle> extends Story<A> {
  score: number;
  /** Some copy comes from a followed source. */
  followedSource: boolean;
  /** The first of the story's topics the reader follows; null when none. */
  followedTopic: string | null;
}

export interface FeedPage<A extends FeedArticle = FeedArticle> {
  items: FeedItem<A>[];
  /** Where the next page starts; null on the last page. */
  next: FeedCursor | null;
  /** The instant the page was ranked against. */
  asOf: number;
}

/** A topic as follows and categories are compared: "#Machine Learning" → "machine-learning". */
export function normalizeTopic(topic: string): string {
  return topic
    .normalize("NFKC")
    .trim()
    .replace(/^#+/, "")
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
}

/** (likes + 1)^alpha / (ageHours + ageOffsetHours)^gravity; likes below 0 count as 0. */
export function gravityScore(
  likes: number,
  ageHours: number,
  weights: Pick<RankingWeights, "alpha" | "gravity" | "ageOffsetHours"> = FEED_WEIGHTS,
): number {
  return (Math.max(0, likes) + 1) ** weights.alpha / (ageHours + weights.ageOffsetHours) ** weights.gravity;
}

/** Hours between `publishedAt` and `asOf`, never negative; infinite for an unknown time (score 0). */
export function ageHours(publishedAt: number, asOf: number): number {
  if (!Number.isFinite(publishedAt)) return Number.POSITIVE_INFINITY;
  return Math.max(0, asOf - publishedAt) / HOUR_MS;
}

/** Merges duplicates among the articles (after `since`), then ranks the stories: one page. */
export function rankFeed<A extends FeedArticle>(articles: readonly A[], query: FeedQuery): FeedPage<A> {
  const since = query.since;
  const recent = since == null ? articles : articles.filter((article) => article.publishedAt > since);
  return rankStories(mergeDuplicates(recent, { windowMs: query.duplicateWindowMs }), query);
}

/** Feed order: higher score first, then smaller id (a total order, so a cursor splits it exactly). */
export function compareRanked(a: { score: number; id: Id }, b: { score: number; id: Id }): number {
  return b.score - a.score || compareIds(a.id, b.id);
}

interface Scored<A extends FeedArticle> {
  story: Story<A>;
  id: Id;
  score: number;
  followedSource: boolean;
  followedTopic: string | null;
}

/**
 * Unboosted scores of a list of stories as of one instant, and the list's order by them (best first),
 * reused while the same list is ranked against the same instant and weights (a cached merge ranked by many
 * requests within one second, say). Lists are treated as immutable, as the callers' caches keep them.
 */
interface BaseScores {
  asOf: number;
  weights: RankingWeights;
  scores: Float64Array;
  order: Uint32Array;
}

const baseScores = new WeakMap<readonly Story[], BaseScores>();

function scoresOf(stories: readonly Story[], asOf: number, weights: RankingWeights): BaseScores {
  const cached = baseScores.get(stories);
  if (cached && cached.asOf === asOf && sameWeights(cached.weights, weights)) return cached;
  const scores = new Float64Array(stories.length);
  for (let i = 0; i < stories.length; i++) {
    const story = stories[i]!;
    scores[i] = gravityScore(story.likes, ageHours(story.publishedAt, asOf), weights);
  }
  const order = Uint32Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  const base = { asOf, weights, scores, order };
  baseScores.set(stories, base);
  return base;
}

const sameWeights = (a: RankingWeights, b: RankingWeights) =>
  a.alpha === b.alpha && a.gravity === b.gravity && a.ageOffsetHours === b.ageOffsetHours;

/** Room for floating-point rounding when comparing a bound with a boosted score. */
const BOUND_SLACK = 1 + 1e-9;

/**
 * Ranks already-merged stories (callers may cache the merge): one page after `query.cursor`. Several
 * lists are ranked as one (a cached list and a request's own, without copying them into one array).
 * Each list is walked best base score first, and the walk stops once even the largest boost could not
 * lift the rest into the page: a page out of thousands of stories looks at a few hundred.
 */
export function rankStories<A extends FeedArticle>(
  stories: readonly Story<A>[] | { lists: readonly (readonly Story<A>[])[] },
  query: StoryQuery,
): FeedPage<A> {
  const lists = "lists" in stories ? stories.lists : [stories];
  const cursor = query.cursor ?? null;
  const asOf = cursor?.asOf ?? query.now;
  const weights = { ...FEED_WEIGHTS, ...query.weights };
  const sources = new Set(query.follows?.sources ?? []);
  // Stored topics are normalised already; only the reader's follows need it.
  const topics = new Set([...(query.follows?.topics ?? [])].map(normalizeTopic));
  const maxBoost =
    (sources.size > 0 ? Math.max(1, weights.followedSourceBoost) : 1) *
    (topics.size > 0 ? Math.max(1, weights.followedTopicBoost) : 1);

  // One more than a page tells whether a next page exists.
  const k = query.limit + 1;
  const top: Scored<A>[] = [];
  for (const list of lists) {
    const { scores, order } = scoresOf(list, asOf, weights);
    for (const i of order) {
      const base = scores[i]!;
      if (top.length === k && base * maxBoost * BOUND_SLACK < top[k - 1]!.score) break;
      const story = list[i]!;
      const followedSource = sources.size > 0 && story.sourceIds.some((source) => sources.has(source));
      let followedTopic: string | null = null;
      if (topics.size > 0) followedTopic = story.topics.find((topic) => topics.has(topic)) ?? null;
      let score = base;
      if (followedSource) score *= weights.followedSourceBoost;
      if (followedTopic !== null) score *= weights.followedTopicBoost;
      // Stories earlier pages showed are skipped before anything is allocated for them.
      if (cursor !== null && !afterCursor(score, story.id, cursor)) continue;
      if (top.length === k && compareRanked({ score, id: story.id }, top[k - 1]!) >= 0) continue;
      insertSorted(top, { story, id: story.id, score, followedSource, followedTopic }, k);
    }
  }

  // Fields named one by one: a spread of a story costs more than the rest of the page.
  const items = top.slice(0, query.limit).map(
    ({ story, score, followedSource, followedTopic }): FeedItem<A> => ({
      id: story.id,
      representative: story.representative,
      duplicateIds: story.duplicateIds,
      sourceIds: story.sourceIds,
      likes: story.likes,
      publishedAt: story.publishedAt,
      topics: story.topics,
      score,
      followedSource,
      followedTopic,
    }),
  );
  const last = items.at(-1);
  const next = top.length > query.limit && last ? { asOf, score: last.score, id: last.id } : null;
  return { items, next, asOf };
}

/** Puts `item` into `top` (kept in feed order), keeping at most `k`. */
function insertSorted<A extends FeedArticle>(top: Scored<A>[], item: Scored<A>, k: number): void {
  let lo = 0;
  let hi = top.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRanked(item, top[mid]!) < 0) hi = mid;
    else lo = mid + 1;
  }
  top.splice(lo, 0, item);
  if (top.length > k) top.pop();
}

/** Whether a story with this score and id comes after the cursor in feed order. */
const afterCursor = (score: number, id: Id, cursor: FeedCursor) => compareRanked({ score, id }, cursor) > 0;

/**
 * The first `k` items in `compare` order (negative: a before b), without sorting everything: a sorted
 * buffer of k, O(n log k) comparisons for a page out of thousands. Falls back to a sort when k is large.
 */
export function selectTop<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (k * 8 >= items.length) return [...items].sort(compare).slice(0, k);
  const top: T[] = [];
  for (const item of items) {
    if (top.length === k && compare(item, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(item, top[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    top.splice(lo, 0, item);
    if (top.length > k) top.pop();
  }
  return top;
}
