/**
 * The edge hub's memory of recent live events, in its SQLite, so `Last-Event-ID` replay survives the
 * object's hibernation and eviction (on Node the hub's memory is enough: it lives as long as its clients).
 */
import type { SqlExecutor } from "../shared/sql.ts";
import { type LiveEvent, parseLiveEvent } from "./live.ts";

export const LIVE_EVENT_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS live_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL
   )`,
];

export class LiveEventLog {
  constructor(
    private readonly db: SqlExecutor,
    private readonly keep: number,
  ) {}

  /** The remembered events, oldest first. */
  async recent(): Promise<LiveEvent[]> {
    const rows = await this.db.query<{ body: string }>(
      "SELECT body FROM (SELECT seq, body FROM live_events ORDER BY seq DESC LIMIT ?) ORDER BY seq",
      [this.keep],
    );
    // A row that no longer parses (a format change) is skipped, not fatal.
    return rows.flatMap((row) => parseLiveEvent(JSON.parse(row.body)) ?? []);
  }

  /** Remembers an event and forgets all but the last `keep`. */
  async append(event: LiveEvent): Promise<void> {
    await this.db.batch([
      {
        sql: "INSERT OR IGNORE INTO live_events (id, body) VALUES (?, ?)",
        args: [event.id, JSON.stringify(event)],
      },
      {
        sql: "DELETE FROM live_events WHERE seq NOT IN (SELECT seq FROM live_events ORDER BY seq DESC LIMIT ?)",
        args: [this.keep],
      },
    ]);
  }
}
