import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Client, createClient } from "@libsql/client";
import type { SqlExecutor, SqlRow, SqlValue } from "./sql.ts";

/** Opens a libSQL database: `file:` paths are embedded (the default), `libsql://`/`http(s)://` are remote. */
export function openLibsql(url: string, authToken?: string): { db: SqlExecutor; client: Client } {
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length);
    if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  }
  const client = createClient({ url, authToken, intMode: "number" });
  return { db: libsqlExecutor(client), client };
}

/**
 * Opens the database for a service. Embedded files get write-ahead logging (readers never wait for the
 * writer, one fsync per checkpoint rather than per commit), NORMAL sync (durable at each checkpoint, safe
 * against corruption) and a busy timeout, so replicas sharing a file wait for its lock instead of failing.
 */
export async function openDatabase(
  url: string,
  authToken?: string,
): Promise<{ db: SqlExecutor; client: Client }> {
  const opened = openLibsql(url, authToken);
  if (url.startsWith("file:") && !url.includes(":memory:")) {
    // The timeout first: switching to WAL takes a lock that a replica opening the same file must wait for.
    await opened.client.execute("PRAGMA busy_timeout = 5000");
    await opened.client.execute("PRAGMA journal_mode = WAL");
    await opened.client.execute("PRAGMA synchronous = NORMAL");
  }
  return opened;
}

/**
 * libSQL binds every JS number as REAL; whole numbers go as integers instead, so comparisons, integer
 * division and INTEGER columns behave the same as on a Durable Object's SQLite.
 */
function bindable(args: SqlValue[]): (SqlValue | bigint)[] {
  return args.map((v) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v));
}

export function libsqlExecutor(client: Client): SqlExecutor {
  return {
    async query<T extends SqlRow = SqlRow>(sql: string, args: SqlValue[] = []) {
      const result = await client.execute({ sql, args: bindable(args) });
      // libSQL rows are array-like objects with extra keys; copy to plain objects so they serialize cleanly.
      return result.rows.map((row) => {
        const out: SqlRow = {};
        result.columns.forEach((name, i) => {
          out[name] = row[i] as SqlValue;
        });
        return out as T;
      });
    },
    async run(sql, args = []) {
      const result = await client.execute({ sql, args: bindable(args) });
      return { changes: result.rowsAffected };
    },
    async batch(statements) {
      if (statements.length === 0) return;
      await client.batch(
        statements.map((s) => ({ sql: s.sql, args: bindable(s.args ?? []) })),
        "write",
      );
    },
  };
}
