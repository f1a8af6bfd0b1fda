/**
 * fast-xml-parser set up for feeds, and the small namespace-aware tree the format parsers read.
 *
 * The parser keeps document order (xhtml content is mixed), keeps attributes, and does not trim or
 * convert values. Safety: DOCTYPE entities are capped (100 declarations of ≤ 10 kB, no nesting, ≤ 10,000
 * expansions and ≤ 1 MB expanded per document; external entities are refused), nesting is capped at
 * 100 levels, and anything the parser throws becomes a FeedParseError. The tree then adds what the
 * format parsers need: each element's namespace URI (prefixes resolved, with the common module
 * prefixes understood even when a feed forgets to declare them), its xml:base and xml:lang in effect.
 */
import { type X2jOptions, XMLParser } from "fast-xml-parser";
import { FeedParseError } from "./entry.ts";
import { escapeHtml, HTML_ENTITIES } from "./sanitize.ts";
import { resolveUrl } from "./urls.ts";

export const NS = {
  atom: "http://www.w3.org/2005/Atom",
  atom03: "http://purl.org/atom/ns#",
  rss1: "http://purl.org/rss/1.0/",
  rss090: "http://my.netscape.com/rdf/simple/0.9/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  content: "http://purl.org/rss/1.0/modules/content/",
  xhtml: "http://www.w3.org/1999/xhtml",
  xml: "http://www.w3.org/XML/1998/namespace",
} as const;

/** Prefixes feeds use without declaring them (dc:creator with no xmlns:dc is common). */
const IMPLIED_PREFIXES = new Map<string, string>([
  ["xml", NS.xml],
  ["dc", NS.dc],
  ["dcterms", NS.dcterms],
  ["content", NS.content],
  ["atom", NS.atom],
  ["rdf", NS.rdf],
  ["xhtml", NS.xhtml],
]);

export interface XmlElement {
  /** The name as written, prefix included. */
  name: string;
  /** Namespace URI, "" when none. */
  ns: string;
  local: string;
  /** Attributes by the name as written (`href`, `xml:base`, `rdf:about`). */
  attrs: ReadonlyMap<string, string>;
  children: XmlNode[];
  /** The absolute xml:base in effect (this element or an ancestor), or null when none applies. */
  xmlBase: string | null;
  /** The xml:lang in effect, or null. */
  lang: string | null;
  prefixes: ReadonlyMap<string, string>;
}
/** An element, or text (CDATA included), entities already decoded. */
export type XmlNode = XmlElement | string;

// `appliesTo` (count only DOCTYPE entities against the limits, not &lt; in escaped HTML) is missing from
// the package's typings, hence the cast.
const ENTITY_LIMITS = {
  enabled: true,
  maxEntityCount: 100,
  maxEntitySize: 10_000,
  maxExpansionDepth: 1,
  maxTotalExpansions: 10_000,
  maxExpandedLength: 1_000_000,
  appliesTo: "external",
} as X2jOptions["processEntities"];

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: "#cdata",
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The typings say boolean; the parser also takes a name → text map (and then decodes &#…; too).
  htmlEntities: HTML_ENTITIES as unknown as boolean,
  processEntities: ENTITY_LIMITS,
  maxNestedTags: 100,
});

type FxpNode = Record<string, unknown>;

interface Scope {
  prefixes: ReadonlyMap<string, string>;
  xmlBase: string | null;
  lang: string | null;
}

/** The root element of `text`; `documentUrl` only makes a relative xml:base absolute. */
export function parseXml(text: string, documentUrl: string | null): XmlElement {
  let nodes: unknown;
  try {
    nodes = PARSER.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FeedParseError(`not well-formed XML (${reason})`, { cause: error });
  }
  const scope: Scope = { prefixes: IMPLIED_PREFIXES, xmlBase: null, lang: null };
  const converted = (Array.isArray(nodes) ? nodes : []).map((node) =>
    convert(node as FxpNode, scope, documentUrl),
  );
  const root = firstRoot(converted);
  if (!root) throw new FeedParseError("not XML: no root element");
  return root;
}

/** The first element; the parser reads a lower-case <!doctype html> as an element holding the rest. */
function firstRoot(nodes: readonly XmlNode[]): XmlElement | null {
  const first = nodes.find((node): node is XmlElement => typeof node === "object");
  if (first?.name.startsWith("!")) return firstRoot(first.children);
  return first ?? null;
}

function convert(node: FxpNode, parent: Scope, documentUrl: string | null): XmlNode {
  const name = Object.keys(node).find((key) => key !== ":@")!;
  const content = node[name];
  if (name === "#text") return String(content);
  if (name === "#cdata") return (content as FxpNode[]).map((part) => String(part["#text"] ?? "")).join("");
  const attrs = new Map(
    Object.entries((node[":@"] as Record<string, unknown> | undefined) ?? {}).map(([key, value]) => [
      key,
      String(value),
    ]),
  );
  let prefixes = parent.prefixes;
  for (const [key, value] of attrs) {
    if (key !== "xmlns" && !key.startsWith("xmlns:")) continue;
    if (prefixes === parent.prefixes) prefixes = new Map(parent.prefixes);
    (prefixes as Map<string, string>).set(key === "xmlns" ? "" : key.slice(6), value.trim());
  }
  const colon = name.indexOf(":");
  const prefix = colon > 0 ? name.slice(0, colon) : "";
  const declaredBase = attrs.get("xml:base");
  const scope: Scope = {
    prefixes,
    xmlBase:
      declaredBase === undefined ? parent.xmlBase : resolveUrl(declaredBase, parent.xmlBase ?? documentUrl),
    lang: attrs.get("xml:lang")?.trim() || parent.lang,
  };
  return {
    name,
    ns: prefixes.get(prefix) ?? "",
    local: colon > 0 ? name.slice(colon + 1) : name,
    attrs,
    children: (content as FxpNode[]).map((child) => convert(child, scope, documentUrl)),
    ...scope,
  };
}

function isIn(el: XmlElement, ns: string | readonly string[], local: string): boolean {
  return el.local === local && (typeof ns === "string" ? el.ns === ns : ns.includes(el.ns));
}

export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((child): child is XmlElement => typeof child === "object");
}

/** Child elements named `local` in namespace `ns` (or any of several). */
export function findAll(el: XmlElement, ns: string | readonly string[], local: string): XmlElement[] {
  return elements(el).filter((child) => isIn(child, ns, local));
}

export function find(el: XmlElement, ns: string | readonly string[], local: string): XmlElement | null {
  return elements(el).find((child) => isIn(child, ns, local)) ?? null;
}

/** All text under `el`, in document order. */
export function textOf(el: XmlElement): string {
  return el.children.map((child) => (typeof child === "string" ? child : textOf(child))).join("");
}

/** Trimmed text of the first matching child, or null when absent or empty. */
export function childText(el: XmlElement, ns: string | readonly string[], local: string): string | null {
  const child = find(el, ns, local);
  const text = child ? textOf(child).trim() : "";
  return text.length > 0 ? text : null;
}

export function attr(el: XmlElement, name: string): string | null {
  return el.attrs.get(name) ?? null;
}

/** An attribute in a namespace (`rdf:about` whatever prefix the feed chose). */
export function attrNs(el: XmlElement, ns: string, local: string): string | null {
  for (const [key, value] of el.attrs) {
    const colon = key.indexOf(":");
    if (colon > 0 && key.slice(colon + 1) === local && el.prefixes.get(key.slice(0, colon)) === ns) {
      return value;
    }
  }
  return null;
}

const VOID_ELEMENTS = new Set(["br", "hr", "img", "wbr", "col", "area", "source", "input", "meta", "link"]);

/**
 * Inline markup (Atom xhtml, RSS descriptions with unescaped tags) back to HTML source: local names,
 * text escaped, namespace declarations dropped, and href/src resolved against any xml:base in effect on
 * the element itself (the sanitizer only knows one base per field).
 */
export function serializeMarkup(nodes: readonly XmlNode[]): string {
  return nodes
    .map((node) => {
      if (typeof node === "string") return escapeHtml(node);
      let attrs = "";
      for (const [key, raw] of node.attrs) {
        if (key === "xmlns" || key.includes(":")) continue;
        const value = (key === "href" || key === "src") && node.xmlBase ? resolveUrl(raw, node.xmlBase) : raw;
        attrs += ` ${key}="${escapeHtml(value ?? raw)}"`;
      }
      if (node.children.length === 0 && VOID_ELEMENTS.has(node.local)) return `<${node.local}${attrs} />`;
      return `<${node.local}${attrs}>${serializeMarkup(node.children)}</${node.local}>`;
    })
    .join("");
}

/** An HTML-bearing element's source: its text (escaped HTML, CDATA) or, if it holds elements, those. */
export function htmlSource(el: XmlElement): string {
  return elements(el).length > 0 ? serializeMarkup(el.children) : textOf(el);
}
