/**
 * Derived fields the store keeps beside each entry: its dedupe key, content hash, plain-text summary (what
 * full-text search indexes) and normalised topics. Pure, and runtime-neutral (Web Crypto). The duplicate
 * keys (link and title) come from duplicates.ts.
 */
import type { FeedEntry } from "./feeds/entry.ts";
import { normalizeTopic } from "./ranking.ts";

/** How much of a summary is indexed and shown as text. */
export const SUMMARY_TEXT_LIMIT = 1000;
/** Topics kept per article, and the longest topic. */
export const TOPICS_PER_ARTICLE = 20;
export const TOPIC_LENGTH_LIMIT = 100;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The entry's identity within its feed: its own id (guid, atom:id, JSON Feed id), else its link, else a
 * hash of its title and content. Parsers already fill `id` this way; the store re-applies the rule so an
 * entry with a blank id never collides with another.
 */
export async function entryKey(entry: FeedEntry): Promise<string> {
  const id = entry.id.trim();
  if (id) return id;
  if (entry.link) return entry.link;
  return `sha256:${await sha256Hex(`${entry.title ?? ""}\n${entry.content ?? entry.summary ?? ""}`)}`;
}

/** Hash of everything shown from the entry: when it changes, the stored article is updated. */
export function contentHash(entry: FeedEntry): Promise<string> {
  return sha256Hex(
    JSON.stringify([
      entry.title,
      entry.link,
      entry.author,
      entry.summary,
      entry.content,
      entry.published,
      entry.updated,
      entry.categories,
      entry.enclosures,
    ]),
  );
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Text of already-sanitised HTML, for the search index and plain-text snippets: tags dropped, entities
 * decoded, whitespace collapsed, cut at `limit` characters.
 */
export function plainText(html: string | null, limit = SUMMARY_TEXT_LIMIT): string {
  if (!html) return "";
  const text = decodeEntities(html.replace(/<[^>]*>/g, " "))
    // Control characters never belong in text, and search marks its snippets with two of them.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}…` : text;
}

/** A topic as stored and followed: ranking.ts' `normalizeTopic`; null when empty or too long. */
export function topicOf(raw: string): string | null {
  const topic = normalizeTopic(raw);
  return topic && topic.length <= TOPIC_LENGTH_LIMIT ? topic : null;
}

export function topicsOf(categories: readonly string[]): string[] {
  const topics = new Set<string>();
  for (const category of categories) {
    const topic = topicOf(category);
    if (topic) topics.add(topic);
    if (topics.size === TOPICS_PER_ARTICLE) break;
  }
  return [...topics];
}

/** An ISO 8601 date as epoch ms; null for none or an unparsable one. */
export function isoToMs(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
