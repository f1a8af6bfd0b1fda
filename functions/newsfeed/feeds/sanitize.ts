/**
 * What feed-supplied markup may become. HTML fields (summary, content) go through `sanitizeHtml`: js-xss
 * with an explicit allowlist — text formatting, headings, lists, tables, blockquote, pre/code, links
 * (http/https/mailto only, with rel="noopener noreferrer nofollow") and images (http/https src only).
 * Everything else loses its tag (script, style, iframe, object, embed, svg… lose their body too), every
 * attribute not listed is dropped (so no event handlers, style or class), relative URLs are resolved
 * against the base the parser chose, and unbalanced tags are closed so one entry cannot restyle the page.
 * Text fields (titles, authors, descriptions) go through `htmlToText`: tags stripped, entities decoded,
 * whitespace collapsed — plain text, never HTML.
 */
import xss, { type IWhiteList } from "xss";

// xss is CommonJS: its default export is what workerd's bundler gives reliably (a named import is not).
const { FilterXSS } = xss as unknown as typeof import("xss");

import { resolveUrl } from "./urls.ts";

/** Named character references beyond XML's five that feeds use in the wild: Latin-1 and typography. */
const LATIN1_NAMES =
  "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 " +
  "acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde " +
  "Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc " +
  "Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml " +
  "aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc " +
  "otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";
const OTHER_ENTITIES: Record<string, number> = {
  OElig: 0x152,
  oelig: 0x153,
  Scaron: 0x160,
  scaron: 0x161,
  Yuml: 0x178,
  fnof: 0x192,
  circ: 0x2c6,
  tilde: 0x2dc,
  ensp: 0x2002,
  emsp: 0x2003,
  thinsp: 0x2009,
  zwnj: 0x200c,
  zwj: 0x200d,
  lrm: 0x200e,
  rlm: 0x200f,
  ndash: 0x2013,
  mdash: 0x2014,
  lsquo: 0x2018,
  rsquo: 0x2019,
  sbquo: 0x201a,
  ldquo: 0x201c,
  rdquo: 0x201d,
  bdquo: 0x201e,
  dagger: 0x2020,
  Dagger: 0x2021,
  bull: 0x2022,
  hellip: 0x2026,
  permil: 0x2030,
  prime: 0x2032,
  Prime: 0x2033,
  lsaquo: 0x2039,
  rsaquo: 0x203a,
  euro: 0x20ac,
  trade: 0x2122,
  larr: 0x2190,
  rarr: 0x2192,
  harr: 0x2194,
  minus: 0x2212,
  le: 0x2264,
  ge: 0x2265,
};

/** name → character, for `decodeEntities` and for the XML parser (feeds use HTML entities in XML). */
export const HTML_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  ...Object.fromEntries(LATIN1_NAMES.split(" ").map((name, i) => [name, String.fromCharCode(160 + i)])),
  ...Object.fromEntries(
    Object.entries(OTHER_ENTITIES).map(([name, code]) => [name, String.fromCharCode(code)]),
  ),
});

const ENTITY = /&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/**
 * windows-1252's characters for bytes 0x80–0x9F (the five it leaves undefined map to themselves). HTML
 * reads &#128;–&#159; this way, and Node 20's TextDecoder("windows-1252") wrongly decodes these bytes as
 * Latin-1 C1 controls, so `fixWindows1252` repairs its output.
 */
const WINDOWS_1252_C1 =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

export function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
}

/** Decodes character references; unknown names stay as written, invalid code points become U+FFFD. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (whole, ref: string) => {
    if (ref[0] !== "#") return Object.hasOwn(HTML_ENTITIES, ref) ? HTML_ENTITIES[ref]! : whole;
    const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    // HTML reads 128–159 as windows-1252 (&#146; is ’), as browsers do.
    if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252_C1[code - 0x80]!;
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
    return String.fromCodePoint(code);
  });
}

/** Text as HTML text (for Atom type="text" content, JSON Feed content_text). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// C0 controls other than tab/newline/carriage return, and DEL: never wanted in text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Plain text tidied: control characters removed, whitespace runs collapsed to one space, trimmed. */
export function cleanText(text: string): string {
  return text.replace(CONTROL, "").replace(/\s+/g, " ").trim();
}

/** Tags whose content is never text a reader should see. */
const DROP_WITH_BODY = (
  "script style iframe object embed applet noscript template svg math " +
  "frameset frame head title textarea select button"
).split(" ");
/** Tags that separate words: replaced by a space when markup becomes text. */
const BLOCK_TAGS = new Set(
  (
    "br p div li ul ol tr td th table blockquote pre hr h1 h2 h3 h4 h5 h6 dt dd " +
    "section article header footer figcaption"
  ).split(" "),
);

const TO_TEXT = new FilterXSS({
  whiteList: {},
  stripIgnoreTagBody: DROP_WITH_BODY,
  onIgnoreTag: (tag) => (BLOCK_TAGS.has(tag) ? " " : ""),
  escapeHtml: (text) => text,
});

/**
 * What js-xss is given. A `<` that cannot start a tag (HTML's tokenizer wants a letter, `/`, `!` or `?`
 * next) is text — "1 < 2" — not the start of a tag running to the next `>`. And tags are bounded:
 * js-xss re-scans a tag's whole attribute text for every whitespace character in it (parseAttr), which
 * is quadratic on input like `<a x x x …>`. So a tag with more than MAX_TAG_WHITESPACE whitespace
 * characters outside quoted values has its whitespace runs collapsed, and if it still has too many, it
 * loses its attributes. js-xss's work is then at most MAX_TAG_WHITESPACE × the tag's length per tag.
 */
function prepareForXss(html: string): string {
  const text = html.replace(/<(?![A-Za-z/!?])/g, "&lt;");
  const spans = crowdedTags(text);
  if (spans.length === 0) return text;
  const out: string[] = [];
  let copied = 0;
  for (const [start, end] of spans) {
    let tag = text.slice(start, end).replace(/\s+/g, " ");
    if (tag.split(" ").length > MAX_TAG_WHITESPACE) {
      tag = `${/^<\/?[A-Za-z][A-Za-z0-9-]*/.exec(tag)?.[0] ?? "<"}${tag.endsWith(">") ? ">" : ""}`;
    }
    out.push(text.slice(copied, start), tag);
    copied = end;
  }
  out.push(text.slice(copied));
  return out.join("");
}

const MAX_TAG_WHITESPACE = 64;

/**
 * [start, end) of each tag with too much whitespace, found the way js-xss's parseTag finds tags: from
 * `<` to `>` (or the end of the input), a new `<` restarting the tag, and quotes counting only after `=`.
 */
function crowdedTags(html: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = -1;
  let quote = "";
  let whitespace = 0;
  for (let i = 0; i < html.length; i++) {
    const c = html[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "<") {
      start = i;
      whitespace = 0;
    } else if (start < 0) {
      // text between tags
    } else if (c === ">" || i === html.length - 1) {
      if (whitespace > MAX_TAG_WHITESPACE) spans.push([start, i + 1]);
      start = -1;
    } else if ((c === '"' || c === "'") && /=\s*$/.test(html.slice(Math.max(start, i - 64), i))) {
      quote = c;
    } else if (/\s/.test(c)) {
      whitespace++;
    }
  }
  return spans;
}

/** HTML → plain text: tags stripped (hidden bodies dropped), entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return cleanText(decodeEntities(TO_TEXT.process(prepareForXss(html))));
}

const ALLOWED: IWhiteList = {
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  th: ["colspan", "rowspan", "scope"],
  td: ["colspan", "rowspan"],
  abbr: ["title"],
  ...Object.fromEntries(
    (
      "p br hr b i em strong u s strike del ins small sub sup mark cite q span div kbd samp var " +
      "h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre code figure figcaption " +
      "table caption thead tbody tfoot tr"
    )
      .split(" ")
      .map((tag) => [tag, []]),
  ),
};
const VOID_TAGS = new Set(["br", "hr", "img"]);
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const IMAGE_SCHEMES = new Set(["http:", "https:"]);
export const LINK_REL = "noopener noreferrer nofollow";

/** One allowed attribute, checked and re-serialised; "" drops it. */
function allowedAttr(tag: string, name: string, raw: string, base: string | null): string {
  const value = decodeEntities(raw);
  if (name === "href" || name === "src") {
    const url = resolveUrl(value, base);
    const schemes = name === "href" ? LINK_SCHEMES : IMAGE_SCHEMES;
    if (url === null || !schemes.has(new URL(url).protocol)) return "";
    const rel = tag === "a" ? ` rel="${LINK_REL}"` : "";
    return `${name}="${escapeHtml(url)}"${rel}`;
  }
  if (name === "width" || name === "height" || name === "colspan" || name === "rowspan") {
    return /^\d{1,4}$/.test(value.trim()) ? `${name}="${value.trim()}"` : "";
  }
  if (name === "scope") {
    return /^(row|col|rowgroup|colgroup)$/.test(value) ? `scope="${value}"` : "";
  }
  return `${name}="${escapeHtml(value)}"`;
}

/**
 * Feed HTML → safe HTML. `base` resolves relative href/src (a URL that cannot be made absolute is
 * dropped). Linear in the input: js-xss scans once, and the open-tag stack only grows with the input.
 */
export function sanitizeHtml(html: string, base: string | null): string {
  const open: string[] = [];
  // How many of each tag are open, so a stray closing tag is refused without scanning the stack: every
  // scan below ends at a tag it then pops, which keeps the balancing linear overall.
  const openCount = new Map<string, number>();
  const filter = new FilterXSS({
    whiteList: ALLOWED,
    stripIgnoreTag: true,
    stripIgnoreTagBody: DROP_WITH_BODY,
    onTagAttr: (tag, name, value, isWhiteAttr) => (isWhiteAttr ? allowedAttr(tag, name, value, base) : ""),
    onTag: (tag, _html, info) => {
      if (!info.isWhite || VOID_TAGS.has(tag)) return undefined;
      if (!info.isClosing) {
        open.push(tag);
        openCount.set(tag, (openCount.get(tag) ?? 0) + 1);
        return undefined;
      }
      if (!openCount.get(tag)) return ""; // a closing tag that closes nothing
      const closed = open.splice(open.lastIndexOf(tag)).reverse();
      for (const t of closed) openCount.set(t, openCount.get(t)! - 1);
      return closed.map((t) => `</${t}>`).join("");
    },
  });
  const safe = filter.process(prepareForXss(html));
  const unclosed = open.reverse().map((t) => `</${t}>`);
  return (safe + unclosed.join("")).trim();
}
