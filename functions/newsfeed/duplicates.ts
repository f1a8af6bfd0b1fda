/**
 * Cross-source duplicate detection, pure: the same story published by several sources (or re-posted with
 * tracking parameters) becomes one `Story` that keeps a representative article and lists the others.
 *
 * Two articles are the same story when
 *   - their links have the same `linkKey` (tracking params, fragment, default port, trailing slashes,
 *     scheme and `www.` ignored), whatever their dates; or
 *   - their titles have the same `titleKey` (case, accents, punctuation and spacing ignored) and they were
 *     published within `windowMs` of each other (a chain of copies each within the window of the previous).
 * The relation is closed transitively (union-find), so A~B by link and B~C by title puts A, B, C together.
 *
 * Usage (compute the keys once at ingestion and store them; the merge then skips URL parsing):
 *   const keys = { linkKey: linkKey(entry.link), titleKey: titleKey(entry.title) };
 *   const stories = mergeDuplicates(articles, { windowMs: 48 * HOUR_MS });
 *   stories[0].representative.id; stories[0].duplicateIds; stories[0].sourceIds; stories[0].likes;
 */

export const HOUR_MS = 3_600_000;

/** Title copies further apart than this are different stories ("This week in Rust" comes every week). */
export const DUPLICATE_WINDOW_MS = 48 * HOUR_MS;

/** Titles with fewer words are too generic ("Open thread", "Untitled") to merge on title alone. */
export const MIN_TITLE_WORDS = 3;

/** Article, source and item ids: the store's integers or strings (one kind per field, not mixed). */
export type Id = string | number;

/** A total order on ids: numbers numerically, before strings; strings by code unit. */
export function compareIds(a: Id, b: Id): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One article as the feed and its duplicate merge see it: plain data the store reads from its rows. */
export interface FeedArticle {
  id: Id;
  sourceId: Id;
  link: string | null;
  title: string | null;
  /** Epoch ms. The store should pass min(published, fetchedAt) so future-dated entries cannot pin the top. */
  publishedAt: number;
  likes: number;
  /** Categories as topics, normalised with ranking.ts' `normalizeTopic` (as the store keeps them). */
  topics: readonly string[];
  /** `linkKey(link)` computed at ingestion; computed here when absent (undefined). */
  linkKey?: string | null;
  /** `titleKey(title)` computed at ingestion; computed here when absent (undefined). */
  titleKey?: string | null;
}

/** One or more articles telling the same story. */
export interface Story<A extends FeedArticle = FeedArticle> {
  /** The representative's id: the story's identity in the feed and in cursors. */
  id: Id;
  /** The most-liked copy; ties go to the earliest, then to the smaller id. */
  representative: A;
  /** Ids of the other copies, earliest first. */
  duplicateIds: Id[];
  /** Every source that carries the story, the representative's first. */
  sourceIds: Id[];
  /** Likes of all copies added up: interest in the story, wherever it was shown. */
  likes: number;
  /** The earliest copy's time: when the story broke. */
  publishedAt: number;
  /** Topics of all copies, without repeats (a lone article's own array). */
  topics: readonly string[];
}

export interface MergeOptions {
  /** Default `DUPLICATE_WINDOW_MS`. */
  windowMs?: number;
}

// Click and campaign trackers that never change what page is served.
const TRACKING_PARAMS = new Set(["fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid"]);
const TRACKING_PREFIXES = ["utm_", "mc_", "_hs", "pk_"];

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The canonical form of an article link, as a comparison key (not a URL to show): host lower-cased
 * without `www.`, default port, fragment, tracking params (utm_*, fbclid, gclid, …) and trailing slashes
 * dropped, remaining params sorted by name, scheme left out (http and https copies are the same page).
 * Null for a missing, unparsable or non-http(s) link.
 */
export function linkKey(link: string | null): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  // WHATWG URL already lower-cases the host and drops :80 on http and :443 on https.
  const host = url.hostname.replace(/^www\./, "");
  const port = url.port ? `:${url.port}` : "";
  const path = url.pathname.replace(/\/+$/, "");
  const params = [...url.searchParams].filter(([name]) => !isTracking(name));
  // By name only: the sort is stable, so repeated params keep their order (which may matter to the site).
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length > 0 ? `?${new URLSearchParams(params).toString()}` : "";
  return `${host}${port}${path}${query}`;
}

/**
 * A title reduced to what tells stories apart: Unicode-normalised, accents and punctuation removed,
 * lower-cased, spaces collapsed. Null when it has fewer than `MIN_TITLE_WORDS` words.
 */
export function titleKey(title: string | null): string | null {
  if (!title) return null;
  const words = title
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
  return words.length >= MIN_TITLE_WORDS ? words.join(" ") : null;
}

/** Merges the copies of each story. Stories come out in the order of their first article in the input. */
export function mergeDuplicates<A extends FeedArticle>(
  articles: readonly A[],
  options: MergeOptions = {},
): Story<A>[] {
  const windowMs = options.windowMs ?? DUPLICATE_WINDOW_MS;
  const parent = articles.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!; // path halving keeps the trees flat
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = root(a);
    const rb = root(b);
    // The smaller index stays the root, so each group is keyed by its first article.
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  const byLink = new Map<string, number>();
  const byTitle = new Map<string, number[]>();
  articles.forEach((article, i) => {
    const link = article.linkKey === undefined ? linkKey(article.link) : article.linkKey;
    if (link !== null) {
      const first = byLink.get(link);
      if (first === undefined) byLink.set(link, i);
      else union(first, i);
    }
    const title = article.titleKey === undefined ? titleKey(article.title) : article.titleKey;
    if (title !== null) {
      const same = byTitle.get(title);
      if (same) same.push(i);
      else byTitle.set(title, [i]);
    }
  });
  for (const same of byTitle.values()) {
    if (same.length < 2) continue;
    same.sort((a, b) => articles[a]!.publishedAt - articles[b]!.publishedAt);
    for (let k = 1; k < same.length; k++) {
      const gap = articles[same[k]!]!.publishedAt - articles[same[k - 1]!]!.publishedAt;
      if (gap <= windowMs) union(same[k - 1]!, same[k]!);
    }
  }

  const groups = new Map<number, A[]>();
  articles.forEach((article, i) => {
    const key = root(i);
    const group = groups.get(key);
    if (group) group.push(article);
    else groups.set(key, [article]);
  });
  return [...groups.values()].map(toStory);
}

/** Representative order: most likes, then earliest, then smaller id. */
function betterRepresentative(a: FeedArticle, b: FeedArticle): boolean {
  if (a.likes !== b.likes) return a.likes > b.likes;
  if (a.publishedAt !== b.publishedAt) return a.publishedAt < b.publishedAt;
  return compareIds(a.id, b.id) < 0;
}

function toStory<A extends FeedArticle>(copies: A[]): Story<A> {
  let representative = copies[0]!;
  for (const copy of copies) if (betterRepresentative(copy, representative)) representative = copy;
  if (copies.length === 1) {
    return {
      id: representative.id,
      representative,
      duplicateIds: [],
      sourceIds: [representative.sourceId],
      likes: representative.likes,
      publishedAt: representative.publishedAt,
      topics: representative.topics,
    };
  }
  const others = copies.filter((copy) => copy !== representative);
  others.sort((a, b) => a.publishedAt - b.publishedAt || compareIds(a.id, b.id));
  const all = [representative, ...others];
  return {
    id: representative.id,
    representative,
    duplicateIds: others.map((copy) => copy.id),
    sourceIds: [...new Set(all.map((copy) => copy.sourceId))],
    likes: all.reduce((sum, copy) => sum + copy.likes, 0),
    publishedAt: Math.min(...all.map((copy) => copy.publishedAt)),
    topics: [...new Set(all.flatMap((copy) => copy.topics))],
  };
}
