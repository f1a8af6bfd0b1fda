/**
 * The SQL executor port. Every service writes its SQL once (SQLite dialect) and runs it through this
 * interface; adapters exist for @libsql/client (Node), a Durable Object's `ctx.storage.sql` (inside the
 * object) and a Durable Object stub reached over RPC (from a Worker).
 */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlStatement {
  sql: string;
  args?: SqlValue[];
}

export interface SqlExecutor {
  /** Runs a read and returns plain row objects. */
  query<T extends SqlRow = SqlRow>(sql: string, args?: SqlValue[]): Promise<T[]>;
  /** Runs a write and returns how many rows it changed. */
  run(sql: string, args?: SqlValue[]): Promise<{ changes: number }>;
  /** Runs the statements atomically, in order. */
  batch(statements: SqlStatement[]): Promise<void>;
}

/** Applies a list of idempotent DDL statements (CREATE … IF NOT EXISTS) in one transaction. */
export async function migrate(db: SqlExecutor, ddl: readonly string[]): Promise<void> {
  await db.batch(ddl.map((sql) => ({ sql })));
}
