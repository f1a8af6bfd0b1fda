/** What people do: follow sources (feeds) and topics, like articles. */
import type { SqlExecutor } from "../shared/sql.ts";

export interface Follows {
  /** Feed ids, in the order they were followed. */
  sources: number[];
  /** Normalised topics, in the order they were followed. */
  topics: string[];
}

/** A like and the article's like count after it. `changed` is false for a repeated like or unlike. */
export interface LikeResult {
  changed: boolean;
  likes: number;
}

export interface LikeRow {
  userId: string;
  articleId: number;
}

/** Follows per user, a guard against a client following the whole catalogue. */
export const MAX_FOLLOWS = 500;

export class PeopleStore {
  constructor(private readonly db: SqlExecutor) {}

  async follows(userId: string): Promise<Follows> {
    const [sources, topics] = await Promise.all([
      this.db.query<{ feed_id: number }>(
        "SELECT feed_id FROM follow_sources WHERE user_id = ? ORDER BY created_at, rowid",
        [userId],
      ),
      this.db.query<{ topic: string }>(
        "SELECT topic FROM follow_topics WHERE user_id = ? ORDER BY created_at, rowid",
        [userId],
      ),
    ]);
    return { sources: sources.map((r) => r.feed_id), topics: topics.map((r) => r.topic) };
  }

  /** How many sources and topics the user follows. */
  async followCount(userId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT (SELECT COUNT(*) FROM follow_sources WHERE user_id = ?1)
            + (SELECT COUNT(*) FROM follow_topics WHERE user_id = ?1) AS n`,
      [userId],
    );
    return row?.n ?? 0;
  }

  /** True when the follow is new. The feed must exist (the caller checks). */
  async followSource(userId: string, feedId: number, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      "INSERT INTO follow_sources (user_id, feed_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      [userId, feedId, now],
    );
    return changes === 1;
  }

  async unfollowSource(userId: string, feedId: number): Promise<boolean> {
    const { changes } = await this.db.run("DELETE FROM follow_sources WHERE user_id = ? AND feed_id = ?", [
      userId,
      feedId,
    ]);
    return changes === 1;
  }

  /** True when the follow is new. `topic` is already normalised. */
  async followTopic(userId: string, topic: string, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      "INSERT INTO follow_topics (user_id, topic, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      [userId, topic, now],
    );
    return changes === 1;
  }

  async unfollowTopic(userId: string, topic: string): Promise<boolean> {
    const { changes } = await this.db.run("DELETE FROM follow_topics WHERE user_id = ? AND topic = ?", [
      userId,
      topic,
    ]);
    return changes === 1;
  }

  /** Users who follow the feed or any of the topics: who a new article should be pushed to. */
  async audience(feedId: number, topics: readonly string[]): Promise<string[]> {
    const rows = await this.db.query<{ user_id: string }>(
      `SELECT user_id FROM follow_sources WHERE feed_id = ?
       UNION SELECT user_id FROM follow_topics WHERE topic IN (${topics.map(() => "?").join(", ")})`,
      [feedId, ...topics],
    );
    return rows.map((r) => r.user_id).sort();
  }

  /**
   * Likes the article; a repeated like changes nothing. The article's count is recomputed from the likes
   * themselves rather than incremented, so a retried or interrupted request can never skew it. Undefined
   * when there is no such article.
   */
  async like(userId: string, articleId: number, now: number): Promise<LikeResult | undefined> {
    const { changes } = await this.db.run(
      `INSERT INTO likes (user_id, article_id, created_at)
       SELECT ?, id, ? FROM articles WHERE id = ? ON CONFLICT DO NOTHING`,
      [userId, now, articleId],
    );
    return this.settle(articleId, changes === 1);
  }

  async unlike(userId: string, articleId: number): Promise<LikeResult | undefined> {
    const { changes } = await this.db.run("DELETE FROM likes WHERE user_id = ? AND article_id = ?", [
      userId,
      articleId,
    ]);
    return this.settle(articleId, changes === 1);
  }

  private async settle(articleId: number, changed: boolean): Promise<LikeResult | undefined> {
    if (changed) {
      await this.db.run(
        "UPDATE articles SET like_count = (SELECT COUNT(*) FROM likes WHERE article_id = ?1) WHERE id = ?1",
        [articleId],
      );
    }
    const [row] = await this.db.query<{ like_count: number }>(
      "SELECT like_count FROM articles WHERE id = ?",
      [articleId],
    );
    return row ? { changed, likes: row.like_count } : undefined;
  }

  /** Which of `articleIds` the user liked. */
  async likedAmong(userId: string, articleIds: readonly number[]): Promise<Set<number>> {
    if (articleIds.length === 0) return new Set();
    const rows = await this.db.query<{ article_id: number }>(
      `SELECT article_id FROM likes WHERE user_id = ? AND article_id IN (${articleIds.map(() => "?").join(", ")})`,
      [userId, ...articleIds],
    );
    return new Set(rows.map((r) => r.article_id));
  }

  /**
   * Articles that are another source's copy (same link key) of something the user liked: recommending
   * them would recommend a story the user has already read.
   */
  async copiesOfLiked(userId: string): Promise<number[]> {
    const rows = await this.db.query<{ id: number }>(
      `SELECT c.id FROM likes l JOIN articles a ON a.id = l.article_id
       JOIN articles c ON c.link_key = a.link_key AND c.id <> a.id
       WHERE l.user_id = ? AND a.link_key IS NOT NULL`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Every like, a page at a time in (article, user) order; `after` is the last row of the previous page.
   * Used to build the in-memory recommendation index.
   */
  async likesPage(limit: number, after?: LikeRow): Promise<LikeRow[]> {
    const rows = await this.db.query<{ user_id: string; article_id: number }>(
      after
        ? `SELECT user_id, article_id FROM likes WHERE article_id > ?1 OR (article_id = ?1 AND user_id > ?2)
           ORDER BY article_id, user_id LIMIT ?3`
        : "SELECT user_id, article_id FROM likes ORDER BY article_id, user_id LIMIT ?3",
      after ? [after.articleId, after.userId, limit] : [null, null, limit],
    );
    return rows.map((r) => ({ userId: r.user_id, articleId: r.article_id }));
  }
}
