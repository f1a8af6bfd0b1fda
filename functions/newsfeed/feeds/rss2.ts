/**
 * RSS 0.91–0.94 and 2.0 (root <rss>), with the modules feeds mix in: Dublin Core (dc:creator, dc:date,
 * dc:subject…), DC terms, content:encoded, xhtml:body, and atom:link/atom:author. The channel's
 * elements are taken with no namespace or the root's own (the Userland RSS namespaces). `readRssItem`
 * is shared with RSS 1.0, whose items have the same shape.
 */
import { parseDate } from "./dates.ts";
import type { Enclosure, FeedEntry, ParsedFeed } from "./entry.ts";
import { cleanText, htmlToText, sanitizeHtml } from "./sanitize.ts";
import { firstBase, webUrl } from "./urls.ts";
import {
  attr,
  attrNs,
  childText,
  elements,
  find,
  findAll,
  htmlSource,
  NS,
  serializeMarkup,
  textOf,
  type XmlElement,
} from "./xml.ts";

/** Where an item's relative URLs fall back to after xml:base and its own link. */
export interface ItemBases {
  siteLink: string | null;
  feedUrl: string | null;
}

export function parseRss2(root: XmlElement, feedUrl: string | null): ParsedFeed {
  const core = ["", root.ns];
  const channel = find(root, core, "channel") ?? root;
  const siteLink = channelLink(channel, core, feedUrl);
  // Some feeds put items beside the channel (RSS 0.9x style) rather than inside it.
  const items =
    channel === root
      ? findAll(root, core, "item")
      : [...findAll(channel, core, "item"), ...findAll(root, core, "item")];
  return {
    format: "rss2",
    ...channelFields(channel, core),
    link: siteLink,
    updated: firstDate(channel, [
      [core, "lastBuildDate"],
      [NS.dc, "date"],
      [NS.dcterms, "modified"],
      [core, "pubDate"],
    ]),
    entries: items.map((item) => readRssItem(item, core, { siteLink, feedUrl })),
  };
}

/** The channel's text fields, common to RSS 1.0 and 2.0. */
export function channelFields(channel: XmlElement, core: readonly string[]) {
  return {
    title: textField(find(channel, core, "title") ?? find(channel, NS.dc, "title")),
    description: textField(find(channel, core, "description") ?? find(channel, NS.dc, "description")),
    language: childText(channel, core, "language") ?? childText(channel, NS.dc, "language") ?? channel.lang,
  };
}

/** The site's address: <link>, else an atom:link rel="alternate". */
export function channelLink(
  channel: XmlElement,
  core: readonly string[],
  feedUrl: string | null,
): string | null {
  const link = find(channel, core, "link");
  const base = firstBase(link?.xmlBase, feedUrl);
  return (link && webUrl(textOf(link), base)) || atomAlternate(channel, firstBase(channel.xmlBase, feedUrl));
}

function atomAlternate(el: XmlElement, base: string | null): string | null {
  for (const link of findAll(el, NS.atom, "link")) {
    const rel = attr(link, "rel")?.trim() ?? "alternate";
    if (rel === "alternate") return webUrl(attr(link, "href"), firstBase(link.xmlBase, base));
  }
  return null;
}

export function readRssItem(item: XmlElement, core: readonly string[], bases: ItemBases): FeedEntry {
  const guidEl = find(item, core, "guid");
  const guid = guidEl ? cleanText(textOf(guidEl)) || null : null;
  const isPermaLink = guidEl !== null && attr(guidEl, "isPermaLink")?.trim().toLowerCase() !== "false";
  const linkEl = find(item, core, "link");
  const link =
    (linkEl && webUrl(textOf(linkEl), firstBase(linkEl.xmlBase, bases.siteLink, bases.feedUrl))) ||
    atomAlternate(item, firstBase(item.xmlBase, bases.siteLink, bases.feedUrl)) ||
    (isPermaLink ? webUrl(guid) : null);
  const baseFor = (el: XmlElement) => firstBase(el.xmlBase, link, bases.siteLink, bases.feedUrl);
  const html = (el: XmlElement | null) => (el ? sanitizeHtml(htmlSource(el), baseFor(el)) || null : null);
  const body = find(item, NS.xhtml, "body");
  return {
    id: guid ?? attrNs(item, NS.rdf, "about")?.trim() ?? "",
    title: textField(find(item, core, "title") ?? find(item, NS.dc, "title")),
    link,
    author: itemAuthor(item, core),
    published: firstDate(item, [
      [core, "pubDate"],
      [NS.dcterms, "issued"],
      [NS.atom, "published"],
    ]),
    updated: firstDate(item, [
      [NS.dcterms, "modified"],
      [NS.dc, "date"],
      [NS.atom, "updated"],
    ]),
    summary: html(find(item, core, "description") ?? find(item, NS.dc, "description")),
    content:
      html(find(item, NS.content, "encoded")) ||
      (body ? sanitizeHtml(serializeMarkup(body.children), baseFor(body)) || null : null),
    categories: itemCategories(item, core),
    enclosures: findAll(item, core, "enclosure").flatMap((el) => {
      const url = webUrl(attr(el, "url"), baseFor(el));
      return url ? [enclosure(url, attr(el, "type"), attr(el, "length"))] : [];
    }),
  };
}

/** category, dc:subject and <tags>a, b</tags> (in no spec, but common enough that readers honour it). */
function itemCategories(item: XmlElement, core: readonly string[]): string[] {
  return unique(
    elements(item).flatMap((el) => {
      const isCore = core.includes(el.ns);
      if ((isCore && el.local === "category") || (el.ns === NS.dc && el.local === "subject"))
        return [textOf(el)];
      return isCore && el.local === "tags" ? textOf(el).split(",") : [];
    }),
  );
}

function itemAuthor(item: XmlElement, core: readonly string[]): string | null {
  const dcCreators = findAll(item, NS.dc, "creator").map((el) => authorName(textOf(el)));
  const atomAuthor = find(item, NS.atom, "author");
  const candidates = [
    authorName(childText(item, core, "author") ?? ""),
    dcCreators.filter((name) => name.length > 0).join(", "),
    authorName(childText(item, NS.dc, "author") ?? ""),
    atomAuthor ? authorName(childText(atomAuthor, NS.atom, "name") ?? "") : "",
  ];
  return candidates.find((name) => name.length > 0) ?? null;
}

/**
 * The person's name from RSS's free-form author: "me@example.com (Name)", "Name (me@example.com)",
 * "Name <me@example.com>", or just one of them. Plain text (tags stripped, entities decoded).
 */
export function authorName(raw: string): string {
  const text = htmlToText(raw);
  if (text.endsWith(")")) {
    const open = text.lastIndexOf("(");
    if (open > 0) {
      const outside = text.slice(0, open).trim();
      const inside = text.slice(open + 1, -1).trim();
      if (outside.includes("@") && inside.length > 0) return inside;
      if (inside.includes("@") && outside.length > 0) return outside;
    }
  }
  if (text.endsWith(">")) {
    const open = text.lastIndexOf("<");
    const before = open > 0 ? text.slice(0, open).trim() : "";
    if (before.length > 0) return before;
  }
  return text;
}

/** A text-only field from an element that may hold escaped or inline HTML (RSS titles do). */
export function textField(el: XmlElement | null): string | null {
  return el ? htmlToText(htmlSource(el)) || null : null;
}

export function firstDate(el: XmlElement, candidates: [string | readonly string[], string][]): string | null {
  for (const [ns, local] of candidates) {
    const date = parseDate(childText(el, ns, local));
    if (date) return date;
  }
  return null;
}

export function enclosure(url: string, type: string | null, length: string | null): Enclosure {
  const bytes = length !== null && /^\s*\d{1,15}\s*$/.test(length) ? Number(length) : null;
  return { url, type: type?.trim() || null, length: bytes };
}

/** Categories trimmed, empty ones dropped, each once, in document order. */
export function unique(values: string[]): string[] {
  return [...new Set(values.map((value) => htmlToText(value)).filter((value) => value.length > 0))];
}
