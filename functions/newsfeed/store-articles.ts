/** The articles table: entries upserted from feeds (deduplicated), their topics, likes count and search. */
import type { SqlExecutor, SqlStatement, SqlValue } from "../shared/sql.ts";
import { contentHash, entryKey, isoToMs, plainText, topicsOf } from "./article-fields.ts";
import { linkKey, titleKey } from "./duplicates.ts";
import type { Enclosure, FeedEntry } from "./feeds/entry.ts";

export interface ArticleRecord {
  id: number;
  feedId: number;
  entryKey: string;
  link: string | null;
  /** The link as a duplicate key (duplicates.ts `linkKey`): the same story from several sources. */
  linkKey: string | null;
  title: string | null;
  /** The title as a duplicate key (duplicates.ts `titleKey`). */
  titleKey: string | null;
  /** Sanitised HTML. */
  summary: string | null;
  /** Plain text of the summary (else of the content), cut short: what search indexes. */
  summaryText: string;
  /** Sanitised HTML. */
  content: string | null;
  author: string | null;
  publishedAt: number | null;
  updatedAt: number | null;
  /** When it counts as posted: published, else updated, else first seen; never later than first seen. */
  postedAt: number;
  /** Categories as topics (article-fields.ts `topicsOf`). */
  topics: string[];
  enclosures: Enclosure[];
  contentHash: string;
  /** When this service first saw it. */
  seenAt: number;
  /** When its content last changed (first seen, or the last update). */
  changedAt: number;
  likeCount: number;
}

export interface ArticleRow {
  [column: string]: SqlValue;
  id: number;
  feed_id: number;
  entry_key: string;
  link: string | null;
  link_key: string | null;
  title: string | null;
  title_key: string | null;
  summary: string | null;
  summary_text: string;
  content: string | null;
  author: string | null;
  published_at: number | null;
  updated_at: number | null;
  posted_at: number;
  categories: string;
  enclosures: string;
  content_hash: string;
  seen_at: number;
  changed_at: number;
  like_count: number;
}

export function toArticle(row: ArticleRow): ArticleRecord {
  return {
    id: row.id,
    feedId: row.feed_id,
    entryKey: row.entry_key,
    link: row.link,
    linkKey: row.link_key,
    title: row.title,
    titleKey: row.title_key,
    summary: row.summary,
    summaryText: row.summary_text,
    content: row.content,
    author: row.author,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    postedAt: row.posted_at,
    topics: JSON.parse(row.categories) as string[],
    enclosures: JSON.parse(row.enclosures) as Enclosure[],
    contentHash: row.content_hash,
    seenAt: row.seen_at,
    changedAt: row.changed_at,
    likeCount: row.like_count,
  };
}

/** What one upsert did: the articles it created (for live updates) and how many it changed or skipped. */
export interface UpsertResult {
  inserted: ArticleRecord[];
  updated: number;
  unchanged: number;
}

/** Keys per `IN (…)` list and rows per batch chunk: well under SQLite's bound-parameter limit. */
const CHUNK = 400;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

interface Prepared {
  key: string;
  hash: string;
  entry: FeedEntry;
  topics: string[];
}

export class ArticleStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Stores a feed's entries. Identity is (feed, entry key); an entry seen before is rewritten only when its
   * content hash changed (its first-seen time and likes stay). Runs in one transaction per call, so a
   * feed's entry count and topics never disagree with its articles.
   */
  async upsert(feedId: number, entries: readonly FeedEntry[], now: number): Promise<UpsertResult> {
    const byKey = new Map<string, Prepared>();
    for (const entry of entries) {
      const key = await entryKey(entry);
      // A document listing one entry twice: the first occurrence wins, as feed readers do.
      if (byKey.has(key)) continue;
      byKey.set(key, { key, hash: await contentHash(entry), entry, topics: topicsOf(entry.categories) });
    }
    const known = new Map<string, string>();
    for (const keys of chunks([...byKey.keys()])) {
      const rows = await this.db.query<{ entry_key: string; content_hash: string }>(
        `SELECT entry_key, content_hash FROM articles
         WHERE feed_id = ? AND entry_key IN (${keys.map(() => "?").join(", ")})`,
        [feedId, ...keys],
      );
      for (const row of rows) known.set(row.entry_key, row.content_hash);
    }
    const fresh: Prepared[] = [];
    const changed: Prepared[] = [];
    for (const item of byKey.values()) {
      const hash = known.get(item.key);
      if (hash === undefined) fresh.push(item);
      else if (hash !== item.hash) changed.push(item);
    }
    const statements: SqlStatement[] = [];
    for (const item of [...fresh, ...changed]) statements.push(...this.upsertStatements(feedId, item, now));
    if (statements.length > 0) {
      statements.push({
        sql: "UPDATE feeds SET entry_count = (SELECT COUNT(*) FROM articles WHERE feed_id = ?1) WHERE id = ?1",
        args: [feedId],
      });
      await this.db.batch(statements);
    }
    const inserted: ArticleRecord[] = [];
    for (const keys of chunks(fresh.map((f) => f.key))) {
      const rows = await this.db.query<ArticleRow>(
        `SELECT * FROM articles WHERE feed_id = ? AND entry_key IN (${keys.map(() => "?").join(", ")})
         ORDER BY id`,
        [feedId, ...keys],
      );
      inserted.push(...rows.map(toArticle));
    }
    return { inserted, updated: changed.length, unchanged: byKey.size - fresh.length - changed.length };
  }

  /**
   * The upsert of one entry and its topics. ON CONFLICT makes a concurrent writer (another replica that
   * ingested the same feed) harmless: the row is updated only if its hash still differs.
   */
  private upsertStatements(feedId: number, item: Prepared, now: number): SqlStatement[] {
    const { entry } = item;
    const published = isoToMs(entry.published);
    const updated = isoToMs(entry.updated);
    const args: SqlValue[] = [
      feedId,
      item.key,
      entry.link,
      linkKey(entry.link),
      entry.title,
      titleKey(entry.title),
      entry.summary,
      plainText(entry.summary ?? entry.content),
      entry.content,
      entry.author,
      published,
      updated,
      JSON.stringify(item.topics),
      JSON.stringify(entry.enclosures),
      item.hash,
      now,
    ];
    const where = "WHERE feed_id = ? AND entry_key = ?";
    return [
      {
        sql: `INSERT INTO articles (feed_id, entry_key, link, link_key, title, title_key, summary, summary_text,
            content, author, published_at, updated_at, categories, enclosures, content_hash, seen_at, changed_at,
            posted_at)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,
            MIN(COALESCE(?11, ?12, ?16), ?16))
          ON CONFLICT (feed_id, entry_key) DO UPDATE SET link = excluded.link, link_key = excluded.link_key,
            title = excluded.title, title_key = excluded.title_key, summary = excluded.summary,
            summary_text = excluded.summary_text, content = excluded.content, author = excluded.author,
            published_at = excluded.published_at, updated_at = excluded.updated_at,
            categories = excluded.categories, enclosures = excluded.enclosures,
            content_hash = excluded.content_hash, changed_at = excluded.changed_at,
            posted_at = MIN(COALESCE(excluded.published_at, excluded.updated_at, articles.seen_at), articles.seen_at)
          WHERE articles.content_hash <> excluded.content_hash`,
        args,
      },
      {
        sql: `DELETE FROM article_topics WHERE article_id = (SELECT id FROM articles ${where})`,
        args: [feedId, item.key],
      },
      ...item.topics.map((topic) => ({
        sql: `INSERT INTO article_topics (article_id, topic, posted_at)
              SELECT id, ?, posted_at FROM articles ${where}`,
        args: [topic, feedId, item.key],
      })),
    ];
  }

  async get(id: number): Promise<ArticleRecord | undefined> {
    const [row] = await this.db.query<ArticleRow>("SELECT * FROM articles WHERE id = ?", [id]);
    return row ? toArticle(row) : undefined;
  }

  /** Articles by id, in no particular order; unknown ids are left out. */
  async getMany(ids: readonly number[]): Promise<ArticleRecord[]> {
    const out: ArticleRecord[] = [];
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.db.query<ArticleRow>(
        `SELECT * FROM articles WHERE id IN (${part.map(() => "?").join(", ")})`,
        part,
      );
      out.push(...rows.map(toArticle));
    }
    return out;
  }

  /** A feed's articles, newest first. */
  async listByFeed(feedId: number, limit: number): Promise<ArticleRecord[]> {
    const rows = await this.db.query<ArticleRow>(
      "SELECT * FROM articles WHERE feed_id = ? ORDER BY posted_at DESC, id DESC LIMIT ?",
      [feedId, limit],
    );
    return rows.map(toArticle);
  }

  /** What recommendations need of each article, a page at a time in id order after `afterId`. */
  async recommendablePage(
    afterId: number,
    limit: number,
  ): Promise<Pick<ArticleRecord, "id" | "title" | "topics" | "postedAt">[]> {
    const rows = await this.db.query<{
      id: number;
      title: string | null;
      categories: string;
      posted_at: number;
    }>("SELECT id, title, categories, posted_at FROM articles WHERE id > ? ORDER BY id LIMIT ?", [
      afterId,
      limit,
    ]);
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      topics: JSON.parse(r.categories) as string[],
      postedAt: r.posted_at,
    }));
  }

  /** The number of articles (for readiness and metrics). */
  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM articles");
    return row?.n ?? 0;
  }
}
