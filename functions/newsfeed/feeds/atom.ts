/**
 * Atom 1.0 (RFC 4287), and the Atom 0.3 drafts still in the wild (same shape, other namespace,
 * tagline/issued/modified, mode="escaped"). Text constructs honour type="text|html|xhtml": titles and
 * the subtitle become plain text; summary and content become sanitised HTML (text escaped, html
 * sanitised, xhtml serialised from its div then sanitised). Out-of-line (src) and binary content has no
 * inline HTML and is left out. Entries without an author inherit the source's, then the feed's (RFC 4287
 * §4.2.1).
 */
import type { FeedEntry, ParsedFeed } from "./entry.ts";
import { enclosure, firstDate, unique } from "./rss2.ts";
import { cleanText, escapeHtml, htmlToText, sanitizeHtml } from "./sanitize.ts";
import { firstBase, webUrl } from "./urls.ts";
import {
  attr,
  childText,
  find,
  findAll,
  htmlSource,
  NS,
  serializeMarkup,
  textOf,
  type XmlElement,
} from "./xml.ts";

interface TextConstruct {
  /** HTML source, not yet sanitised. */
  html: string;
  text: string;
}

export function parseAtom(root: XmlElement, feedUrl: string | null): ParsedFeed {
  const ns = root.ns; // Atom 1.0, 0.3, or (broken feeds) no namespace at all
  const siteLink = alternateLink(root, firstBase(root.xmlBase, feedUrl));
  const feedAuthor = authorsOf(root, ns);
  return {
    format: "atom",
    title: textOnly(find(root, ns, "title")),
    link: siteLink,
    description: textOnly(find(root, ns, "subtitle") ?? find(root, ns, "tagline")),
    language: root.lang,
    updated: firstDate(root, [
      [ns, "updated"],
      [ns, "modified"],
    ]),
    entries: findAll(root, ns, "entry").map((entry) =>
      readEntry(entry, ns, { siteLink, feedUrl, feedAuthor }),
    ),
  };
}

interface FeedDefaults {
  siteLink: string | null;
  feedUrl: string | null;
  feedAuthor: string | null;
}

function readEntry(entry: XmlElement, ns: string, feed: FeedDefaults): FeedEntry {
  const link = alternateLink(entry, firstBase(entry.xmlBase, feed.siteLink, feed.feedUrl));
  const baseFor = (el: XmlElement) => firstBase(el.xmlBase, link, feed.siteLink, feed.feedUrl);
  const summary = find(entry, ns, "summary");
  const content = find(entry, ns, "content");
  const summaryHtml = summary && textConstruct(summary);
  const contentHtml = content && contentSource(content);
  const source = find(entry, ns, "source");
  return {
    id: cleanText(childText(entry, ns, "id") ?? ""),
    title: textOnly(find(entry, ns, "title")),
    link,
    author: authorsOf(entry, ns) ?? (source && authorsOf(source, ns)) ?? feed.feedAuthor,
    published: firstDate(entry, [
      [ns, "published"],
      [ns, "issued"],
    ]),
    updated: firstDate(entry, [
      [ns, "updated"],
      [ns, "modified"],
    ]),
    summary: summary && summaryHtml ? sanitizeHtml(summaryHtml.html, baseFor(summary)) || null : null,
    content: content && contentHtml ? sanitizeHtml(contentHtml, baseFor(content)) || null : null,
    categories: unique(
      findAll(entry, ns, "category").map((el) => attr(el, "term") ?? attr(el, "label") ?? ""),
    ),
    enclosures: linksOf(entry, ns, "enclosure").flatMap((el) => {
      const url = webUrl(hrefOf(el), baseFor(el));
      return url ? [enclosure(url, attr(el, "type"), attr(el, "length"))] : [];
    }),
  };
}

function textConstruct(el: XmlElement): TextConstruct {
  const type = (attr(el, "type") ?? "text").trim().toLowerCase();
  if (type === "xhtml" || type === "application/xhtml+xml") {
    const div = find(el, NS.xhtml, "div");
    const html = serializeMarkup(div ? div.children : el.children);
    return { html, text: htmlToText(html) };
  }
  if (type === "html" || type === "text/html" || attr(el, "mode") === "escaped") {
    const html = htmlSource(el);
    return { html, text: htmlToText(html) };
  }
  const isXml = type.endsWith("/xml") || type.endsWith("+xml");
  if (
    attr(el, "mode") === "base64" ||
    !(type === "" || type === "text" || type.startsWith("text/") || isXml)
  ) {
    // Any other media type is base64 (RFC 4287 §4.1.3.3; Atom 0.3 says mode="base64"). Text that decodes
    // as UTF-8 is read as HTML — it is sanitised like any other; binary media has no inline form.
    const html = decodeBase64Text(textOf(el)) ?? "";
    return { html, text: htmlToText(html) };
  }
  // "text", "text/plain", an empty type, any other text/* or XML type: the characters are the text.
  const raw = textOf(el);
  return { html: escapeHtml(raw.trim()), text: cleanText(raw) };
}

function decodeBase64Text(encoded: string): string | null {
  const compact = encoded.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  try {
    const bytes = Uint8Array.from(atob(compact), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null; // not base64 after all, or not text
  }
}

/** atom:content's HTML source, or null for out-of-line content (src: the entry's link says where). */
function contentSource(el: XmlElement): string | null {
  return attr(el, "src") === null ? textConstruct(el).html : null;
}

function textOnly(el: XmlElement | null): string | null {
  return el ? textConstruct(el).text || null : null;
}

/** Author names, comma-separated (an author with only an email is shown by it); null when none. */
function authorsOf(el: XmlElement, ns: string): string | null {
  const names = findAll(el, ns, "author")
    .map((author) => cleanText(childText(author, ns, "name") ?? childText(author, ns, "email") ?? ""))
    .filter((name) => name.length > 0);
  return names.length > 0 ? names.join(", ") : null;
}

/** Some feeds put the address in the element's text instead of href. */
function hrefOf(link: XmlElement): string | null {
  return attr(link, "href") ?? (textOf(link).trim() || null);
}

function linksOf(el: XmlElement, ns: string, rel: string): XmlElement[] {
  return findAll(el, ns, "link").filter((link) => (attr(link, "rel")?.trim() || "alternate") === rel);
}

/** The rel="alternate" (or rel-less) link, preferring an HTML one; links without an address are skipped. */
function alternateLink(el: XmlElement, base: string | null): string | null {
  const candidates = linksOf(el, el.ns, "alternate")
    .map((link) => ({ url: webUrl(hrefOf(link), firstBase(link.xmlBase, base)), type: attr(link, "type") }))
    .filter((link) => link.url !== null);
  const html = candidates.find((link) => !link.type || link.type.toLowerCase().includes("html"));
  return (html ?? candidates[0])?.url ?? null;
}
