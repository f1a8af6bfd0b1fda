import { describe, expect, it } from "vitest";
import type { SqlRow } from "./sql.ts";
import {
  type DurableSqlStorage,
  durableSqlExecutor,
  remoteSqlExecutor,
  type SqlDatabaseStub,
} from "./sql-durable.ts";

/**
 * A hand fake of `ctx.storage`: a table of named rows, enough SQL to exercise the adapter (including
 * `SELECT changes()` and transaction rollback), and a log of every exec call.
 */
function fakeStorage() {
  let rows: SqlRow[] = [];
  let changes = 0;
  const calls: { sql: string; bindings: unknown[] }[] = [];
  let inTransaction = false;
  const exec = (sql: string, ...bindings: unknown[]) => {
    calls.push({ sql, bindings });
    let result: SqlRow[] = [];
    if (sql === "SELECT changes() AS changes") result = [{ changes }];
    else if (sql.startsWith("INSERT")) {
      const [name] = bindings as string[];
      if (rows.some((r) => r.name === name)) throw new Error("UNIQUE constraint failed: t.name");
      rows.push({ name: name! });
      changes = 1;
    } else if (sql.startsWith("DELETE")) {
      const before = rows.length;
      rows = rows.filter((r) => r.name !== bindings[0]);
      changes = before - rows.length;
    } else if (sql.startsWith("SELECT")) result = rows.map((r) => ({ ...r }));
    else throw new Error(`fake storage cannot run: ${sql}`);
    return { toArray: () => result };
  };
  const storage: DurableSqlStorage = {
    sql: { exec },
    transactionSync<T>(fn: () => T): T {
      const snapshot = rows.map((r) => ({ ...r }));
      inTransaction = true;
      try {
        return fn();
      } catch (err) {
        rows = snapshot;
        throw err;
      } finally {
        inTransaction = false;
      }
    },
  };
  return { storage, calls, rows: () => rows, inTransaction: () => inTransaction };
}

describe("durableSqlExecutor", () => {
  it("passes bindings through and returns the cursor's rows", async () => {
    const fake = fakeStorage();
    const db = durableSqlExecutor(fake.storage);
    await db.run("INSERT INTO t (name) VALUES (?)", ["a"]);
    expect(await db.query("SELECT name FROM t WHERE ? = ?", [1, 1])).toEqual([{ name: "a" }]);
    expect(fake.calls.find((c) => c.sql.startsWith("SELECT name"))?.bindings).toEqual([1, 1]);
    expect(await db.query("SELECT name FROM t")).toEqual([{ name: "a" }]);
    expect(fake.calls.at(-1)?.bindings).toEqual([]);
  });

  it("reports the statement's own change count from SQLite's changes()", async () => {
    const fake = fakeStorage();
    const db = durableSqlExecutor(fake.storage);
    expect(await db.run("INSERT INTO t (name) VALUES (?)", ["a"])).toEqual({ changes: 1 });
    expect(await db.run("DELETE FROM t WHERE name = ?", ["nobody"])).toEqual({ changes: 0 });
    expect(await db.run("DELETE FROM t WHERE name = ?", ["a"])).toEqual({ changes: 1 });
    expect(fake.calls.filter((c) => c.sql === "SELECT changes() AS changes")).toHaveLength(3);
  });

  it("runs a batch inside one synchronous transaction, rolled back on failure", async () => {
    const fake = fakeStorage();
    const db = durableSqlExecutor(fake.storage);
    await db.batch([
      { sql: "INSERT INTO t (name) VALUES (?)", args: ["one"] },
      { sql: "INSERT INTO t (name) VALUES (?)", args: ["two"] },
    ]);
    expect(fake.rows()).toEqual([{ name: "one" }, { name: "two" }]);
    await expect(
      db.batch([
        { sql: "INSERT INTO t (name) VALUES (?)", args: ["three"] },
        { sql: "INSERT INTO t (name) VALUES (?)", args: ["one"] },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    expect(fake.rows()).toEqual([{ name: "one" }, { name: "two" }]);
    expect(fake.inTransaction()).toBe(false);
  });

  it("surfaces errors of a single statement as a rejected promise", async () => {
    const db = durableSqlExecutor(fakeStorage().storage);
    await expect(db.query("PRAGMA nonsense")).rejects.toThrow(/cannot run/);
    await expect(db.run("PRAGMA nonsense")).rejects.toThrow(/cannot run/);
  });
});

describe("remoteSqlExecutor", () => {
  it("forwards each call to the Durable Object stub, with [] for missing args", async () => {
    const seen: unknown[][] = [];
    const stub: SqlDatabaseStub = {
      query: async (sql, args) => {
        seen.push(["query", sql, args]);
        return [{ ok: 1 }];
      },
      run: async (sql, args) => {
        seen.push(["run", sql, args]);
        return { changes: 2 };
      },
      batch: async (statements) => {
        seen.push(["batch", statements]);
      },
    };
    const db = remoteSqlExecutor(stub);
    expect(await db.query("SELECT 1")).toEqual([{ ok: 1 }]);
    expect(await db.query("SELECT ?", [5])).toEqual([{ ok: 1 }]);
    expect(await db.run("DELETE FROM t")).toEqual({ changes: 2 });
    expect(await db.run("DELETE FROM t WHERE id = ?", [1])).toEqual({ changes: 2 });
    await db.batch([{ sql: "X" }]);
    expect(seen).toEqual([
      ["query", "SELECT 1", []],
      ["query", "SELECT ?", [5]],
      ["run", "DELETE FROM t", []],
      ["run", "DELETE FROM t WHERE id = ?", [1]],
      ["batch", [{ sql: "X" }]],
    ]);
  });

  it("propagates a failing RPC", async () => {
    const stub = {
      query: async () => {
        throw new Error("object reset");
      },
    } as unknown as SqlDatabaseStub;
    await expect(remoteSqlExecutor(stub).query("SELECT 1")).rejects.toThrow("object reset");
  });
});
