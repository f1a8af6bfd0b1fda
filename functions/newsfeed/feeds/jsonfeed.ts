/**
 * JSON Feed 1.1 (and 1.0: `author` instead of `authors`). The document is untrusted JSON, so every field
 * is checked for its type and anything else is ignored. Titles, summaries and content_text are plain
 * text by the spec (kept as text, or escaped into HTML for summary/content); content_html is sanitised.
 * Relative URLs resolve against the item's url, then home_page_url, feed_url, then where it was fetched.
 */
import { parseDate } from "./dates.ts";
import { type Enclosure, type FeedEntry, FeedParseError, type ParsedFeed } from "./entry.ts";
import { cleanText, escapeHtml, sanitizeHtml } from "./sanitize.ts";
import { firstBase, webUrl } from "./urls.ts";

const VERSION_PREFIX = "https://jsonfeed.org/version/";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim().length > 0 ? value : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** True when `doc` says it is a JSON Feed (its `version` URL). */
export function isJsonFeed(doc: unknown): doc is Json {
  return isObject(doc) && typeof doc.version === "string" && doc.version.startsWith(VERSION_PREFIX);
}

export function parseJsonFeed(doc: unknown, feedUrl: string | null): ParsedFeed {
  if (!isJsonFeed(doc)) throw new FeedParseError("not a feed: JSON without a jsonfeed.org version");
  const base = firstBase(feedUrl, webUrl(str(doc.feed_url)));
  const siteLink = webUrl(str(doc.home_page_url), base);
  const feedAuthor = authorsOf(doc);
  return {
    format: "jsonfeed",
    title: text(doc.title),
    link: siteLink,
    description: text(doc.description),
    language: str(doc.language)?.trim() ?? null,
    updated: null, // JSON Feed has no feed-level date
    entries: list(doc.items)
      .filter(isObject)
      .map((item) => readItem(item, firstBase(siteLink, base), feedAuthor)),
  };
}

function readItem(item: Json, feedBase: string | null, feedAuthor: string | null): FeedEntry {
  const link = webUrl(str(item.url), feedBase) ?? webUrl(str(item.external_url), feedBase);
  const base = firstBase(link, feedBase);
  const html = str(item.content_html);
  const plain = str(item.content_text);
  const summary = str(item.summary);
  const id = typeof item.id === "number" && Number.isFinite(item.id) ? String(item.id) : str(item.id);
  return {
    id: id?.trim() ?? "",
    title: text(item.title),
    link,
    author: authorsOf(item) ?? feedAuthor,
    published: parseDate(str(item.date_published)),
    updated: parseDate(str(item.date_modified)),
    summary: summary ? escapeHtml(cleanText(summary)) : null,
    content: html ? sanitizeHtml(html, base) || null : plain ? escapeHtml(plain.trim()) : null,
    categories: [
      ...new Set(
        list(item.tags)
          .map(text)
          .filter((tag): tag is string => tag !== null),
      ),
    ],
    enclosures: list(item.attachments)
      .filter(isObject)
      .flatMap((attachment): Enclosure[] => {
        const url = webUrl(str(attachment.url), base);
        if (!url) return [];
        const size = attachment.size_in_bytes;
        const length = typeof size === "number" && Number.isSafeInteger(size) && size >= 0 ? size : null;
        return [{ url, type: str(attachment.mime_type)?.trim() ?? null, length }];
      }),
  };
}

function text(value: unknown): string | null {
  const s = str(value);
  return s ? cleanText(s) || null : null;
}

/** 1.1's `authors`, else 1.0's `author`: names comma-separated. */
function authorsOf(doc: Json): string | null {
  const authors = [...list(doc.authors), doc.author].filter(isObject);
  const names = authors.map((author) => text(author.name)).filter((name): name is string => name !== null);
  return names.length > 0 ? names.join(", ") : null;
}
