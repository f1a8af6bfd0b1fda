/**
 * A small known dataset for the route tests: two feeds, five entries, one story carried by both feeds.
 * Ages are relative to the harness' NOW, so the gravity ranking's order is known in advance:
 * the Rust story (2 h, two copies) › Go (3 h) › Gardening (5 h) › Databases (30 h).
 */
import type { Harness } from "./app-harness.ts";
import { hoursAgo } from "./app-harness.ts";
import { rssFeed } from "./feeds.ts";

export const FEED_A = "https://a.example/feed.xml";
export const FEED_B = "https://b.example/rss";

export const TITLES = {
  rust: "Rust 2.0 released",
  go: "Go generics explained",
  garden: "Gardening tips for winter",
  db: "Old news about databases",
} as const;

export function storyFeeds(feeds: Harness["feeds"]): void {
  feeds.set(
    FEED_A,
    rssFeed({
      title: "Site A",
      link: "https://a.example/",
      items: [
        {
          guid: "a1",
          title: TITLES.rust,
          link: "https://news.example/rust-2",
          published: hoursAgo(2),
          description: "The <b>compiler</b> is faster & smaller",
          categories: ["Rust"],
        },
        { guid: "a2", title: TITLES.garden, link: "https://a.example/garden", published: hoursAgo(5) },
        { guid: "a3", title: TITLES.db, link: "https://a.example/db", published: hoursAgo(30) },
      ],
    }),
  );
  feeds.set(
    FEED_B,
    rssFeed({
      title: "Site B",
      link: "https://b.example/",
      items: [
        {
          guid: "b1",
          title: "Rust 2.0 is out",
          link: "https://news.example/rust-2?utm_source=b",
          published: hoursAgo(1),
          categories: ["rust"],
        },
        {
          guid: "b2",
          title: TITLES.go,
          link: "https://b.example/go",
          published: hoursAgo(3),
          description: "Type parameters, a < b",
          categories: ["Go"],
        },
      ],
    }),
  );
}

/** Serves and subscribes both feeds; returns their ids and the article ids by entry guid. */
export async function subscribeStories(h: Harness) {
  storyFeeds(h.feeds);
  const a = await h.call("admin", "POST", "/api/feeds", { url: FEED_A });
  const b = await h.call("admin", "POST", "/api/feeds", { url: FEED_B });
  if (a.status !== 201 || b.status !== 201) throw new Error(`subscribing failed: ${a.status} ${b.status}`);
  const ids: Record<string, string> = {};
  for (const feed of [a.body.id, b.body.id]) {
    for (const article of await h.store.articles.listByFeed(Number(feed), 100)) {
      ids[article.entryKey] = String(article.id);
    }
  }
  return { feedA: a.body.id as string, feedB: b.body.id as string, ids };
}
