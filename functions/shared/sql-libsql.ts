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

export function libsqlExecutor(client: Client): SqlExecutor {
  return {
    async query<T extends SqlRow = SqlRow>(sql: string, args: SqlValue[] = []) {
      const result = await client.execute({ sql, args });
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
      const result = await client.execute({ sql, args });
      return { changes: result.rowsAffected };
    },
    async batch(statements) {
      if (statements.length === 0) return;
      await client.batch(
        statements.map((s) => ({ sql: s.sql, args: s.args ?? [] })),
        "write",
      );
    },
  };
}
