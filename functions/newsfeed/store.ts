/**
 * Newsfeed's storage, written once for SQLite through the SqlExecutor port: feeds (store-feeds.ts),
 * articles (store-articles.ts), follows and likes (store-people.ts), full-text search and the candidate
 * queries the ranking works on (here). The schema is store-schema.ts.
 */
import type { SqlExecutor, SqlValue } from "../shared/sql.ts";
import type { FeedArticle } from "./ranking.ts";
import type { DueFeed, FeedSource } from "./scheduler.ts";
import { ftsQuery, type SearchTerm } from "./search-query.ts";
import { type ArticleRecord, type ArticleRow, ArticleStore, toArticle } from "./store-articles.ts";
import { type FeedRecord, FeedStore, type FetchRecord } from "./store-feeds.ts";
import { PeopleStore } from "./store-people.ts";

export { NEWSFEED_SCHEMA } from "./store-schema.ts";

/** Where a search snippet's match starts and ends (control characters: never in stored text). */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

export interface SearchHit {
  article: ArticleRecord;
  /** Plain text around the best match, matches wrapped in MARK_START … MARK_END. */
  snippet: string;
}

/**
 * An article as the ranking sees it (ranking.ts `FeedArticle`): ids, keys, time, likes, topics, and none
 * of the text, so thousands of candidates stay cheap to read and to keep in memory.
 */
export interface Candidate extends FeedArticle {
  id: number;
  sourceId: number;
}

const CANDIDATE_COLUMNS =
  "a.id, a.feed_id, a.link, a.title, a.posted_at, a.like_count, a.categories, a.link_key, a.title_key";

interface CandidateRow {
  [column: string]: SqlValue;
  id: number;
  feed_id: number;
  link: string | null;
  title: string | null;
  posted_at: number;
  like_count: number;
  categories: string;
  link_key: string | null;
  title_key: string | null;
}

const toCandidate = (row: CandidateRow): Candidate => ({
  id: row.id,
  sourceId: row.feed_id,
  link: row.link,
  title: row.title,
  publishedAt: row.posted_at,
  likes: row.like_count,
  topics: JSON.parse(row.categories) as string[],
  linkKey: row.link_key,
  titleKey: row.title_key,
});

/** A due feed as the scheduler sees it (string id, due time), with the row its check needs. */
export interface DueFeedRecord extends DueFeed {
  feed: FeedRecord;
}

export class NewsfeedStore {
  readonly feeds: FeedStore;
  readonly articles: ArticleStore;
  readonly people: PeopleStore;

  constructor(private readonly db: SqlExecutor) {
    this.feeds = new FeedStore(db);
    this.articles = new ArticleStore(db);
    this.people = new PeopleStore(db);
  }

  /**
   * Full-text search over titles and summaries, best match first (bm25, titles weighted 3×). `terms` come
   * from searchTerms(), which quotes every word, so no input reaches FTS5 as syntax.
   */
  async search(terms: readonly SearchTerm[], limit: number, offset: number): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const rows = await this.db.query<ArticleRow & { snippet: string }>(
      `SELECT a.*, snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet
       FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
       WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 3.0, 1.0), a.id DESC LIMIT ? OFFSET ?`,
      [MARK_START, MARK_END, ftsQuery(terms), limit, offset],
    );
    return rows.map((row) => ({ article: toArticle(row), snippet: row.snippet }));
  }

  /**
   * Candidates for everyone (the global popular feed): the `newest` newest articles, plus the `liked` most
   * liked of those posted after `popularSince`, so a story many people like stays rankable after newer
   * ones push it down.
   */
  async globalCandidates(query: {
    newest: number;
    liked: number;
    popularSince: number;
  }): Promise<Candidate[]> {
    const rows = await this.db.query<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM articles a WHERE a.id IN (
         SELECT id FROM (SELECT id FROM articles ORDER BY posted_at DESC, id DESC LIMIT ?1)
         UNION
         SELECT id FROM (SELECT id FROM articles WHERE like_count > 0 AND posted_at > ?3
                         ORDER BY like_count DESC, id DESC LIMIT ?2))`,
      [query.newest, query.liked, query.popularSince],
    );
    return rows.map(toCandidate);
  }

  /**
   * The newest `limit` articles of the user's followed sources and topics posted after `postedAfter`:
   * what a quiet followed source published stays in the user's feed after the global window moved on.
   */
  async followedCandidates(userId: string, limit: number, postedAfter?: number): Promise<Candidate[]> {
    const rows = await this.db.query<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM articles a WHERE a.id IN (
         SELECT id FROM (
           SELECT id, posted_at FROM articles
             WHERE feed_id IN (SELECT feed_id FROM follow_sources WHERE user_id = ?1) AND posted_at > ?2
           UNION
           SELECT article_id, posted_at FROM article_topics
             WHERE topic IN (SELECT topic FROM follow_topics WHERE user_id = ?1) AND posted_at > ?2
           ORDER BY posted_at DESC, id DESC LIMIT ?3))`,
      [userId, postedAfter ?? Number.MIN_SAFE_INTEGER, limit],
    );
    return rows.map(toCandidate);
  }

  /**
   * The scheduler's FeedSource port over the feeds table: due feeds, and each check's outcome recorded
   * (its `fetch` part: status, error, validators, next check).
   */
  feedSource<O extends { fetch: FetchRecord }>(): FeedSource<DueFeedRecord, O> {
    return {
      due: async (now, limit) =>
        (await this.feeds.due(now, limit)).map((feed) => ({
          id: String(feed.id),
          url: feed.url,
          dueAt: feed.nextCheckAt ?? now,
          feed,
        })),
      record: (feedId, outcome) => this.feeds.recordFetch(Number(feedId), outcome.fetch),
    };
  }

  /** For readiness probes: the database answers a query. */
  async ping(): Promise<void> {
    await this.db.query("SELECT 1 AS ok");
  }
}
