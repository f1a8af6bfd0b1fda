import { describe, expect, it } from "vitest";
import { parseRss1 } from "./rss1.ts";
import { parseXml } from "./xml.ts";

const FEED_URL = "https://example.org/index.rdf";

function rdf(xml: string) {
  return parseRss1(parseXml(xml, FEED_URL), FEED_URL);
}

const RSS10 = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel rdf:about="https://example.org/">
    <title>RDF Site</title>
    <link>https://example.org/</link>
    <description>About &amp;lt;things&amp;gt;</description>
    <dc:language>fr</dc:language>
    <dc:date>2004-05-06T07:08:09+02:00</dc:date>
    <items><rdf:Seq><rdf:li rdf:resource="https://example.org/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://example.org/1">
    <title>One</title>
    <link>https://example.org/1</link>
    <description>First &lt;b&gt;item&lt;/b&gt;</description>
    <dc:creator>Ann Author</dc:creator>
    <dc:date>2004-05-06T07:00:00Z</dc:date>
    <dc:subject>rdf</dc:subject>
    <content:encoded>&lt;p&gt;Full&lt;/p&gt;</content:encoded>
  </item>
  <item>
    <title>Two, no about</title>
    <link>/2</link>
  </item>
</rdf:RDF>`;

describe("parseRss1", () => {
  it("reads the channel", () => {
    expect(rdf(RSS10)).toMatchObject({
      format: "rss1",
      title: "RDF Site",
      link: "https://example.org/",
      description: "About <things>",
      language: "fr",
      updated: "2004-05-06T05:08:09.000Z",
    });
  });

  it("reads items beside the channel, with rdf:about as their id", () => {
    const [one, two] = rdf(RSS10).entries;
    expect(one).toEqual({
      id: "https://example.org/1",
      title: "One",
      link: "https://example.org/1",
      author: "Ann Author",
      published: null,
      updated: "2004-05-06T07:00:00.000Z",
      summary: "First <b>item</b>",
      content: "<p>Full</p>",
      categories: ["rdf"],
      enclosures: [],
    });
    expect(two).toMatchObject({ id: "", title: "Two, no about", link: "https://example.org/2" });
  });

  it("reads RSS 0.90 (Netscape namespace) and items nested in the channel", () => {
    const feed = rdf(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xmlns="http://my.netscape.com/rdf/simple/0.9/">
      <channel><title>Old</title><link>http://old.example/</link>
        <item><title>Nested</title><link>http://old.example/n</link></item></channel>
      <item><title>Sibling</title><link>http://old.example/s</link></item>
    </rdf:RDF>`);
    expect(feed).toMatchObject({ format: "rss1", title: "Old", link: "http://old.example/" });
    expect(feed.entries.map((e) => e.title)).toEqual(["Sibling", "Nested"]);
  });

  it("copes with a document that has no channel", () => {
    const feed = rdf(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xml:lang="en"/>`);
    expect(feed).toEqual({
      format: "rss1",
      title: null,
      link: null,
      description: null,
      language: "en",
      updated: null,
      entries: [],
    });
  });
});
