import { describe, expect, it } from "vitest";
import { FeedParseError } from "./entry.ts";
import {
  attr,
  attrNs,
  childText,
  elements,
  find,
  findAll,
  htmlSource,
  NS,
  parseXml,
  serializeMarkup,
  textOf,
  type XmlElement,
} from "./xml.ts";

function only(el: XmlElement | null): XmlElement {
  expect(el).not.toBeNull();
  return el!;
}

describe("parseXml: the tree", () => {
  it("resolves namespaces, including undeclared well-known prefixes", () => {
    const root = parseXml(
      `<?xml version="1.0"?><rss xmlns:c="http://purl.org/rss/1.0/modules/content/">
        <c:encoded>x</c:encoded><dc:creator>me</dc:creator><plain/><x:odd/></rss>`,
      null,
    );
    expect(root).toMatchObject({ name: "rss", local: "rss", ns: "" });
    expect(textOf(only(find(root, NS.content, "encoded")))).toBe("x");
    expect(childText(root, NS.dc, "creator")).toBe("me");
    expect(find(root, "", "plain")).not.toBeNull();
    expect(only(elements(root).at(-1) ?? null)).toMatchObject({ name: "x:odd", ns: "", local: "odd" });
  });

  it("applies a default namespace to descendants and lets them override it", () => {
    const root = parseXml(
      `<feed xmlns="${NS.atom}"><title>t</title><div xmlns="${NS.xhtml}"><p>p</p></div></feed>`,
      null,
    );
    expect(root.ns).toBe(NS.atom);
    expect(find(root, NS.atom, "title")).not.toBeNull();
    const div = only(find(root, NS.xhtml, "div"));
    expect(find(div, NS.xhtml, "p")).not.toBeNull();
    expect(find(root, NS.atom, "div")).toBeNull();
  });

  it("tracks xml:base through ancestors, resolving relative bases, and xml:lang", () => {
    const root = parseXml(
      `<feed xml:base="http://example.com/a/" xml:lang="en"><entry xml:base="b/"><x xml:lang="fr"/></entry>
        <other xml:base="http://other.example/"/><bad xml:base="http://[x"/></feed>`,
      "https://fetched.example/feed.xml",
    );
    expect(root.xmlBase).toBe("http://example.com/a/");
    const entry = only(find(root, "", "entry"));
    expect(entry.xmlBase).toBe("http://example.com/a/b/");
    expect(only(find(entry, "", "x"))).toMatchObject({ xmlBase: "http://example.com/a/b/", lang: "fr" });
    expect(entry.lang).toBe("en");
    expect(only(find(root, "", "other")).xmlBase).toBe("http://other.example/");
    expect(only(find(root, "", "bad")).xmlBase).toBeNull(); // unresolvable: no base rather than a wrong one
  });

  it("resolves a relative xml:base on the root against the document's URL", () => {
    expect(parseXml(`<feed xml:base="sub/"/>`, "https://example.com/feeds/all.xml").xmlBase).toBe(
      "https://example.com/feeds/sub/",
    );
    expect(parseXml(`<feed xml:base="sub/"/>`, null).xmlBase).toBeNull();
  });

  it("keeps text and CDATA in order, decoding XML, numeric and common HTML entities", () => {
    const root = parseXml(
      `<a>x &amp; &lt;p&gt; <![CDATA[<b>&amp;</b>]]> &#8217;&#x41; &eacute;&nbsp;&unknown;</a>`,
      null,
    );
    expect(textOf(root)).toBe("x & <p> <b>&amp;</b> ’A é\u00a0&unknown;");
  });

  it("expands internal DOCTYPE entities", () => {
    const root = parseXml(
      `<!DOCTYPE rss [<!ENTITY id "tag:example.com,">]><rss><guid>&id;2006</guid></rss>`,
      null,
    );
    expect(childText(root, "", "guid")).toBe("tag:example.com,2006");
  });

  it("reads attributes, plain and namespaced", () => {
    const root = parseXml(
      `<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:r="${NS.rdf}"><item r:about="http://x/" href="h &amp; i"/></rdf:RDF>`,
      null,
    );
    const item = only(elements(root)[0] ?? null);
    expect(attr(item, "href")).toBe("h & i");
    expect(attr(item, "missing")).toBeNull();
    expect(attrNs(item, NS.rdf, "about")).toBe("http://x/");
    expect(attrNs(item, NS.dc, "about")).toBeNull();
    expect(findAll(root, NS.rdf, "item")).toEqual([]);
  });
});

describe("parseXml: hostile and broken input", () => {
  it("refuses documents without a root element", () => {
    expect(() => parseXml("just text", null)).toThrow(FeedParseError);
    expect(() => parseXml("", null)).toThrow("no root element");
  });

  it("turns parser errors into FeedParseError", () => {
    expect(() => parseXml("<a><![CDATA[never closed", null)).toThrow(FeedParseError);
    expect(() => parseXml("<__proto__/>", null)).toThrow(FeedParseError);
  });

  it("refuses nesting deeper than 100 levels", () => {
    expect(() => parseXml(`${"<a>".repeat(150)}${"</a>".repeat(150)}`, null)).toThrow(/not well-formed/);
  });

  it("does not expand entities that refer to entities (billion laughs)", () => {
    const levels = ['<!ENTITY l0 "lol">'];
    for (let i = 1; i < 10; i++) levels.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
    const root = parseXml(`<!DOCTYPE a [${levels.join("")}]><a>&l9; &l0;</a>`, null);
    expect(textOf(root)).toBe("&l9; lol");
  });

  it("caps the total expansion of entities (quadratic blowup)", () => {
    const big = "x".repeat(9000);
    const doc = `<!DOCTYPE a [<!ENTITY big "${big}">]><a>${"&big;".repeat(500)}</a>`;
    expect(() => parseXml(doc, null)).toThrow(FeedParseError);
  });

  it("refuses external entities", () => {
    expect(() => parseXml(`<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>`, null)).toThrow(
      FeedParseError,
    );
  });

  it("does not count ordinary escapes against the entity limits", () => {
    const root = parseXml(`<a>${"&lt;p&gt;".repeat(20_000)}</a>`, null);
    expect(textOf(root)).toHaveLength(60_000);
  });
});

describe("serializeMarkup and htmlSource", () => {
  it("writes inline XHTML back as HTML, escaping text and dropping namespace declarations", () => {
    const root = parseXml(
      `<c><div xmlns="${NS.xhtml}" xmlns:x="urn:x">a &lt;b&gt; &amp; <b class="k">bold</b><br/><img src="i.png"/><p x:y="1"></p></div></c>`,
      null,
    );
    expect(serializeMarkup(only(find(root, NS.xhtml, "div")).children)).toBe(
      `a &lt;b&gt; &amp; <b class="k">bold</b><br /><img src="i.png" /><p></p>`,
    );
  });

  it("resolves href/src against an xml:base in effect on the element", () => {
    const root = parseXml(
      `<c xml:base="http://example.com/d/"><a href="x.html">x</a><img src="/i.png"/></c>`,
      null,
    );
    expect(serializeMarkup(root.children)).toBe(
      `<a href="http://example.com/d/x.html">x</a><img src="http://example.com/i.png" />`,
    );
  });

  it("is the text for escaped HTML, the markup for inline elements", () => {
    const root = parseXml(`<r><e>&lt;p&gt;x&lt;/p&gt;</e><n><p>y</p></n></r>`, null);
    expect(htmlSource(only(find(root, "", "e")))).toBe("<p>x</p>");
    expect(htmlSource(only(find(root, "", "n")))).toBe("<p>y</p>");
  });
});
