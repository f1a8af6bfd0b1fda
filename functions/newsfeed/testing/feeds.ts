/** Feed documents and a fetcher without a network, for the app and ingest tests. */
import type { FetchResult } from "../feeds/fetch.ts";
import type { FeedFetcher } from "../ingest.ts";

export interface RssItem {
  guid?: string;
  title: string;
  link?: string;
  /** ISO 8601; written as RFC 822, as RSS wants. */
  published?: string;
  description?: string;
  categories?: string[];
}

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** An RSS 2.0 document. */
export function rssFeed(feed: { title: string; link: string; items: RssItem[] }): string {
  const items = feed.items.map((item) =>
    [
      "<item>",
      item.guid === undefined ? "" : `<guid isPermaLink="false">${escapeXml(item.guid)}</guid>`,
      `<title>${escapeXml(item.title)}</title>`,
      item.link === undefined ? "" : `<link>${escapeXml(item.link)}</link>`,
      item.published === undefined ? "" : `<pubDate>${new Date(item.published).toUTCString()}</pubDate>`,
      item.description === undefined ? "" : `<description>${escapeXml(item.description)}</description>`,
      ...(item.categories ?? []).map((c) => `<category>${escapeXml(c)}</category>`),
      "</item>",
    ].join(""),
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${escapeXml(feed.title)}</title><link>${escapeXml(feed.link)}</link>
<description>test feed</description>${items.join("\n")}</channel></rss>`;
}

const NO_HINTS = { cacheControl: null, retryAfter: null };

/** A FetchResult for a 200 with `body`. */
export function okResult(url: string, body: string, contentType = "application/rss+xml"): FetchResult {
  return {
    kind: "ok",
    url,
    status: 200,
    body: new TextEncoder().encode(body),
    contentType,
    validators: { etag: null, lastModified: null },
    hints: NO_HINTS,
  };
}

/** A FetchResult for a failed fetch. */
export function errorResult(url: string, message = "HTTP 404", retryable = false): FetchResult {
  return { kind: "error", reason: "http_status", retryable, message, url, status: 404, hints: NO_HINTS };
}

/**
 * A fetcher answering from a table (URL → document, or a FetchResult), and an error for anything else.
 * `calls` records each fetched URL.
 */
export function tableFetcher(table: Map<string, string | FetchResult>): FeedFetcher & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = async (url: string) => {
    calls.push(url);
    const found = table.get(url);
    if (found === undefined) return errorResult(url);
    return typeof found === "string" ? okResult(url, found) : found;
  };
  return Object.assign(fetcher, { calls });
}
