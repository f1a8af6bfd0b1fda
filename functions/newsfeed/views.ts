/** How stored rows look in the API: ids as strings, times as ISO 8601, feeds named. */
import type { NewsfeedStore } from "./store.ts";
import type { ArticleRecord } from "./store-articles.ts";
import type { FeedRecord, FeedRef } from "./store-feeds.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function feedView(feed: FeedRecord) {
  return {
    id: String(feed.id),
    url: feed.url,
    title: feed.title,
    siteLink: feed.siteLink,
    format: feed.format,
    status: feed.status,
    lastFetchAt: isoOrNull(feed.lastFetchAt),
    lastSuccessAt: isoOrNull(feed.lastSuccessAt),
    lastError: feed.lastError,
    nextCheckAt: isoOrNull(feed.nextCheckAt),
    consecutiveFailures: feed.consecutiveFailures,
    entryCount: feed.entryCount,
    createdAt: iso(feed.createdAt),
  };
}

export const feedRef = (feed: FeedRef | undefined) =>
  feed ? { id: String(feed.id), title: feed.title, url: feed.url } : null;

/** Feed names by id, in one query. */
export async function feedsById(store: NewsfeedStore, ids: readonly number[]): Promise<Map<number, FeedRef>> {
  const feeds = await store.feeds.refs(ids);
  return new Map(feeds.map((f) => [f.id, f]));
}

/** The names of the feeds `articles` come from. */
export const feedsOf = (store: NewsfeedStore, articles: readonly ArticleRecord[]) =>
  feedsById(
    store,
    articles.map((a) => a.feedId),
  );

/**
 * An article as lists show it (no content). `liked` is null unless the caller is the person the list is
 * for: a demo `?user=` view must not reveal what that user liked.
 */
export function articleView(article: ArticleRecord, feeds: Map<number, FeedRef>, liked: boolean | null) {
  return {
    id: String(article.id),
    title: article.title,
    link: article.link,
    author: article.author,
    summary: article.summary,
    publishedAt: iso(article.postedAt),
    topics: article.topics,
    feed: feedRef(feeds.get(article.feedId)),
    likes: article.likeCount,
    liked,
  };
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** A search snippet as HTML: the text escaped, the match markers turned into `<mark>`. */
export function snippetHtml(snippet: string, start: string, end: string): string {
  return snippet
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
    .replaceAll(start, "<mark>")
    .replaceAll(end, "</mark>");
}
