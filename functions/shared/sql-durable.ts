import type { SqlExecutor, SqlRow, SqlValue } from "./sql.ts";

/** The slice of a Durable Object's storage this adapter needs (kept structural so tests can fake it). */
export interface DurableSqlStorage {
  sql: { exec(sql: string, ...bindings: unknown[]): { toArray(): unknown[] } };
  transactionSync<T>(fn: () => T): T;
}

/** Runs SQL on a Durable Object's embedded SQLite (`ctx.storage.sql`). Synchronous underneath. */
export function durableSqlExecutor(storage: DurableSqlStorage): SqlExecutor {
  return {
    async query<T extends SqlRow = SqlRow>(sql: string, args: SqlValue[] = []) {
      return storage.sql.exec(sql, ...args).toArray() as T[];
    },
    async run(sql, args = []) {
      storage.sql.exec(sql, ...args).toArray();
      // rowsWritten also counts index rows, so ask SQLite for the statement's own change count.
      const [row] = storage.sql.exec("SELECT changes() AS changes").toArray() as { changes: number }[];
      return { changes: row?.changes ?? 0 };
    },
    async batch(statements) {
      storage.transactionSync(() => {
        for (const s of statements) storage.sql.exec(s.sql, ...(s.args ?? [])).toArray();
      });
    },
  };
}

/** What a Worker holds to reach a SQL Durable Object: the object's RPC methods mirror the port. */
export interface SqlDatabaseStub {
  query(sql: string, args: SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, args: SqlValue[]): Promise<{ changes: number }>;
  batch(statements: { sql: string; args?: SqlValue[] }[]): Promise<void>;
}

/**
 * A SqlExecutor whose every call is one RPC to the Durable Object that owns the database. Each result is
 * awaited into a plain promise: an RPC promise is also a pipelining proxy, where reading any property
 * (as assertion libraries do) starts another call whose failure nobody handles.
 */
export function remoteSqlExecutor(stub: SqlDatabaseStub): SqlExecutor {
  return {
    query: async <T extends SqlRow = SqlRow>(sql: string, args: SqlValue[] = []) =>
      (await stub.query(sql, args)) as T[],
    run: async (sql, args = []) => await stub.run(sql, args),
    batch: async (statements) => await stub.batch(statements),
  };
}
