import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FeedParseError } from "./entry.ts";
import { charsetOf, decodeFeed, entryId, fnv1a64, MAX_PARSE_BYTES, parseFeed } from "./parse.ts";

const RSS = `<rss version="2.0"><channel><title>R</title><item><title>caf\u00e9</title></item></channel></rss>`;
const ATOM = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title></feed>`;
const RDF = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/"><channel><title>R1</title></channel></rdf:RDF>`;
const JSON_FEED = JSON.stringify({ version: "https://jsonfeed.org/version/1.1", title: "J", items: [] });

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function utf16(text: string, endian: "le" | "be", bom: boolean): Uint8Array {
  const out: number[] = bom ? (endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (const c of text) {
    const code = c.charCodeAt(0);
    out.push(...(endian === "le" ? [code & 0xff, code >> 8] : [code >> 8, code & 0xff]));
  }
  return Uint8Array.from(out);
}

function expectParseError(run: () => unknown, message?: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FeedParseError);
    if (message) expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a FeedParseError");
}

describe("parseFeed: format detection", () => {
  it.each([
    ["rss2", RSS, "R"],
    ["atom", ATOM, "A"],
    ["rss1", RDF, "R1"],
    ["jsonfeed", JSON_FEED, "J"],
    ["rss2", `\n\n  <?xml version="1.0"?>\n<!-- c --><rss><channel><title>W</title></channel></rss>`, "W"],
    ["atom", `<feed><title>No namespace</title></feed>`, "No namespace"],
  ])("detects %s", (format, text, title) => {
    const feed = parseFeed(text);
    expect(feed.format).toBe(format);
    expect(feed.title).toBe(title);
    expect(parseFeed(new TextEncoder().encode(text)).format).toBe(format);
  });

  it("refuses what is not a feed, saying why", () => {
    expectParseError(() => parseFeed(""), /neither XML nor JSON/);
    expectParseError(() => parseFeed("   \n"), /neither XML nor JSON/);
    expectParseError(() => parseFeed("Hello, world"), /neither XML nor JSON/);
    expectParseError(
      () => parseFeed("<!doctype html><html><body><p>hi</p></body></html>"),
      /root element is <html>/,
    );
    expectParseError(() => parseFeed(`<rdf:RDF xmlns:rdf="urn:not-rdf"/>`), /root element is <rdf:RDF>/);
    expectParseError(() => parseFeed(`<feed xmlns="urn:other"/>`), /root element is <feed>/);
    expectParseError(() => parseFeed("{ not json"), /invalid JSON/);
    expectParseError(() => parseFeed(`{"version": "1"}`), /jsonfeed.org/);
    expectParseError(() => parseFeed("<rss><![CDATA[unclosed"), /not well-formed/);
  });

  it("refuses documents over the size backstop", () => {
    expectParseError(() => parseFeed(new Uint8Array(MAX_PARSE_BYTES + 1)), /too large/);
  });

  it("turns anything unexpected into FeedParseError", () => {
    expectParseError(() => parseFeed(42 as unknown as string), /could not parse/);
  });

  it("resolves against the feed URL it is given", () => {
    const feed = parseFeed(`<rss><channel><link>/home</link></channel></rss>`, {
      url: "https://ex.example/f.xml",
    });
    expect(feed.link).toBe("https://ex.example/home");
    expect(
      parseFeed(`<rss><channel><link>/home</link></channel></rss>`, { url: "not a url" }).link,
    ).toBeNull();
  });
});

describe("parseFeed: character sets", () => {
  const declared = (encoding: string, title: string) =>
    `<?xml version="1.0" encoding="${encoding}"?><rss><channel><title>${title}</title></channel></rss>`;

  it("honours the XML declaration", () => {
    expect(parseFeed(latin1(declared("ISO-8859-1", "caf\u00e9"))).title).toBe("café");
    expect(parseFeed(latin1(declared("windows-1252", "\u0093quoted\u0094 \u0080"))).title).toBe("“quoted” €");
    const sjis = Uint8Array.from([
      ...latin1(declared("Shift_JIS", "X")).slice(0, -30),
      0x93,
      0xfa,
      0x96,
      0x7b,
    ]);
    const text = new TextDecoder("shift_jis").decode(sjis);
    expect(text.endsWith("日本")).toBe(true);
  });

  it("lets the HTTP charset override the declaration", () => {
    const bytes = latin1(declared("utf-8", "caf\u00e9"));
    expect(parseFeed(bytes, { contentType: "application/rss+xml; charset=ISO-8859-1" }).title).toBe("café");
    expect(parseFeed(bytes, { contentType: 'text/xml;charset="latin1"' }).title).toBe("café");
    // No charset in the header: the declaration (utf-8) applies, and the lone é byte is invalid UTF-8.
    expect(parseFeed(bytes, { contentType: "application/rss+xml" }).title).toBe("caf\ufffd");
  });

  it("falls through unknown labels", () => {
    const bytes = latin1(declared("ISO-8859-1", "caf\u00e9"));
    expect(parseFeed(bytes, { contentType: "text/xml; charset=x-no-such-thing" }).title).toBe("café");
    expect(parseFeed(latin1(declared("x-bogus", "plain"))).title).toBe("plain");
  });

  it("lets a byte order mark win, and recognises UTF-16 with or without one", () => {
    const utf8Bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(declared("utf-8", "ü"))]);
    expect(parseFeed(utf8Bom, { contentType: "text/xml; charset=iso-8859-1" }).title).toBe("ü");
    const doc = declared("UTF-16", "Grüße");
    expect(parseFeed(utf16(doc, "le", true)).title).toBe("Grüße");
    expect(parseFeed(utf16(doc, "be", true)).title).toBe("Grüße");
    expect(parseFeed(utf16(doc, "le", false)).title).toBe("Grüße");
    expect(parseFeed(utf16(doc, "be", false)).title).toBe("Grüße");
  });

  it("ignores a UTF-16 declaration on bytes that are not UTF-16", () => {
    expect(parseFeed(new TextEncoder().encode(declared("utf-16", "ö"))).title).toBe("ö");
  });

  it("strips a BOM from text input", () => {
    expect(parseFeed(`\ufeff${ATOM}`).format).toBe("atom");
  });

  it("charsetOf and decodeFeed", () => {
    expect(charsetOf("text/html; Charset = UTF-8 ; x=y")).toBe("UTF-8");
    expect(charsetOf("text/html")).toBeNull();
    expect(charsetOf(undefined)).toBeNull();
    expect(decodeFeed(latin1("\u00e9"), "text/plain; charset=iso-8859-15")).toBe("é");
    expect(decodeFeed(new TextEncoder().encode("ok"))).toBe("ok");
  });
});

describe("entry ids", () => {
  it("FNV-1a 64 matches the reference vectors", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
  });

  it("uses the entry's id, else its link, else a stable hash of title and content", () => {
    const base = { title: "T", link: null, author: null, published: null, updated: null, summary: null };
    const more = { content: "C", categories: [], enclosures: [] };
    expect(entryId({ ...base, ...more, id: "guid" })).toBe("guid");
    expect(entryId({ ...base, ...more, id: "", link: "http://x/" })).toBe("http://x/");
    const hashed = entryId({ ...base, ...more, id: "" });
    expect(hashed).toMatch(/^urn:fnv1a64:[0-9a-f]{16}$/);
    expect(entryId({ ...base, ...more, id: "" })).toBe(hashed);
    expect(entryId({ ...base, ...more, id: "", content: "changed" })).not.toBe(hashed);
    expect(entryId({ ...base, ...more, id: "", content: null, summary: "C" })).toBe(hashed);
    expect(entryId({ ...base, ...more, id: "", title: null, content: null })).toMatch(/^urn:fnv1a64:/);
  });

  it("gives parsed entries those ids", () => {
    const feed = parseFeed(`<rss><channel>
      <item><guid>g</guid></item><item><link>http://x/1</link></item><item><title>t</title></item>
    </channel></rss>`);
    expect(feed.entries.map((e) => e.id)).toEqual(["g", "http://x/1", `urn:fnv1a64:${fnv1a64("t\u0000")}`]);
  });
});

describe("parseFeed: robustness", () => {
  it("throws nothing but FeedParseError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseFeed(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(FeedParseError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("throws nothing but FeedParseError on feed-shaped garbage", () => {
    const piece = fc.constantFrom(
      "<rss>",
      "<channel>",
      "<item>",
      "</item>",
      "<title>",
      "</title>",
      "<feed xmlns='http://www.w3.org/2005/Atom'>",
      "<entry>",
      "<content type='xhtml'>",
      "<div xmlns='http://www.w3.org/1999/xhtml'>",
      "</div>",
      "<link href='",
      "'/>",
      "<![CDATA[",
      "]]>",
      "&amp;",
      "&#",
      ";",
      "&lt;script&gt;",
      "<",
      ">",
      '"',
      "x",
      " ",
      "xml:base='..'",
      "<!DOCTYPE a [<!ENTITY e 'v'>]>",
      "&e;",
      "<?xml version='1.0'?>",
      "{",
      "}",
      '"version"',
      ":",
      "<!--",
      "-->",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        try {
          const feed = parseFeed(pieces.join(""), { url: "https://fuzz.example/feed" });
          for (const entry of feed.entries) expect(entry.id.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(FeedParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("parses a large feed (5,000 entries) completely", () => {
    const items = Array.from(
      { length: 5000 },
      (_, i) =>
        `<item><title>Item ${i}</title><link>/p/${i}</link><description>&lt;p&gt;Body ${i} &amp;amp; more&lt;/p&gt;` +
        `</description><pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate></item>`,
    );
    const feed = parseFeed(`<rss><channel>${items.join("")}</channel></rss>`, {
      url: "https://big.example/",
    });
    expect(feed.entries).toHaveLength(5000);
    expect(feed.entries[4999]).toMatchObject({
      id: "https://big.example/p/4999",
      summary: "<p>Body 4999 &amp; more</p>",
    });
  });

  it("gets through pathological inputs (each either parses or is refused)", () => {
    const inputs = [
      "<".repeat(500_000),
      `<rss a="${"x".repeat(500_000)}`,
      `<rss>${"<item x='1' y='2'>".repeat(50)}${"&amp;".repeat(200_000)}</rss>`,
      `<rss><channel><item><description>${"&lt;b&gt;".repeat(100_000)}</description></item></channel></rss>`,
      `<rss><channel><item><pubDate>${"1 ".repeat(100_000)}</pubDate></item></channel></rss>`,
      `{"version":"https://jsonfeed.org/version/1.1","items":[${'{"tags":["a"]},'.repeat(50_000)}{}]}`,
      `{"a":${"[".repeat(100_000)}`,
      `{"version":"https://jsonfeed.org/version/1.1","x":${"[".repeat(50_000)}${"]".repeat(50_000)}}`,
      `<rss><channel><item><description><![CDATA[<a${" x".repeat(200_000)}>]]></description></item></channel></rss>`,
    ];
    for (const input of inputs) {
      try {
        parseFeed(input);
      } catch (error) {
        expect(error).toBeInstanceOf(FeedParseError);
      }
    }
  });
});
