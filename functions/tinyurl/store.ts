/** TinyURL's SQL, written once for SQLite (libSQL on Node, Durable Object storage on the edge). */
import type { SqlExecutor, SqlValue } from "../shared/sql.ts";
import type { Interval, VisitRow } from "./analytics.ts";
import { INTERVAL_MS } from "./analytics.ts";
import type { LinkRecord, RedirectStatus } from "./links.ts";

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS links (
    code TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    owner TEXT,
    title TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT,
    redirect_status INTEGER NOT NULL DEFAULT 302,
    expires_at INTEGER,
    max_visits INTEGER,
    visits_used INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS links_by_owner ON links (owner, created_at)",
  `CREATE TABLE IF NOT EXISTS visits (
    code TEXT NOT NULL,
    ts INTEGER NOT NULL,
    is_bot INTEGER NOT NULL,
    visitor TEXT NOT NULL,
    referrer TEXT NOT NULL,
    country TEXT NOT NULL,
    browser TEXT NOT NULL,
    os TEXT NOT NULL,
    device TEXT NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS visits_by_code_ts ON visits (code, ts)",
];

interface LinkRow {
  [column: string]: SqlValue;
  code: string;
  url: string;
  owner: string | null;
  title: string | null;
  tags: string;
  password_hash: string | null;
  redirect_status: number;
  expires_at: number | null;
  max_visits: number | null;
  visits_used: number;
  created_at: number;
  updated_at: number;
}

function toLink(row: LinkRow): LinkRecord {
  return {
    code: row.code,
    url: row.url,
    owner: row.owner,
    title: row.title,
    tags: JSON.parse(row.tags) as string[],
    passwordHash: row.password_hash,
    redirectStatus: row.redirect_status as RedirectStatus,
    expiresAt: row.expires_at,
    maxVisits: row.max_visits,
    visitsUsed: row.visits_used,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type LinkPatch = Partial<Pick<LinkRecord, "url" | "expiresAt" | "maxVisits" | "title" | "tags">>;

export interface AnalyticsCounts {
  total: number;
  humans: number;
  bots: number;
  uniqueVisitors: number;
  series: { bucket: number; visits: number; humans: number }[];
  referrers: { value: string; visits: number }[];
  countries: { value: string; visits: number }[];
  browsers: { value: string; visits: number }[];
  os: { value: string; visits: number }[];
  devices: { value: string; visits: number }[];
}

const BREAKDOWN_LIMIT = 10;

/** Where a page of `listByOwner` ends. */
export interface ListCursor {
  createdAt: number;
  code: string;
}

export class LinkStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Inserts the link; false when the code is taken (the caller retries or answers 409). */
  async insert(link: LinkRecord): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO links (code, url, owner, title, tags, password_hash, redirect_status, expires_at, max_visits,
         visits_used, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (code) DO NOTHING`,
      [
        link.code,
        link.url,
        link.owner,
        link.title,
        JSON.stringify(link.tags),
        link.passwordHash,
        link.redirectStatus,
        link.expiresAt,
        link.maxVisits,
        link.createdAt,
        link.updatedAt,
      ],
    );
    return changes === 1;
  }

  async get(code: string): Promise<LinkRecord | undefined> {
    const [row] = await this.db.query<LinkRow>("SELECT * FROM links WHERE code = ?", [code]);
    return row ? toLink(row) : undefined;
  }

  /**
   * Newest first (ties by code); `after` is the last link of the previous page. The cursor carries the code
   * too, so links created in the same millisecond are neither skipped nor repeated across pages.
   */
  async listByOwner(owner: string, limit: number, after?: ListCursor): Promise<LinkRecord[]> {
    const rows = after
      ? await this.db.query<LinkRow>(
          `SELECT * FROM links WHERE owner = ? AND (created_at < ? OR (created_at = ? AND code > ?))
           ORDER BY created_at DESC, code LIMIT ?`,
          [owner, after.createdAt, after.createdAt, after.code, limit],
        )
      : await this.db.query<LinkRow>(
          "SELECT * FROM links WHERE owner = ? ORDER BY created_at DESC, code LIMIT ?",
          [owner, limit],
        );
    return rows.map(toLink);
  }

  async update(code: string, patch: LinkPatch, nowMs: number): Promise<void> {
    const sets: string[] = [];
    const args: SqlValue[] = [];
    const column = {
      url: "url",
      expiresAt: "expires_at",
      maxVisits: "max_visits",
      title: "title",
      tags: "tags",
    };
    for (const [key, col] of Object.entries(column)) {
      const value = patch[key as keyof LinkPatch];
      if (value === undefined) continue;
      sets.push(`${col} = ?`);
      args.push(key === "tags" ? JSON.stringify(value) : (value as SqlValue));
    }
    sets.push("updated_at = ?");
    args.push(nowMs, code);
    await this.db.run(`UPDATE links SET ${sets.join(", ")} WHERE code = ?`, args);
  }

  async delete(code: string): Promise<void> {
    await this.db.batch([
      { sql: "DELETE FROM visits WHERE code = ?", args: [code] },
      { sql: "DELETE FROM links WHERE code = ?", args: [code] },
    ]);
  }

  /**
   * Spends one visit of a link with `maxVisits`, atomically: the row only changes while visits remain, so
   * concurrent redirects on any number of replicas can never exceed the limit.
   */
  async claimVisit(code: string): Promise<boolean> {
    const { changes } = await this.db.run(
      "UPDATE links SET visits_used = visits_used + 1 WHERE code = ? AND max_visits IS NOT NULL AND visits_used < max_visits",
      [code],
    );
    return changes === 1;
  }

  /**
   * Writes buffered visits. A visit only lands if its link still exists and is not younger than the visit:
   * visits buffered before a DELETE are dropped instead of being written after it, and a new link that
   * reuses a deleted slug never inherits the old link's visits.
   */
  async insertVisits(rows: VisitRow[]): Promise<void> {
    if (rows.length === 0) return;
    // One multi-row statement per chunk: SQLite allows 32766 bound parameters; 9 per row.
    const CHUNK = 500;
    const statements = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      statements.push({
        sql: `INSERT INTO visits (code, ts, is_bot, visitor, referrer, country, browser, os, device)
          SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9
          FROM (VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}) AS v
          WHERE EXISTS (SELECT 1 FROM links WHERE links.code = v.column1 AND links.created_at <= v.column2)`,
        args: chunk.flatMap((v) => [
          v.code,
          v.ts,
          v.isBot ? 1 : 0,
          v.visitor,
          v.referrer,
          v.country,
          v.browser,
          v.os,
          v.device,
        ]),
      });
    }
    await this.db.batch(statements);
  }

  async analytics(code: string, from: number, to: number, interval: Interval): Promise<AnalyticsCounts> {
    const range = [code, from, to];
    const where = "WHERE code = ? AND ts >= ? AND ts <= ?";
    const step = INTERVAL_MS[interval];
    // Column names come from the fixed list below, never from input; values are bound parameters.
    const breakdown = (column: "referrer" | "country" | "browser" | "os" | "device") =>
      this.db.query<{ value: string; visits: number }>(
        `SELECT ${column} AS value, COUNT(*) AS visits FROM visits ${where} AND is_bot = 0
         GROUP BY ${column} ORDER BY visits DESC, value LIMIT ?`,
        [...range, BREAKDOWN_LIMIT],
      );
    const [totals, series, referrers, countries, browsers, os, devices] = await Promise.all([
      this.db.query<{ total: number; humans: number; unique_visitors: number }>(
        `SELECT COUNT(*) AS total, COALESCE(SUM(1 - is_bot), 0) AS humans,
           COUNT(DISTINCT CASE WHEN is_bot = 0 THEN visitor END) AS unique_visitors FROM visits ${where}`,
        range,
      ),
      this.db.query<{ bucket: number; visits: number; humans: number }>(
        // CAST: drivers may bind a JS number as REAL, which would make this a float division.
        `SELECT (ts / CAST(?1 AS INTEGER)) * CAST(?1 AS INTEGER) AS bucket, COUNT(*) AS visits, SUM(1 - is_bot) AS humans
         FROM visits WHERE code = ?2 AND ts >= ?3 AND ts <= ?4 GROUP BY bucket ORDER BY bucket`,
        [step, ...range],
      ),
      breakdown("referrer"),
      breakdown("country"),
      breakdown("browser"),
      breakdown("os"),
      breakdown("device"),
    ]);
    const t = totals[0] ?? { total: 0, humans: 0, unique_visitors: 0 };
    return {
      total: t.total,
      humans: t.humans,
      bots: t.total - t.humans,
      uniqueVisitors: t.unique_visitors,
      series,
      referrers,
      countries,
      browsers,
      os,
      devices,
    };
  }

  /** For readiness probes: the database answers a query. */
  async ping(): Promise<void> {
    await this.db.query("SELECT 1 AS ok");
  }
}
