/**
 * feedparser's "wellformed" test cases, read from the shared folder (`CANARY_SHARED`, default `../shared`
 * relative to the repository root), and their `Expect:` lines translated into checks on our ParsedFeed.
 *
 * Only the shape `[not bozo and] <path> == <literal> [and <path> == <literal>]…` is translated (a chained
 * `<path> == <path> == <literal>` counts, as each path == the literal), and only
 * when every path names a field we model (`mapField`); everything else is "untranslatable", with the
 * reason. Where our representation differs from feedparser's by design, the literal is converted:
 * - feedparser's value is HTML or plain text depending on the source (Atom: the element's type
 *   attribute; RSS: descriptions and content are HTML, titles text). Our titles, authors and feed
 *   description are always plain text, so an HTML literal is turned into text (tags stripped, the basic
 *   entities decoded); our summary and content are always HTML, so a text literal is HTML-escaped.
 *   Otherwise the comparison is exact;
 * - dates: feedparser's `*_parsed` tuples (UTC) become ISO strings; its raw date strings are not
 *   modelled (we keep only the parsed date);
 * - an empty string expected where we say null (we never emit empty strings).
 * `not bozo` (well-formedness) is implied by parseFeed returning.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParsedFeed } from "../entry.ts";
import { type Literal, type Path, parseExpect } from "./python-expect.ts";

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../../..");
export const FOLDERS = ["rss", "atom10"] as const;

export function casesDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.CANARY_SHARED ?? "../shared", "conformance/feedparser/tests/wellformed");
}

/** True when the conformance walk should be skipped: folder missing and not under CI=true. Says so loudly. */
export function skipWithoutCases(): boolean {
  const dir = casesDir();
  if (existsSync(dir) || process.env.CI === "true") return false;
  const bar = "!".repeat(78);
  console.warn(
    `\n${bar}\n!! SKIPPING the feedparser conformance walk: ${dir} is missing (set CANARY_SHARED)\n`,
  );
  console.warn(`!! Under CI=true this is a failure.\n${bar}\n`);
  return true;
}

export interface FeedCase {
  folder: string;
  name: string;
  bytes: Uint8Array;
  description: string;
  expect: string;
}

export function loadCases(folder: string): FeedCase[] {
  const dir = join(casesDir(), folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".xml"))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      const head = bytes.subarray(0, 2000).toString("latin1");
      return {
        folder,
        name,
        bytes,
        description: /Description:\s*(.*)/.exec(head)?.[1]?.trim() ?? "",
        expect: /Expect:\s*(.*)/.exec(head)?.[1]?.trim() ?? "",
      };
    });
}

export type Translation = { ok: true; checks: Check[] } | { ok: false; reason: string };

export interface Check {
  path: string;
  expected: unknown;
  actual: (feed: ParsedFeed) => unknown;
}

/** The Expect line as checks on our ParsedFeed, or why it cannot be; `source` is the case's document. */
export function translate(expect: string, source: string): Translation {
  const parsed = parseExpect(expect);
  if (!parsed.ok) return parsed;
  const checks: Check[] = [];
  for (const { paths, literal } of parsed.comparisons) {
    for (const path of paths) {
      const check = mapField(path, literal, source);
      if (typeof check === "string") return { ok: false, reason: check };
      checks.push(check);
    }
  }
  return { ok: true, checks };
}

/** feedparser's HTML text → our plain text: tags stripped, the basic entities decoded, spaces collapsed. */
export function literalAsText(html: string): string {
  const entities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return html
    .replace(/<\/?[A-Za-z][^>]*>/g, "")
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
      if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
      if (ref.startsWith("#")) return String.fromCodePoint(Number(ref.slice(1)));
      return entities[ref] ?? whole;
    })
    .replace(/\s+/g, " ")
    .trim();
}

/** A feedparser time tuple (UTC) as our ISO string. */
function tupleAsIso(tuple: Literal): string | undefined {
  if (!Array.isArray(tuple) || tuple.length !== 9 || !tuple.every((n) => typeof n === "number"))
    return undefined;
  const [y, mo, d, h, mi, s] = tuple as number[];
  const date = new Date(0);
  date.setUTCFullYear(y!, mo! - 1, d!);
  date.setUTCHours(h!, mi!, s!, 0);
  return date.toISOString();
}

const VERSIONS: Record<string, string> = {
  rss090: "rss1",
  rss10: "rss1",
  rss091n: "rss2",
  rss091u: "rss2",
  rss092: "rss2",
  rss093: "rss2",
  rss094: "rss2",
  rss20: "rss2",
  rss: "rss2",
  atom10: "atom",
  atom03: "atom",
};

/**
 * Whether feedparser's value for this element is HTML: in Atom by the element's type attribute (text,
 * the default, is not; html, xhtml and base64-encoded media are), in RSS only descriptions/content.
 */
export function literalIsHtml(
  source: string,
  element: "title" | "subtitle" | "summary" | "content",
): boolean {
  if (!/<(?:\w+:)?feed\b/.test(source)) return element !== "title"; // RSS: description, content:encoded
  const attrs = new RegExp(`<(?:\\w+:)?${element}\\b([^>]*)>`).exec(source)?.[1] ?? "";
  const type = /\btype\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1]?.trim().toLowerCase() ?? "text";
  return !["", "text", "text/plain"].includes(type);
}

function textAsHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

type Kind = "exact" | "date" | "length" | { text: boolean } | { html: boolean };

function mapField(path: Path, literal: Literal, source: string): Check | string {
  const key = path.map(String).join(".");
  const notModelled = `not modelled: ${key.replace(/\.\d+/g, "[i]")}`;
  const build = (kind: Kind, actual: (feed: ParsedFeed) => unknown): Check | string => {
    if (kind === "date") {
      const iso = tupleAsIso(literal);
      return iso ? { path: key, expected: iso, actual } : `not a time tuple: ${key}`;
    }
    if (typeof literal !== "string") return `not a string literal: ${key}`;
    let expected = literal;
    if (typeof kind === "object" && "text" in kind) {
      expected = kind.text ? literal.replace(/\s+/g, " ").trim() : literalAsText(literal);
    }
    if (typeof kind === "object" && "html" in kind) expected = kind.html ? literal : textAsHtml(literal);
    const read = (feed: ParsedFeed) => {
      const value = actual(feed);
      if (kind === "length") return value === null || value === undefined ? value : String(value);
      return value === null && expected === "" ? "" : value; // we say null where feedparser says ""
    };
    return { path: key, expected, actual: read };
  };
  const textKind = (element: "title" | "subtitle") => ({ text: !literalIsHtml(source, element) });
  const htmlKind = (element: "summary" | "content") => ({ html: literalIsHtml(source, element) });
  const [root, ...rest] = path;
  if (root === "version" && rest.length === 0) {
    const format = typeof literal === "string" ? VERSIONS[literal] : undefined;
    return format ? { path: key, expected: format, actual: (feed) => feed.format } : notModelled;
  }
  if (root === "feed") {
    const field = rest.join(".");
    if (["title", "title_detail.value"].includes(field)) return build(textKind("title"), (f) => f.title);
    if (["subtitle", "subtitle_detail.value", "description", "tagline"].includes(field)) {
      return build(textKind("subtitle"), (f) => f.description);
    }
    if (field === "link") return build("exact", (f) => f.link);
    if (field === "language") return build("exact", (f) => f.language);
    if (field === "updated_parsed") return build("date", (f) => f.updated);
    return notModelled;
  }
  if (root !== "entries" || typeof rest[0] !== "number") return notModelled;
  const index = rest[0];
  const entry = (f: ParsedFeed) => f.entries[index];
  const field = rest.slice(1).join(".");
  const m = /^(tags|enclosures|content)\.(\d+)(?:\.(\w+))?$/.exec(field);
  if (m) {
    const [, list, at, sub] = [m[0], m[1], Number(m[2]), m[3]];
    if (list === "tags" && sub === "term") return build("exact", (f) => entry(f)?.categories[at]);
    if (list === "content" && at === 0 && sub === "value")
      return build(htmlKind("content"), (f) => entry(f)?.content);
    if (list === "enclosures") {
      const enclosure = (f: ParsedFeed) => entry(f)?.enclosures[at];
      if (sub === "href" || sub === "url") return build("exact", (f) => enclosure(f)?.url);
      if (sub === "type") return build("exact", (f) => enclosure(f)?.type);
      if (sub === "length") return build("length", (f) => enclosure(f)?.length);
      if (sub === undefined && typeof literal === "object" && !Array.isArray(literal)) {
        const keys = Object.keys(literal).sort().join(",");
        if (keys !== "href,length,type") return notModelled;
        return {
          path: key,
          expected: literal,
          actual: (f) => {
            const e = enclosure(f);
            return e && { href: e.url, length: e.length === null ? null : String(e.length), type: e.type };
          },
        };
      }
    }
    return notModelled;
  }
  if (field === "id" || field === "guid") return build("exact", (f) => entry(f)?.id);
  if (field === "title" || field === "title_detail.value")
    return build(textKind("title"), (f) => entry(f)?.title);
  if (field === "link") return build("exact", (f) => entry(f)?.link);
  if (field === "author" || field === "author_detail.name")
    return build({ text: true }, (f) => entry(f)?.author);
  if (["summary", "description", "summary_detail.value"].includes(field)) {
    return build(htmlKind("summary"), (f) => entry(f)?.summary);
  }
  if (field === "category") return build("exact", (f) => entry(f)?.categories[0]);
  if (field === "published_parsed") return build("date", (f) => entry(f)?.published);
  if (field === "updated_parsed") return build("date", (f) => entry(f)?.updated);
  return notModelled;
}
