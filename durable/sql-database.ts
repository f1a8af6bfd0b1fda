/**
 * A service's SQLite database on the edge. The object only owns the storage; the SQL lives in the
 * service's store and arrives over RPC, so every query runs where the data is, one call at a time
 * (a Durable Object handles one RPC at a time, which makes each statement and batch atomic).
 */
import { DurableObject } from "cloudflare:workers";
import type { SqlExecutor, SqlRow, SqlStatement, SqlValue } from "../functions/shared/sql.ts";
import { durableSqlExecutor } from "../functions/shared/sql-durable.ts";

export class SqlDatabase extends DurableObject {
  private readonly db: SqlExecutor;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.db = durableSqlExecutor(ctx.storage);
  }

  query(sql: string, args: SqlValue[] = []): Promise<SqlRow[]> {
    return this.db.query(sql, args);
  }

  run(sql: string, args: SqlValue[] = []): Promise<{ changes: number }> {
    return this.db.run(sql, args);
  }

  batch(statements: SqlStatement[]): Promise<void> {
    return this.db.batch(statements);
  }
}
