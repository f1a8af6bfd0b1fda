/**
 * Node replicas of the Docs service over one redis-server and one libSQL database, for the
 * session-store-redis tests. Call `useRedisDocs(redis)` inside a suite, after `useRedisServer()`: it
 * connects a raw client for assertions, cleans up every replica after each test and flushes Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { connectRedis } from "../../shared/redis.ts";
import { migrate, type SqlExecutor, type SqlRow, type SqlValue } from "../../shared/sql.ts";
import { openDatabase } from "../../shared/sql-libsql.ts";
import { eventually } from "../../shared/testing/eventually.ts";
import { createGate } from "../../shared/testing/gate.ts";
import { silentLog } from "../../shared/testing/log.ts";
import { apply } from "../ot/index.ts";
import { int, randomOp } from "../ot/testing/random.ts";
import { type RedisDocsOptions, redisDocs } from "../session-store-redis.ts";
import { docKeys } from "../session-store-redis-scripts.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "../session-store-sql.ts";
import { SessionRegistry } from "../sessions.ts";

export const SEED = Number(process.env.SESSION_SEED ?? 20_241_105);
/** The keys of document "doc", the one most tests use, under the default prefix. */
export const keys = docKeys("doc");

/** SQL that a test can hold (at a gate) or fail: every write to the op log, or everything. */
export function controlledSql(db: SqlExecutor) {
  const control = { failInserts: false, failAll: false, gate: createGate() };
  const check = async (sql: string) => {
    const writesOps = sql.includes("INSERT INTO doc_ops");
    if (writesOps) await control.gate.passed();
    if (control.failAll || (control.failInserts && writesOps))
      throw new Error("SQLITE_IOERR: disk I/O error");
  };
  const executor: SqlExecutor = {
    async query<T extends SqlRow = SqlRow>(sql: string, args?: SqlValue[]) {
      await check(sql);
      return db.query<T>(sql, args);
    },
    async run(sql, args) {
      await check(sql);
      return db.run(sql, args);
    },
    async batch(statements) {
      for (const statement of statements) await check(statement.sql);
      return db.batch(statements);
    },
  };
  return { control, executor };
}

/** A Redis client whose named commands fail while `failing` holds them. */
export function faultyRedis(url: string) {
  const failing = new Set<string>();
  const target = new Redis(url);
  const client = new Proxy(target, {
    get(object, name, receiver) {
      if (typeof name === "string" && failing.has(name))
        return () => Promise.reject(new Error("redis: down"));
      const value = Reflect.get(object, name, receiver);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
  return { client, failing, target };
}

/** Registers the hooks in the current suite; `redis` is that suite's `useRedisServer()`. */
export function useRedisDocs(redis: { readonly url: string }) {
  let raw: Redis | undefined;
  let dir: string;
  let databases = 0;
  let cleanups: (() => unknown)[] = [];

  beforeAll(() => {
    raw = new Redis(redis.url);
    dir = mkdtempSync(join(tmpdir(), "canary-docs-redis-"));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
    await raw?.flushall();
  });
  afterAll(async () => {
    await raw?.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new SQL database (a file, so each replica opens its own connection to it, as on a libSQL server). */
  const database = () => `file:${join(dir, `docs-${++databases}.db`)}`;

  /** One Node replica: its own Redis connections and SQL connection, over the shared Redis and database. */
  async function replica(url: string, options: RedisDocsOptions & { client?: Redis } = {}) {
    const opened = await openDatabase(url);
    await migrate(opened.db, SESSION_SCHEMA);
    const { control, executor } = controlledSql(opened.db);
    const connection = connectRedis(redis.url, silentLog);
    const { client = connection.client, ...rest } = options;
    const { store, replication } = redisDocs({ ...connection, client }, new SqlSessionStore(executor), {
      log: silentLog,
      ...rest,
    });
    const registry = new SessionRegistry(store, { replication, session: { snapshotEvery: 10 } });
    cleanups.push(
      () => opened.client.close(),
      () => connection.close(),
      () => replication.close(),
      () => registry.closeAll(),
    );
    return { store, replication, registry, sql: control, durable: new SqlSessionStore(opened.db), seq: 0 };
  }

  return {
    /** A plain client on the suite's server, for looking at and tampering with the keys directly. */
    get raw(): Redis {
      if (!raw) throw new Error("useRedisDocs: read `raw` inside tests or later hooks");
      return raw;
    },
    database,
    replica,
    /** Runs `cleanup` after the current test; cleanups run in the reverse order they were added. */
    onCleanup(cleanup: () => unknown) {
      cleanups.push(cleanup);
    },
  };
}

export type Replica = Awaited<ReturnType<ReturnType<typeof useRedisDocs>["replica"]>>;

/** Bursts of concurrent submissions, every replica in each burst, ops drawn against each one's text. */
export async function typeConcurrently(replicas: Replica[], random: () => number, bursts: number) {
  for (let burst = 0; burst < bursts; burst++) {
    const acks: Promise<unknown>[] = [];
    const size = 2 + int(random, 4);
    for (let i = 0; i < size; i++) {
      const r = i < replicas.length ? i : int(random, replicas.length - 1);
      const session = await replicas[r]!.registry.get("doc");
      const op = randomOp(random, session.text());
      acks.push(session.submit({ v: session.version, op, src: `r${r}`, seq: replicas[r]!.seq++ }));
    }
    await Promise.all(acks);
  }
}

/** Both replicas' sessions agree, and SQL holds a gap-free log without duplicates that replays to the text. */
export async function expectConverged(replicas: Replica[], start: string) {
  const sessions = await Promise.all(replicas.map((r) => r.registry.get("doc")));
  const [first] = sessions;
  await eventually(
    () => sessions.map((s) => `${s.version}:${s.text()}`),
    (states) => states.every((state) => state === states[0]),
    { what: "the replicas to converge" },
  );
  const log = await replicas[0]!.durable.ops("doc", 0);
  expect(log.map((op) => op.v)).toEqual(Array.from({ length: first!.version }, (_, v) => v));
  expect(log.reduce((text, op) => apply(text, op.op), start)).toBe(first!.text());
  expect(new Set(log.map((op) => `${op.src}/${op.seq}`)).size).toBe(log.length);
  // Every submission applied once: none lost, none twice.
  expect(first!.version).toBe(replicas.reduce((sum, r) => sum + r.seq, 0));
  return first!;
}
