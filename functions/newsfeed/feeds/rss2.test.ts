import { describe, expect, it } from "vitest";
import { authorName, parseRss2 } from "./rss2.ts";
import { LINK_REL } from "./sanitize.ts";
import { parseXml } from "./xml.ts";

const FEED_URL = "https://feeds.example.com/news.xml";

function rss(xml: string, url: string | null = FEED_URL) {
  return parseRss2(parseXml(xml, url), url);
}

const FULL = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Example &amp;amp; News</title>
  <link>https://www.example.com/</link>
  <atom:link rel="self" href="https://feeds.example.com/news.xml"/>
  <description>&lt;p&gt;All the &lt;b&gt;news&lt;/b&gt;&lt;/p&gt;</description>
  <language>en-gb</language>
  <lastBuildDate>Sat, 07 Sep 2002 00:00:01 GMT</lastBuildDate>
  <item>
    <title>First &lt;em&gt;post&lt;/em&gt;</title>
    <link>/2002/09/first</link>
    <guid isPermaLink="false">post-1</guid>
    <author>editor@example.com (Jane Doe)</author>
    <pubDate>Fri, 06 Sep 2002 23:00:00 -0400</pubDate>
    <description><![CDATA[<p>Summary with <a href="more.html" onclick="x()">a link</a></p><script>alert(1)</script>]]></description>
    <content:encoded><![CDATA[<p>Full <img src="img/1.png"> text</p>]]></content:encoded>
    <category>Tech</category>
    <category domain="x">Science &amp; Nature</category>
    <dc:subject>Tech</dc:subject>
    <enclosure url="/audio/1.mp3" length="12345" type="audio/mpeg"/>
    <enclosure url="javascript:alert(1)" length="1" type="audio/mpeg"/>
  </item>
</channel>
</rss>`;

describe("parseRss2", () => {
  it("reads the channel: text fields as plain text, the site link, the language and date", () => {
    const feed = rss(FULL);
    expect(feed).toMatchObject({
      format: "rss2",
      title: "Example & News",
      link: "https://www.example.com/",
      description: "All the news",
      language: "en-gb",
      updated: "2002-09-07T00:00:01.000Z",
    });
  });

  it("reads an item: ids, relative links, author name, dates, sanitised HTML, categories, enclosures", () => {
    const [entry] = rss(FULL).entries;
    expect(entry).toEqual({
      id: "post-1",
      title: "First post",
      link: "https://www.example.com/2002/09/first",
      author: "Jane Doe",
      published: "2002-09-07T03:00:00.000Z",
      updated: null,
      summary: `<p>Summary with <a href="https://www.example.com/2002/09/more.html" rel="${LINK_REL}">a link</a></p>`,
      content: `<p>Full <img src="https://www.example.com/2002/09/img/1.png"> text</p>`,
      categories: ["Tech", "Science & Nature"],
      enclosures: [{ url: "https://www.example.com/audio/1.mp3", type: "audio/mpeg", length: 12345 }],
    });
  });

  it("uses a permalink guid as the link, but never a guid marked isPermaLink=false", () => {
    const feed = rss(`<rss><channel>
      <item><guid>http://example.com/p/1</guid></item>
      <item><guid isPermaLink="false">http://example.com/p/2</guid></item>
      <item><guid>relative/3</guid></item>
      <item><guid>http://example.com/guid</guid><link>http://example.com/link</link></item>
    </channel></rss>`);
    expect(feed.entries.map((e) => [e.id, e.link])).toEqual([
      ["http://example.com/p/1", "http://example.com/p/1"],
      ["http://example.com/p/2", null],
      ["relative/3", null],
      ["http://example.com/guid", "http://example.com/link"],
    ]);
  });

  it("prefers xml:base, then the item link, then the channel link, then the feed URL", () => {
    const feed = rss(`<rss><channel><link>https://site.example/blog/</link>
      <item><link>posts/a</link><description>&lt;a href="x"&gt;x&lt;/a&gt;</description></item>
      <item xml:base="https://base.example/dir/"><link>posts/b</link><description>&lt;a href="x"&gt;x&lt;/a&gt;</description></item>
      <item><description>&lt;a href="x"&gt;x&lt;/a&gt;</description></item>
    </channel></rss>`);
    expect(feed.entries.map((e) => [e.link, /href="([^"]+)"/.exec(e.summary ?? "")?.[1]])).toEqual([
      ["https://site.example/blog/posts/a", "https://site.example/blog/posts/x"],
      ["https://base.example/dir/posts/b", "https://base.example/dir/x"],
      [null, "https://site.example/blog/x"],
    ]);
    const bare = rss(`<rss><channel><link>/</link><item><link>p</link></item></channel></rss>`);
    expect(bare.link).toBe("https://feeds.example.com/");
    expect(bare.entries[0]!.link).toBe("https://feeds.example.com/p");
    expect(rss(`<rss><channel><link>/</link></channel></rss>`, null).link).toBeNull();
  });

  it("falls back to atom:link for the site, and to atom/dc fields for items", () => {
    const feed = rss(`<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/">
      <channel>
        <atom:link rel="self" href="/feed"/><atom:link href="/home"/>
        <dc:date>2004-01-01T00:00:00Z</dc:date>
        <item>
          <atom:link rel="alternate" href="/entry"/>
          <atom:author><atom:name>Atom Author</atom:name></atom:author>
          <dcterms:issued>2004-01-02T00:00:00Z</dcterms:issued>
          <dcterms:modified>2004-01-03T00:00:00Z</dcterms:modified>
          <dc:title>DC title</dc:title>
          <dc:description>DC &lt;i&gt;description&lt;/i&gt;</dc:description>
        </item>
      </channel></rss>`);
    expect(feed.link).toBe("https://feeds.example.com/home");
    expect(feed.updated).toBe("2004-01-01T00:00:00.000Z");
    expect(feed.entries[0]).toMatchObject({
      link: "https://feeds.example.com/entry",
      author: "Atom Author",
      title: "DC title",
      published: "2004-01-02T00:00:00.000Z",
      updated: "2004-01-03T00:00:00.000Z",
      summary: "DC <i>description</i>",
    });
  });

  it("joins several dc:creator and reads dc:date as the updated date", () => {
    const [entry] = rss(`<rss><channel><item>
      <dc:creator>First Author</dc:creator><dc:creator> </dc:creator><dc:creator>Second Author</dc:creator>
      <dc:date>2003-12-31T10:14:55Z</dc:date>
    </item></channel></rss>`).entries;
    expect(entry).toMatchObject({
      author: "First Author, Second Author",
      updated: "2003-12-31T10:14:55.000Z",
    });
  });

  it("takes categories in document order, including comma-separated <tags>, each once", () => {
    const [entry] = rss(`<rss><channel><item>
      <tags>tag one, tag two,</tags><category>category one</category><category> </category><category>tag one</category>
    </item></channel></rss>`).entries;
    expect(entry!.categories).toEqual(["tag one", "tag two", "category one"]);
  });

  it("reads unescaped inline markup and xhtml:body", () => {
    const [entry] = rss(`<rss><channel><item>
      <description><p>Naked <b>markup</b></p></description>
      <body xmlns="http://www.w3.org/1999/xhtml"><p>Body <a href="/b">link</a></p></body>
    </item></channel></rss>`).entries;
    expect(entry!.summary).toBe("<p>Naked <b>markup</b></p>");
    expect(entry!.content).toBe(
      `<p>Body <a href="https://feeds.example.com/b" rel="${LINK_REL}">link</a></p>`,
    );
  });

  it("handles the Userland namespaces, items outside the channel and a missing channel", () => {
    const namespaced = rss(`<rss xmlns="http://backend.userland.com/rss2"><channel>
      <title>NS</title><item><title>In</title></item></channel><item><title>Out</title></item></rss>`);
    expect(namespaced.title).toBe("NS");
    expect(namespaced.entries.map((e) => e.title)).toEqual(["In", "Out"]);
    const bare = rss(`<rss><item><description>plain</description></item></rss>`);
    expect(bare).toMatchObject({ title: null, link: null, description: null, updated: null });
    expect(bare.entries[0]!.summary).toBe("plain");
  });

  it("leaves empty or unusable fields null, and bad enclosure lengths null", () => {
    const [entry] = rss(`<rss><channel><item>
      <title> </title><link>javascript:alert(1)</link><pubDate>not a date</pubDate><description/>
      <enclosure url="a.mp3" length="lots"/><enclosure url="b.mp3" length="-1" type=" "/><enclosure/>
    </item></channel></rss>`).entries;
    expect(entry).toMatchObject({
      id: "",
      title: null,
      link: null,
      published: null,
      summary: null,
      content: null,
    });
    expect(entry!.enclosures).toEqual([
      { url: "https://feeds.example.com/a.mp3", type: null, length: null },
      { url: "https://feeds.example.com/b.mp3", type: null, length: null },
    ]);
  });

  it("takes the feed language from xml:lang when there is no <language>", () => {
    expect(rss(`<rss xml:lang="de"><channel/></rss>`).language).toBe("de");
  });
});

describe("authorName", () => {
  it.each([
    ["me@example.com (Example editor)", "Example editor"],
    ["Example editor (me@example.com)", "Example editor"],
    ["Example editor <me@example.com>", "Example editor"],
    ["Example editor &lt;me@example.com&gt;", "Example editor"],
    ["me@example.com", "me@example.com"],
    ["Just a name", "Just a name"],
    ["Name (with a remark)", "Name (with a remark)"],
    ["(only parens)", "(only parens)"],
    ["<me@example.com>", ""], // read as HTML, that is a tag
    ["  <b>Bold</b>  Name ", "Bold Name"],
  ])("%s → %s", (raw, name) => {
    expect(authorName(raw)).toBe(name);
  });
});
