import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { MemorySessionStore, type SessionStore } from "./session-store.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "./session-store-sql.ts";
import { sessionStoreSuite } from "./testing/session-store-suite.ts";

const sql = openLibsql("file::memory:");
afterAll(() => sql.client.close());

async function freshSql(): Promise<SqlSessionStore> {
  await sql.db.batch([{ sql: "DROP TABLE IF EXISTS doc_ops" }, { sql: "DROP TABLE IF EXISTS doc_heads" }]);
  await migrate(sql.db, SESSION_SCHEMA);
  return new SqlSessionStore(sql.db);
}

/** Every adapter of the port must behave the same; the SQL one runs on libSQL here and on DO SQLite at the edge. */
const adapters: [string, () => Promise<SessionStore>][] = [
  ["MemorySessionStore", async () => new MemorySessionStore()],
  ["SqlSessionStore (libSQL)", freshSql],
];

describe.each(adapters)("%s", (_name, make) => {
  sessionStoreSuite(make);
});

describe("SqlSessionStore for a sequencer in front of it (persist, nextVersion)", () => {
  let store: SqlSessionStore;
  beforeEach(async () => {
    store = await freshSql();
  });
  const op = (v: number, src = "r") => ({ v, op: [v, "x"], src, seq: v });

  it("tells the next version, or null for an unknown document", async () => {
    expect(await store.nextVersion("d")).toBeNull();
    await store.create("d", "");
    expect(await store.nextVersion("d")).toBe(0);
    await store.append("d", 0, op(0));
    expect(await store.nextVersion("d")).toBe(1);
  });

  it("stores ops in order, keeps ones already stored, and never leaves a gap", async () => {
    await store.create("d", "");
    await store.append("d", 0, op(0, "first"));
    await store.persist("d", [op(0, "late"), op(1), op(2)]);
    expect(await store.ops("d", 0)).toEqual([op(0, "first"), op(1), op(2)]);
    await store.persist("d", [op(5), op(6)]);
    await store.persist("missing", [op(0)]);
    await store.persist("d", []);
    expect(await store.nextVersion("d")).toBe(3);
    expect(await store.nextVersion("missing")).toBeNull();
  });
});
