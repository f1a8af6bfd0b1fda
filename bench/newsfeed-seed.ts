/**
 * The dataset of `npm run bench -- newsfeed`, seeded (same numbers every run): feeds and their articles
 * written through the store (`ArticleStore.upsert`, as ingestion writes them: keys, topics, full text),
 * then follows and likes as batched inserts into a fresh database under a temp DATA_DIR, before the
 * service opens it. Articles spread over the last week; a few are other feeds' copies of one story (same
 * link), so the feed's duplicate merge has work; likes favour some articles (a skewed, Zipf-like pick),
 * so co-likes exist for the recommendations.
 */
import { join } from "node:path";
import type { FeedEntry } from "../functions/newsfeed/feeds/entry.ts";
import { NEWSFEED_SCHEMA, NewsfeedStore } from "../functions/newsfeed/store.ts";
import { seededRandom } from "../functions/shared/seeded-random.ts";
import type { SqlStatement } from "../functions/shared/sql.ts";
import { migrate } from "../functions/shared/sql.ts";
import { openDatabase } from "../functions/shared/sql-libsql.ts";

export interface SeedOptions {
  articles: number;
  feeds: number;
  users: number;
  /** Likes per user on average. */
  likesPerUser: number;
  topics: number;
}

export interface SeedResult {
  /** User ids, "u0001" …; the first `followers` follow something, the rest follow nothing. */
  users: string[];
  articles: number;
  likes: number;
  follows: number;
  seconds: number;
}

const DAY_MS = 24 * 3_600_000;
/** Rows per batch of follows or likes: one transaction each, well under the parameter limit per statement. */
const BATCH = 2000;

export const topicName = (i: number) => `topic-${String(i).padStart(2, "0")}`;
export const userName = (i: number) => `u${String(i + 1).padStart(4, "0")}`;

/** `n` articles of one feed: 1–3 topics each, published over the last week before `now`. */
function entriesOf(
  feed: number,
  n: number,
  o: SeedOptions,
  now: number,
  random: () => number,
  sharedLinks: string[],
): FeedEntry[] {
  const entries: FeedEntry[] = [];
  for (let i = 0; i < n; i++) {
    const topics = new Set<string>();
    const count = 1 + Math.floor(random() * 3);
    while (topics.size < count) topics.add(topicName(Math.floor(random() * o.topics)));
    // About 3% carry a link another feed also published: the same story from several sources.
    const shared = random() < 0.03 && sharedLinks.length > 0;
    const link = shared
      ? sharedLinks[Math.floor(random() * sharedLinks.length)]!
      : `https://feed${feed}.example/posts/${i}`;
    if (!shared && random() < 0.03) sharedLinks.push(link);
    entries.push({
      id: `feed${feed}-${i}`,
      title: `Story ${i} of feed ${feed} on ${[...topics].join(" and ")}`,
      link,
      author: `Author ${Math.floor(random() * 20)}`,
      published: new Date(now - Math.floor(random() * 7 * DAY_MS)).toISOString(),
      updated: null,
      summary: `<p>What happened in story ${i} of feed ${feed}, in a sentence or two of summary text.</p>`,
      content: null,
      categories: [...topics],
      enclosures: [],
    });
  }
  return entries;
}

/** Seeds `${dataDir}/newsfeed.db` (the file the service opens by default). */
export async function seedNewsfeed(dataDir: string, o: SeedOptions, now: number): Promise<SeedResult> {
  const started = performance.now();
  const random = seededRandom(20_261_127);
  const { db, client } = await openDatabase(`file:${join(dataDir, "newsfeed.db")}`);
  try {
    await migrate(db, NEWSFEED_SCHEMA);
    const store = new NewsfeedStore(db);
    const sharedLinks: string[] = [];
    const far = now + 365 * DAY_MS; // the service's scheduler must not try to fetch these made-up feeds
    for (let f = 0; f < o.feeds; f++) {
      const { feed } = await store.feeds.add({
        url: `https://feed${f}.example/rss.xml`,
        addedBy: null,
        createdAt: now,
        nextCheckAt: far,
        title: `Feed ${f}`,
      });
      const n = Math.floor(o.articles / o.feeds) + (f < o.articles % o.feeds ? 1 : 0);
      await store.articles.upsert(feed.id, entriesOf(f, n, o, now, random, sharedLinks), now);
    }
    const ids = (await db.query<{ id: number }>("SELECT id FROM articles ORDER BY posted_at DESC")).map(
      (r) => r.id,
    );

    const users = Array.from({ length: o.users }, (_, i) => userName(i));
    const statements: SqlStatement[] = [];
    let follows = 0;
    let likes = 0;
    const flush = async (force = false) => {
      if (statements.length >= BATCH || (force && statements.length > 0)) {
        await db.batch(statements.splice(0));
      }
    };
    for (const [i, user] of users.entries()) {
      // One user in five follows nothing (their feed is the popular one, plus nothing boosted).
      if (i % 5 !== 4) {
        const sources = new Set<number>();
        const nSources = 1 + Math.floor(random() * 5);
        while (sources.size < nSources) sources.add(1 + Math.floor(random() * o.feeds));
        for (const feedId of sources) {
          statements.push({
            sql: "INSERT INTO follow_sources (user_id, feed_id, created_at) VALUES (?, ?, ?)",
            args: [user, feedId, now],
          });
        }
        const topics = new Set<string>();
        const nTopics = Math.floor(random() * 4);
        while (topics.size < nTopics) topics.add(topicName(Math.floor(random() * o.topics)));
        for (const topic of topics) {
          statements.push({
            sql: "INSERT INTO follow_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            args: [user, topic, now],
          });
        }
        follows += sources.size + topics.size;
      }
      // Skewed towards the newest articles and a popular head: r^3 picks small ranks far more often.
      const liked = new Set<number>();
      const nLikes = Math.floor(random() * 2 * o.likesPerUser);
      while (liked.size < nLikes) liked.add(ids[Math.floor(random() ** 3 * ids.length)]!);
      for (const articleId of liked) {
        statements.push({
          sql: "INSERT INTO likes (user_id, article_id, created_at) VALUES (?, ?, ?)",
          args: [user, articleId, now - Math.floor(random() * DAY_MS)],
        });
      }
      likes += liked.size;
      await flush();
    }
    await flush(true);
    await db.run(
      `UPDATE articles SET like_count = (SELECT COUNT(*) FROM likes WHERE likes.article_id = articles.id)`,
    );
    return { users, articles: ids.length, likes, follows, seconds: (performance.now() - started) / 1000 };
  } finally {
    client.close();
  }
}
