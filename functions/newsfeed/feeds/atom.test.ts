import { describe, expect, it } from "vitest";
import { parseAtom } from "./atom.ts";
import { LINK_REL } from "./sanitize.ts";
import { parseXml } from "./xml.ts";

const FEED_URL = "https://blog.example.com/feed.atom";
const ATOM = "http://www.w3.org/2005/Atom";

function atom(xml: string, url: string | null = FEED_URL) {
  return parseAtom(parseXml(xml, url), url);
}

function entry(body: string, feedBody = "") {
  return atom(`<feed xmlns="${ATOM}">${feedBody}<entry>${body}</entry></feed>`).entries[0]!;
}

const FULL = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="${ATOM}" xml:lang="en-US">
  <title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title>
  <subtitle>Plain &lt;not a tag&gt;</subtitle>
  <link rel="self" href="/feed.atom"/>
  <link rel="alternate" type="application/json" href="/feed.json"/>
  <link href="/"/>
  <updated>2005-07-31T12:29:29Z</updated>
  <author><name>Feed Author</name></author>
  <id>tag:example.com,2005:feed</id>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <em>xhtml</em> title</div></title>
    <link rel="alternate" type="text/html" href="/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="/audio/ph34r_my_podcast.mp3"/>
    <link rel="related" href="http://elsewhere.example/"/>
    <id>tag:example.com,2005:entry-1</id>
    <published>2003-12-13T08:29:29-04:00</published>
    <updated>2005-07-31T12:29:29Z</updated>
    <summary>Text &amp; &lt;brackets&gt;</summary>
    <content type="xhtml" xml:base="https://blog.example.com/2005/">
      <div xmlns="http://www.w3.org/1999/xhtml"><p><a href="notes.html" onclick="x()">Notes</a></p></div>
    </content>
    <category term="atom" label="Atom"/>
    <category label="only a label"/>
    <category scheme="x"/>
  </entry>
</feed>`;

describe("parseAtom: the feed", () => {
  it("reads title, site link (an HTML alternate), subtitle, language and updated", () => {
    expect(atom(FULL)).toMatchObject({
      format: "atom",
      title: "Example Atom",
      link: "https://blog.example.com/",
      description: "Plain <not a tag>",
      language: "en-US",
      updated: "2005-07-31T12:29:29.000Z",
    });
  });

  it("reads an entry", () => {
    expect(atom(FULL).entries[0]).toEqual({
      id: "tag:example.com,2005:entry-1",
      title: "An xhtml title",
      link: "https://blog.example.com/2005/04/02/atom",
      author: "Feed Author", // inherited from the feed
      published: "2003-12-13T12:29:29.000Z",
      updated: "2005-07-31T12:29:29.000Z",
      summary: "Text &amp; &lt;brackets&gt;",
      content: `<p><a href="https://blog.example.com/2005/notes.html" rel="${LINK_REL}">Notes</a></p>`,
      categories: ["atom", "only a label"],
      enclosures: [
        { url: "https://blog.example.com/audio/ph34r_my_podcast.mp3", type: "audio/mpeg", length: 1337 },
      ],
    });
  });
});

describe("parseAtom: text constructs", () => {
  it("type=text is text: brackets are characters, escaped in HTML fields", () => {
    const e = entry(`<title type="text">History of the &lt;blink&gt; tag</title>
      <content type="text">A &lt;b&gt; &amp; "q"</content>`);
    expect(e.title).toBe("History of the <blink> tag");
    expect(e.content).toBe("A &lt;b&gt; &amp; &quot;q&quot;");
  });

  it("type=html is escaped HTML: sanitised for HTML fields, stripped for titles", () => {
    const e = entry(`<title type="html">Q&amp;amp;A &lt;i&gt;now&lt;/i&gt;</title>
      <summary type="html">&lt;p onclick="x"&gt;S&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt;</summary>`);
    expect(e.title).toBe("Q&A now");
    expect(e.summary).toBe("<p>S</p>");
  });

  it("type=xhtml without the wrapping div still serialises the children", () => {
    expect(
      entry(`<content type="xhtml"><b xmlns="http://www.w3.org/1999/xhtml">bold</b></content>`).content,
    ).toBe("<b>bold</b>");
  });

  it("decodes base64 media types as text, and gives nothing for binary or out-of-line content", () => {
    const html = Buffer.from("Example <b>Atom</b>").toString("base64");
    expect(entry(`<content type="application/octet-stream">\n ${html}\n</content>`).content).toBe(
      "Example <b>Atom</b>",
    );
    expect(entry(`<title type="image/png">${html}</title>`).title).toBe("Example Atom");
    expect(entry(`<content type="image/png">/w==</content>`).content).toBeNull(); // 0xFF: not UTF-8
    expect(entry(`<content type="image/png">not base64!</content>`).content).toBeNull();
    expect(entry(`<content src="http://example.com/movie.mp4" type="video/mp4"/>`).content).toBeNull();
  });

  it("treats an empty or unknown text type as text, and XML media types as text", () => {
    expect(entry(`<title type="">evil</title>`).title).toBe("evil");
    expect(entry(`<content type="text/plain">a &lt; b</content>`).content).toBe("a &lt; b");
    expect(entry(`<content type="application/rss+xml">x &lt; y</content>`).content).toBe("x &lt; y");
  });
});

describe("parseAtom: links, authors and URLs", () => {
  it("prefers an HTML alternate, skips links without an address, and reads href from the text", () => {
    expect(
      entry(`<link rel="alternate" type="application/pdf" href="/a.pdf"/><link href="/a.html"/>`).link,
    ).toBe("https://blog.example.com/a.html");
    expect(entry(`<link rel="alternate" type="application/pdf" href="/a.pdf"/>`).link).toBe(
      "https://blog.example.com/a.pdf",
    );
    expect(entry(`<link rel="alternate" type="text/html"/><link href="/b"/>`).link).toBe(
      "https://blog.example.com/b",
    );
    expect(entry(`<link rel="alternate">http://www.example.com/alternate</link>`).link).toBe(
      "http://www.example.com/alternate",
    );
    expect(entry(`<link rel="related" href="/r"/>`).link).toBeNull();
  });

  it("names authors (email when there is no name), else the source's, else the feed's", () => {
    expect(
      entry(`<author><name>One</name></author><author><email>two@example.com</email></author>`).author,
    ).toBe("One, two@example.com");
    expect(
      entry(`<source><author><name>Source</name></author></source>`, `<author><name>Feed</name></author>`)
        .author,
    ).toBe("Source");
    expect(entry(`<author><uri>http://x/</uri></author>`).author).toBeNull();
  });

  it("resolves against xml:base first, then the entry link, the site link, the feed URL", () => {
    const feed = atom(`<feed xmlns="${ATOM}"><link href="https://site.example/home/"/>
      <entry><link href="posts/1"/><summary type="html">&lt;a href="x"&gt;x&lt;/a&gt;</summary></entry>
      <entry><summary type="html">&lt;img src="i.png"&gt;</summary></entry>
      <entry xml:base="https://base.example/b/"><summary type="html">&lt;a href="x"&gt;x&lt;/a&gt;</summary></entry>
    </feed>`);
    expect(feed.entries.map((e) => /(?:href|src)="([^"]+)"/.exec(e.summary ?? "")?.[1])).toEqual([
      "https://site.example/home/posts/x",
      "https://site.example/home/i.png",
      "https://base.example/b/x",
    ]);
    const noSite = atom(`<feed xmlns="${ATOM}"><entry><link href="e"/></entry></feed>`);
    expect(noSite.link).toBeNull();
    expect(noSite.entries[0]!.link).toBe("https://blog.example.com/e");
  });

  it("reads Atom 0.3 (tagline, issued, modified, mode=escaped)", () => {
    const feed = atom(`<feed xmlns="http://purl.org/atom/ns#" version="0.3"><tagline>Old</tagline>
      <modified>2004-01-01T00:00:00Z</modified>
      <entry><issued>2003-01-01T00:00:00Z</issued><modified>2003-06-01T00:00:00Z</modified>
        <content type="text/html" mode="escaped">&lt;p&gt;Hi&lt;/p&gt;</content>
        <summary mode="base64">${Buffer.from("<i>b64</i>").toString("base64")}</summary></entry>
    </feed>`);
    expect(feed).toMatchObject({ description: "Old", updated: "2004-01-01T00:00:00.000Z" });
    expect(feed.entries[0]).toMatchObject({
      published: "2003-01-01T00:00:00.000Z",
      updated: "2003-06-01T00:00:00.000Z",
      content: "<p>Hi</p>",
      summary: "<i>b64</i>",
    });
  });

  it("gives empty fields as null", () => {
    const e = entry(`<id> </id><title/><summary/><content/>`);
    expect(e).toMatchObject({ id: "", title: null, summary: null, content: null, author: null, link: null });
  });
});
