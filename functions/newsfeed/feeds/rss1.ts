/**
 * RSS 1.0 and RSS 0.90: an rdf:RDF root whose <channel> and <item>s are siblings, in the RSS 1.0
 * (purl.org/rss/1.0/) or Netscape 0.90 namespace. Items have RSS 2.0's shape (plus Dublin Core, which
 * RSS 1.0 feeds lean on for dates and authors), so they are read by rss2's `readRssItem`; an item's
 * identity is its rdf:about.
 */
import type { ParsedFeed } from "./entry.ts";
import { channelFields, channelLink, firstDate, readRssItem } from "./rss2.ts";
import { find, findAll, NS, type XmlElement } from "./xml.ts";

const CORE = [NS.rss1, NS.rss090];

export function parseRss1(root: XmlElement, feedUrl: string | null): ParsedFeed {
  const channel = find(root, CORE, "channel");
  const siteLink = channel ? channelLink(channel, CORE, feedUrl) : null;
  // Items belong beside the channel; some generators nest them inside it.
  const items = [...findAll(root, CORE, "item"), ...(channel ? findAll(channel, CORE, "item") : [])];
  return {
    format: "rss1",
    ...(channel ? channelFields(channel, CORE) : { title: null, description: null, language: root.lang }),
    link: siteLink,
    updated: channel
      ? firstDate(channel, [
          [NS.dc, "date"],
          [NS.dcterms, "modified"],
        ])
      : null,
    entries: items.map((item) => readRssItem(item, CORE, { siteLink, feedUrl })),
  };
}
