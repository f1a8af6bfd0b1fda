/**
 * What every feed parser produces (one module per format: rss2, rss1, atom, jsonfeed): a feed and its
 * entries, normalised so the store, the ranking and the page never look at the source format again.
 * Dates are ISO 8601 (UTC) or null; URLs are absolute; HTML is already sanitised.
 */
export type FeedFormat = "rss2" | "rss1" | "atom" | "jsonfeed";

export interface Enclosure {
  url: string;
  type: string | null;
  /** Bytes, when the feed says. */
  length: number | null;
}

export interface FeedEntry {
  /** The entry's own id (guid, atom:id, JSON Feed id), else its link, else a hash of title and content. */
  id: string;
  title: string | null;
  link: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  /** Sanitised HTML. */
  summary: string | null;
  /** Sanitised HTML. */
  content: string | null;
  categories: string[];
  enclosures: Enclosure[];
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The site's address (not the feed's). */
  link: string | null;
  description: string | null;
  language: string | null;
  updated: string | null;
  entries: FeedEntry[];
}

/** A document that is no feed at all (not XML/JSON, or no known root element). */
export class FeedParseError extends Error {
  override readonly name = "FeedParseError";
}
