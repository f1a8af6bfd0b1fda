/** SqlDatabase on workerd: the executor port over a real Durable Object's SQLite, reached over RPC. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { remoteSqlExecutor } from "../functions/shared/sql-durable.ts";

const database = (name: string) => remoteSqlExecutor(env.SQL_DATABASE.get(env.SQL_DATABASE.idFromName(name)));

describe("SqlDatabase", () => {
  it("runs parameterized writes and reads, counting changed rows (not index rows)", async () => {
    const db = database("sql-database-test-rw");
    await db.batch([
      { sql: "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)" },
      { sql: "CREATE INDEX IF NOT EXISTS t_by_v ON t (v)" },
    ]);
    expect(await db.run("INSERT INTO t (k, v) VALUES (?, ?), (?, ?)", ["a", 1, "b", 2])).toEqual({
      changes: 2,
    });
    expect(await db.run("INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", ["a", 9])).toEqual({
      changes: 0,
    });
    expect(await db.run("UPDATE t SET v = v + 1 WHERE k = ?", ["b"])).toEqual({ changes: 1 });
    expect(await db.query("SELECT k, v FROM t WHERE v >= ? ORDER BY k", [1])).toEqual([
      { k: "a", v: 1 },
      { k: "b", v: 3 },
    ]);
  });

  it("applies a batch atomically: a failing statement rolls back the ones before it", async () => {
    const db = database("sql-database-test-batch");
    await db.batch([{ sql: "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)" }]);
    await expect(
      db.batch([
        { sql: "INSERT INTO t (k) VALUES (?)", args: ["first"] },
        { sql: "INSERT INTO t (k) VALUES (?)", args: ["first"] },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    expect(await db.query("SELECT COUNT(*) AS n FROM t")).toEqual([{ n: 0 }]);
  });

  it("keeps one database per name", async () => {
    const one = database("sql-database-test-one");
    const two = database("sql-database-test-two");
    await one.batch([{ sql: "CREATE TABLE only_here (x INTEGER)" }]);
    await expect(two.query("SELECT * FROM only_here")).rejects.toThrow(/no such table/);
  });
});
