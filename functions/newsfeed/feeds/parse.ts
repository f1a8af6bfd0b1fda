/**
 * `parseFeed`: a fetched document (bytes, or text already decoded) in, a normalised ParsedFeed out, or a
 * FeedParseError — never another exception, never a hang.
 *
 * 1. Decode: a byte order mark wins (it cannot be wrong about the bytes, and WHATWG sniffing gives it the
 *    same priority), then the HTTP Content-Type charset, then the XML declaration's encoding, then UTF-8.
 * 2. Detect: `{` → JSON Feed (by its `version`); `<` → XML, by root element: <rss> RSS 0.9x/2.0,
 *    <rdf:RDF> RSS 1.0/0.90, <feed> Atom. Anything else is not a feed.
 * 3. Dispatch to the format's module, then give every entry an id (see `entryId`).
 *
 * Size: the byte limit is MAX_FEED_BYTES (5 MiB), enforced where bytes arrive, which stops reading past
 * it — the fetcher (feeds/fetch.ts, its `maxBytes` option: pass MAX_FEED_BYTES) and `canary feed parse`.
 * parseFeed itself refuses more than MAX_PARSE_BYTES (20 MiB) as a backstop for callers that skip the
 * fetcher. Every step is linear in the input: one pass of fast-xml-parser (nesting and DOCTYPE entity
 * expansion capped in xml.ts), js-xss per HTML field (its one quadratic path bounded in sanitize.ts),
 * regular expressions without nested repetition, dates capped at 120 characters.
 */
import { parseAtom } from "./atom.ts";
import { type FeedEntry, FeedParseError, type ParsedFeed } from "./entry.ts";
import { parseJsonFeed } from "./jsonfeed.ts";
import { parseRss1 } from "./rss1.ts";
import { parseRss2 } from "./rss2.ts";
import { fixWindows1252 } from "./sanitize.ts";
import { resolveUrl } from "./urls.ts";
import { NS, parseXml } from "./xml.ts";

export const MAX_FEED_BYTES = 5 * 1024 * 1024;
export const MAX_PARSE_BYTES = 4 * MAX_FEED_BYTES;

export interface ParseFeedOptions {
  /** Where the document came from: the last resort for resolving relative URLs. */
  url?: string;
  /** The HTTP Content-Type, for its charset. */
  contentType?: string;
}

export function parseFeed(input: Uint8Array | string, options: ParseFeedOptions = {}): ParsedFeed {
  try {
    return parseChecked(input, options);
  } catch (error) {
    if (error instanceof FeedParseError) throw error;
    // A bug or a resource error deep in a library (e.g. a stack overflow) is still "cannot parse this".
    const reason = error instanceof Error ? error.message : String(error);
    throw new FeedParseError(`could not parse the feed (${reason})`, { cause: error });
  }
}

function parseChecked(input: Uint8Array | string, options: ParseFeedOptions): ParsedFeed {
  const size = typeof input === "string" ? input.length : input.byteLength;
  if (size > MAX_PARSE_BYTES) {
    throw new FeedParseError(`feed too large: ${size} bytes (the limit is ${MAX_PARSE_BYTES})`);
  }
  const text = (typeof input === "string" ? input : decodeFeed(input, options.contentType)).replace(
    /^\uFEFF/,
    "",
  );
  const feedUrl = resolveUrl(options.url) ?? null;
  const start = text.search(/\S/);
  const feed =
    text[start] === "{"
      ? parseJsonText(text, feedUrl)
      : text[start] === "<"
        ? parseXmlText(text, feedUrl)
        : null;
  if (!feed) throw new FeedParseError("not a feed: the document is neither XML nor JSON");
  return { ...feed, entries: feed.entries.map((entry) => ({ ...entry, id: entryId(entry) })) };
}

function parseJsonText(text: string, feedUrl: string | null): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FeedParseError(`not a feed: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseJsonFeed(doc, feedUrl);
}

function parseXmlText(text: string, feedUrl: string | null): ParsedFeed {
  const root = parseXml(text, feedUrl);
  if (root.local === "rss") return parseRss2(root, feedUrl);
  if (root.local === "RDF" && root.ns === NS.rdf) return parseRss1(root, feedUrl);
  if (root.local === "feed" && [NS.atom, NS.atom03, ""].includes(root.ns)) return parseAtom(root, feedUrl);
  throw new FeedParseError(`not a feed: the root element is <${root.name}>`);
}

/**
 * The entry's own id, else its link, else a hash of its title and content (summary when it has no
 * content): FNV-1a 64 over UTF-8, hex, as `urn:fnv1a64:…`. Not cryptographic — it only has to be stable
 * across fetches so the same entry deduplicates, and synchronous (Web Crypto's digest is async).
 */
export function entryId(entry: FeedEntry): string {
  if (entry.id) return entry.id;
  if (entry.link) return entry.link;
  return `urn:fnv1a64:${fnv1a64(`${entry.title ?? ""}\u0000${entry.content ?? entry.summary ?? ""}`)}`;
}

/** FNV-1a 64-bit of the UTF-8 bytes, as 16 hex digits; 16-bit limbs keep the arithmetic exact in doubles. */
export function fnv1a64(text: string): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2; // offset basis 0xcbf29ce484222325
  for (const byte of new TextEncoder().encode(text)) {
    h0 ^= byte;
    // × the FNV prime 0x100000001b3 = 2^40 + 0x1b3: limb 0 × 0x1b3, and limb 2 gains 0x100 × limb 0.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, "0")).join("");
}

/** Byte order marks, and UTF-16 recognised by how `<?` is laid out when there is no BOM. */
function sniffEncoding(bytes: Uint8Array): string | null {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return "utf-8";
  if (b0 === 0xff && b1 === 0xfe) return "utf-16le";
  if (b0 === 0xfe && b1 === 0xff) return "utf-16be";
  if (b0 === 0x3c && b1 === 0 && b2 === 0x3f && b3 === 0) return "utf-16le";
  if (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 === 0x3f) return "utf-16be";
  return null;
}

export function charsetOf(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match ? match[1]! : null;
}

const DECLARATION = /^\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/;

function declaredEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 256));
  const label = DECLARATION.exec(head)?.[1] ?? null;
  // Without a BOM or the UTF-16 layout (sniffed above), the bytes are not UTF-16 whatever they say.
  return label && !/^utf-?16/i.test(label) ? label : null;
}

/** Bytes → text by the first usable label: BOM, Content-Type charset, XML declaration, UTF-8. */
export function decodeFeed(bytes: Uint8Array, contentType?: string): string {
  for (const label of [sniffEncoding(bytes), charsetOf(contentType), declaredEncoding(bytes)]) {
    if (!label) continue;
    try {
      const decoder = new TextDecoder(label);
      const text = decoder.decode(bytes);
      return decoder.encoding === "windows-1252" ? fixWindows1252(text) : text;
    } catch {
      // an unknown label: fall through to the next candidate
    }
  }
  return new TextDecoder().decode(bytes);
}
