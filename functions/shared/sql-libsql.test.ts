import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "./sql.ts";
import { openLibsql } from "./sql-libsql.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function memory() {
  const { db, client } = openLibsql("file::memory:");
  return { db, client };
}

const DDL = ["CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL)"];

describe("libsqlExecutor", () => {
  it("returns plain row objects keyed by column, with integers as numbers", async () => {
    const { db, client } = memory();
    await migrate(db, DDL);
    await db.run("INSERT INTO t (id, name, score) VALUES (?, ?, ?)", [1, "a", 1.5]);
    await db.run("INSERT INTO t (id, name, score) VALUES (?, ?, ?)", [2, "b", null]);
    const rows = await db.query<{ id: number; name: string; score: number | null }>(
      "SELECT id, name, score FROM t ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 1, name: "a", score: 1.5 },
      { id: 2, name: "b", score: null },
    ]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(typeof rows[0]!.id).toBe("number");
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
    client.close();
  });

  it("binds parameters instead of splicing them into SQL", async () => {
    const { db, client } = memory();
    await migrate(db, DDL);
    const hostile = "x'); DROP TABLE t; --";
    await db.run("INSERT INTO t (name) VALUES (?)", [hostile]);
    expect(await db.query("SELECT name FROM t WHERE name = ?", [hostile])).toEqual([{ name: hostile }]);
    client.close();
  });

  it("reports how many rows a write changed", async () => {
    const { db, client } = memory();
    await migrate(db, DDL);
    expect(await db.run("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')")).toEqual({ changes: 3 });
    expect(await db.run("UPDATE t SET score = 1 WHERE name <> ?", ["a"])).toEqual({ changes: 2 });
    expect(await db.run("DELETE FROM t WHERE name = ?", ["nobody"])).toEqual({ changes: 0 });
    expect(await db.run("INSERT INTO t (name) VALUES ('a') ON CONFLICT (name) DO NOTHING")).toEqual({
      changes: 0,
    });
    client.close();
  });

  it("runs a batch atomically: a failing statement undoes the earlier ones", async () => {
    const { db, client } = memory();
    await migrate(db, DDL);
    await db.batch([
      { sql: "INSERT INTO t (name) VALUES (?)", args: ["one"] },
      { sql: "INSERT INTO t (name) VALUES ('two')" },
    ]);
    await expect(
      db.batch([
        { sql: "INSERT INTO t (name) VALUES (?)", args: ["three"] },
        { sql: "INSERT INTO t (name) VALUES (?)", args: ["one"] }, // UNIQUE violation
      ]),
    ).rejects.toThrow(/UNIQUE/);
    expect(await db.query("SELECT name FROM t ORDER BY name")).toEqual([{ name: "one" }, { name: "two" }]);
    await db.batch([]);
    client.close();
  });

  it("surfaces SQL errors", async () => {
    const { db, client } = memory();
    await expect(db.query("SELECT * FROM missing")).rejects.toThrow(/no such table/);
    await expect(db.run("NOT SQL")).rejects.toThrow();
    client.close();
  });

  it("creates the folder of an embedded file and keeps data across connections", async () => {
    const dir = mkdtempSync(join(tmpdir(), "canary-libsql-"));
    dirs.push(dir);
    const url = `file:${join(dir, "nested", "deeper", "db.sqlite")}`;
    const first = openLibsql(url);
    await migrate(first.db, DDL);
    await migrate(first.db, DDL); // idempotent
    await first.db.run("INSERT INTO t (name) VALUES (?)", ["kept"]);
    first.client.close();
    expect(existsSync(join(dir, "nested", "deeper", "db.sqlite"))).toBe(true);
    const second = openLibsql(url);
    expect(await second.db.query("SELECT name FROM t")).toEqual([{ name: "kept" }]);
    second.client.close();
  });
});
