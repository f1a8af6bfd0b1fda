/** The feeds table: subscriptions, their fetch state (conditional GET validators, backoff) and status. */
import type { SqlExecutor, SqlRow, SqlValue } from "../shared/sql.ts";

export type FeedStatus = "active" | "disabled";

export interface FeedRecord {
  id: number;
  url: string;
  title: string | null;
  /** The site's address (not the feed's). */
  siteLink: string | null;
  format: string | null;
  status: FeedStatus;
  addedBy: string | null;
  createdAt: number;
  lastFetchAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  /** Null while disabled. */
  nextCheckAt: number | null;
  consecutiveFailures: number;
  etag: string | null;
  lastModified: string | null;
  entryCount: number;
}

export type FeedRef = Pick<FeedRecord, "id" | "title" | "url">;

/** What one fetch changed. Absent fields keep their value; validators are replaced only when given. */
export interface FetchRecord {
  at: number;
  /** Null after a success (or a 304), the reason after a failure. */
  error: string | null;
  status: FeedStatus;
  nextCheckAt: number | null;
  consecutiveFailures: number;
  etag?: string | null;
  lastModified?: string | null;
  title?: string | null;
  siteLink?: string | null;
  format?: string | null;
}

interface FeedRow {
  [column: string]: SqlValue;
  id: number;
  url: string;
  title: string | null;
  site_link: string | null;
  format: string | null;
  status: string;
  added_by: string | null;
  created_at: number;
  last_fetch_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  next_check_at: number | null;
  consecutive_failures: number;
  etag: string | null;
  last_modified: string | null;
  entry_count: number;
}

function toFeed(row: FeedRow): FeedRecord {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    siteLink: row.site_link,
    format: row.format,
    status: row.status as FeedStatus,
    addedBy: row.added_by,
    createdAt: row.created_at,
    lastFetchAt: row.last_fetch_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    nextCheckAt: row.next_check_at,
    consecutiveFailures: row.consecutive_failures,
    etag: row.etag,
    lastModified: row.last_modified,
    entryCount: row.entry_count,
  };
}

/** Columns a FetchRecord may set besides the ones every fetch sets. */
const OPTIONAL_COLUMNS = {
  etag: "etag",
  lastModified: "last_modified",
  title: "title",
  siteLink: "site_link",
  format: "format",
} as const;

export class FeedStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Adds a feed by URL, due at `nextCheckAt`. A URL already present is not added twice: the existing feed
   * comes back with `created: false`.
   */
  async add(
    feed: Pick<FeedRecord, "url" | "addedBy" | "createdAt"> & { nextCheckAt: number } & Partial<
        Pick<FeedRecord, "title" | "siteLink" | "format">
      >,
  ): Promise<{ feed: FeedRecord; created: boolean }> {
    const { changes } = await this.db.run(
      `INSERT INTO feeds (url, title, site_link, format, added_by, created_at, next_check_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`,
      [
        feed.url,
        feed.title ?? null,
        feed.siteLink ?? null,
        feed.format ?? null,
        feed.addedBy,
        feed.createdAt,
        feed.nextCheckAt,
      ],
    );
    const stored = await this.getByUrl(feed.url);
    if (!stored) throw new Error(`feed ${feed.url} vanished right after it was added`);
    return { feed: stored, created: changes === 1 };
  }

  async get(id: number): Promise<FeedRecord | undefined> {
    const [row] = await this.db.query<FeedRow>("SELECT * FROM feeds WHERE id = ?", [id]);
    return row ? toFeed(row) : undefined;
  }

  async getByUrl(url: string): Promise<FeedRecord | undefined> {
    const [row] = await this.db.query<FeedRow>("SELECT * FROM feeds WHERE url = ?", [url]);
    return row ? toFeed(row) : undefined;
  }

  /** Feeds by id (unknown ids left out). */
  async getMany(ids: readonly number[]): Promise<FeedRecord[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.db.query<FeedRow>(
      `SELECT * FROM feeds WHERE id IN (${unique.map(() => "?").join(", ")})`,
      unique,
    );
    return rows.map(toFeed);
  }

  /** Just the names of feeds by id (unknown ids left out): what article lists show. */
  async refs(ids: readonly number[]): Promise<FeedRef[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return this.db.query<FeedRef & SqlRow>(
      `SELECT id, title, url FROM feeds WHERE id IN (${unique.map(() => "?").join(", ")})`,
      unique,
    );
  }

  /** Feeds in the order they were added; `afterId` is the last id of the previous page. */
  async list(limit: number, afterId = 0): Promise<FeedRecord[]> {
    const rows = await this.db.query<FeedRow>("SELECT * FROM feeds WHERE id > ? ORDER BY id LIMIT ?", [
      afterId,
      limit,
    ]);
    return rows.map(toFeed);
  }

  /** Active feeds whose next check has come, the most overdue first. */
  async due(now: number, limit: number): Promise<FeedRecord[]> {
    const rows = await this.db.query<FeedRow>(
      `SELECT * FROM feeds WHERE status = 'active' AND next_check_at <= ?
       ORDER BY next_check_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toFeed);
  }

  /** Records a fetch's outcome: when, what went wrong (if anything), backoff and the next check. */
  async recordFetch(id: number, record: FetchRecord): Promise<void> {
    const sets = [
      "last_fetch_at = ?",
      "last_error = ?",
      "status = ?",
      "next_check_at = ?",
      "consecutive_failures = ?",
    ];
    const args: SqlValue[] = [
      record.at,
      record.error,
      record.status,
      record.nextCheckAt,
      record.consecutiveFailures,
    ];
    if (record.error === null) {
      sets.push("last_success_at = ?");
      args.push(record.at);
    }
    // Column names come from the fixed map above, never from input.
    for (const [key, column] of Object.entries(OPTIONAL_COLUMNS)) {
      const value = record[key as keyof typeof OPTIONAL_COLUMNS];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      args.push(value);
    }
    args.push(id);
    await this.db.run(`UPDATE feeds SET ${sets.join(", ")} WHERE id = ?`, args);
  }

  /**
   * The feed's newest entry dates (published, else updated, else first seen), newest first: its publishing
   * rate after a 304, when the fetch brought no entries to read it from.
   */
  async recentEntryTimes(id: number, limit: number): Promise<number[]> {
    const rows = await this.db.query<{ t: number }>(
      `SELECT COALESCE(published_at, updated_at, seen_at) AS t FROM articles WHERE feed_id = ?
       ORDER BY posted_at DESC LIMIT ?`,
      [id, limit],
    );
    return rows.map((r) => r.t);
  }

  /** Re-enables a disabled feed (a person fixed it, or re-added it) and makes it due now. */
  async reactivate(id: number, now: number): Promise<void> {
    await this.db.run(
      `UPDATE feeds SET status = 'active', consecutive_failures = 0, next_check_at = ?
       WHERE id = ? AND status = 'disabled'`,
      [now, id],
    );
  }
}
