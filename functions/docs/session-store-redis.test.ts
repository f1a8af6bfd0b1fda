import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { connectRedis } from "../shared/redis.ts";
import { seededRandom } from "../shared/seeded-random.ts";
import { migrate, type SqlExecutor, type SqlRow, type SqlValue } from "../shared/sql.ts";
import { openDatabase } from "../shared/sql-libsql.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { createGate } from "../shared/testing/gate.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { apply } from "./ot/index.ts";
import { int, randomOp } from "./ot/testing/random.ts";
import { DocumentSession, SessionError } from "./session.ts";
import { StoreConflictError } from "./session-store.ts";
import {
  type RedisDocsOptions,
  RedisReplication,
  RedisSessionStore,
  redisDocs,
} from "./session-store-redis.ts";
import { docKeys } from "./session-store-redis-scripts.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "./session-store-sql.ts";
import { SessionRegistry } from "./sessions.ts";
import { sessionStoreSuite } from "./testing/session-store-suite.ts";

const SEED = Number(process.env.SESSION_SEED ?? 20_241_105);
const keys = docKeys("doc");

/** SQL that a test can hold (at a gate) or fail: every write to the op log, or everything. */
function controlledSql(db: SqlExecutor) {
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
function faultyRedis(url: string) {
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

describe.skipIf(skipWithoutRedis("redis session store"))("RedisSessionStore (redis-server + libSQL)", () => {
  const redis = useRedisServer();
  let raw: Redis;
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
    await raw.flushall();
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
  type Replica = Awaited<ReturnType<typeof replica>>;

  /** Bursts of concurrent submissions, every replica in each burst, ops drawn against each one's text. */
  async function typeConcurrently(replicas: Replica[], random: () => number, bursts: number) {
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
  async function expectConverged(replicas: Replica[], start: string) {
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

  describe("the port suite", () => {
    sessionStoreSuite(async () => {
      await raw.flushall();
      return (await replica(database())).store;
    });
  });

  it("keeps a document's keys under its hash tag, only the recent window, with an expiry", async () => {
    const { store, durable } = await replica(database(), { prefix: "t:", window: 3 });
    await store.create("doc", "");
    for (let v = 0; v < 5; v++) await store.append("doc", v, { op: [v, "x"], src: "a", seq: v });
    expect(store.keys("doc")).toEqual({ state: "t:{doc}:state", log: "t:{doc}:log", channel: "t:{doc}:ops" });
    expect(await raw.hgetall("t:{doc}:state")).toMatchObject({ next: "5", durable: "5" });
    expect(await raw.zcard("t:{doc}:log")).toBe(3);
    expect(await raw.ttl("t:{doc}:log")).toBeGreaterThan(0);
    expect(await store.ops("doc", 0)).toEqual(await durable.ops("doc", 0)); // older than the window: SQL
    expect(await store.ops("doc", 3, 4)).toEqual([{ v: 3, op: [3, "x"], src: "a", seq: 3 }]);
    expect(() => new RedisSessionStore(raw, durable, { window: 0 })).toThrow(RangeError);
  });

  it("two replicas typing concurrently converge on one gap-free log", async () => {
    const url = database();
    const replicas = [await replica(url), await replica(url)];
    const appends = replicas.map((r) => vi.spyOn(r.store, "append"));
    const start = "The quick brown 🦊 jumps";
    await replicas[0]!.registry.create("doc", start);
    await typeConcurrently(replicas, seededRandom(SEED), 40);
    await expectConverged(replicas, start);
    // The replicas did race for versions: some appends lost and were transformed and retried.
    const lost = appends.flatMap((spy) => spy.mock.settledResults).filter((r) => r.type === "rejected");
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((r) => r.value instanceof StoreConflictError)).toBe(true);
  });

  it("the session that loses a version catches up and retries", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "hello");
    const second = await DocumentSession.open("doc", b.store);
    const appends = vi.spyOn(b.store, "append");
    await first.submit({ v: 0, op: [5, " world"], src: "a", seq: 0 });
    expect(await second.submit({ v: 0, op: ["Oh, "], src: "b", seq: 0 })).toEqual({
      version: 2,
      op: ["Oh, "],
    });
    expect(appends.mock.calls.map(([, version]) => version)).toEqual([0, 1]);
    expect(second.text()).toBe("Oh, hello world");
    await first.catchUp();
    expect(first.text()).toBe(second.text());
  });

  it("an op another replica appended reaches this replica's session without it submitting", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const written = await a.registry.create("doc", "");
    const watching = await b.registry.get("doc");
    await written.submit({ v: 0, op: ["hi"], src: "a", seq: 0 });
    await eventually(
      () => watching.text(),
      (text) => text === "hi",
      { what: "replica B to catch up" },
    );
  });

  it("watches a document with one subscription, resubscribing after a reconnect", async () => {
    const { replication, store } = await replica(database());
    const { channel } = store.keys("x");
    const subscribers = async () => ((await raw.pubsub("NUMSUB", channel)) as [string, number])[1];
    const calls = { one: 0, two: 0 };
    const unwatchOne = replication.watch("x", () => calls.one++);
    await eventually(
      () => calls.one,
      (n) => n === 1,
      { what: "the first watcher's start" },
    );
    const unwatchTwo = replication.watch("x", () => calls.two++);
    await eventually(
      () => calls.two,
      (n) => n === 1,
      { what: "the second watcher's start" },
    );
    expect(await subscribers()).toBe(1);
    await raw.publish(channel, "1");
    await eventually(
      () => ({ ...calls }),
      ({ one, two }) => one === 2 && two === 2,
      { what: "the message to reach both" },
    );
    await raw.call("CLIENT", "KILL", "TYPE", "pubsub"); // messages sent while it reconnects are lost: all watchers told
    await eventually(
      () => ({ ...calls }),
      ({ one, two }) => one >= 3 && two >= 3,
      { what: "resubscribe" },
    );
    await eventually(subscribers, (n) => n === 1);
    unwatchOne();
    unwatchOne();
    expect(await subscribers()).toBe(1);
    unwatchTwo();
    await eventually(subscribers, (n) => n === 0, { what: "the last watcher's unsubscribe" });
    replication.watch("y", () => {});
    await eventually(
      () => raw.pubsub("NUMSUB", store.keys("y").channel),
      (r) => r[1] === 1,
    );
    await replication.close();
    await eventually(
      () => raw.pubsub("NUMSUB", store.keys("y").channel),
      (r) => r[1] === 0,
    );
  });

  it("a flushed Redis continues from SQL's version, losing and repeating nothing", async () => {
    const url = database();
    const replicas = [await replica(url), await replica(url)];
    const start = "flush";
    await replicas[0]!.registry.create("doc", start);
    const random = seededRandom(SEED + 1);
    await typeConcurrently(replicas, random, 10);
    await raw.flushall();
    await raw.script("FLUSH"); // the scripts too: EVALSHA answers NOSCRIPT once
    await typeConcurrently(replicas, random, 10);
    const session = await expectConverged(replicas, start);
    expect(await raw.hget(keys.state, "next")).toBe(String(session.version));
  });

  it("an op in flight across a flush loses its version to the op sequenced after, then retries", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "");
    const second = await DocumentSession.open("doc", b.store);
    const open = a.sql.gate.hold();
    const held = first.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await eventually(
      () => raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    await raw.flushall();
    expect(await second.submit({ v: 0, op: ["b"], src: "b", seq: 0 })).toMatchObject({ version: 1 });
    open();
    expect(await held).toMatchObject({ version: 2 });
    expect((await a.durable.ops("doc", 0)).map((op) => op.src)).toEqual(["b", "a"]);
  });

  it("an op stored after a flush does not vouch for the op Redis sequenced in its place", async () => {
    const url = database();
    const [a, b, reader] = [await replica(url), await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "");
    const second = await DocumentSession.open("doc", b.store);
    const openA = a.sql.gate.hold();
    const heldA = first.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await eventually(
      () => raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    await raw.flushall();
    const openB = b.sql.gate.hold();
    const heldB = second.submit({ v: 0, op: ["b"], src: "b", seq: 0 });
    await eventually(
      () => raw.hget(keys.state, "next"),
      (next) => next === "1",
    ); // Redis now has b at 0
    openA();
    expect(await heldA).toMatchObject({ version: 1 }); // SQL took a's op at 0
    expect(await reader.store.ops("doc", 0)).toEqual([{ v: 0, op: ["a"], src: "a", seq: 0 }]);
    openB();
    expect(await heldB).toMatchObject({ version: 2 });
    expect((await reader.durable.ops("doc", 0)).map((op) => op.src)).toEqual(["a", "b"]);
  });

  it("a reader stores an op its appender is still writing before handing it out", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "");
    const open = a.sql.gate.hold();
    const held = first.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await eventually(
      () => raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    const second = await DocumentSession.open("doc", b.store); // load(): SQL's ops plus Redis' newer one
    expect(second.text()).toBe("a");
    expect(await second.submit({ v: 0, op: ["b"], src: "b", seq: 0 })).toMatchObject({ version: 2 });
    a.sql.failInserts = true; // its own write fails, yet the op is in SQL: acknowledged
    open();
    expect(await held).toEqual({ version: 1, op: ["a"] });
    expect(await raw.hget(keys.state, "durable")).toBe("2");
  });

  it("an op SQL refused is taken back from Redis, so the next op gets its version", async () => {
    const { store, sql, durable } = await replica(database());
    const session = await DocumentSession.create("doc", store, "");
    await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    sql.failInserts = true;
    const refused = await session.submit({ v: 1, op: [1, "b"], src: "a", seq: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionError);
    expect((refused as SessionError).code).toBe("storage_failed");
    expect(await raw.hget(keys.state, "next")).toBe("1");
    expect(await raw.zcard(keys.log)).toBe(1);
    sql.failInserts = false;
    expect(await session.submit({ v: 1, op: [1, "c"], src: "a", seq: 2 })).toEqual({
      version: 2,
      op: [1, "c"],
    });
    expect((await durable.ops("doc", 0)).map((op) => op.seq)).toEqual([0, 2]);
  });

  it("with SQL unreachable Redis keeps the op; once back, the resend is a duplicate stored once", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const session = await DocumentSession.create("doc", a.store, "");
    a.sql.failAll = true;
    await expect(session.submit({ v: 0, op: ["a"], src: "a", seq: 0 })).rejects.toThrow(/not stored/);
    expect(await raw.hget(keys.state, "next")).toBe("1");
    // A reader is handed it only once stored: with its own SQL failing too, it gets an error, not the op.
    b.sql.failAll = true;
    await expect(b.store.ops("doc", 0)).rejects.toThrow(/disk I\/O/);
    a.sql.failAll = false;
    b.sql.failAll = false;
    expect(await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 })).toEqual({
      version: 1,
      duplicate: true,
    });
    expect(await b.durable.ops("doc", 0)).toEqual([{ v: 0, op: ["a"], src: "a", seq: 0 }]);
  });

  it("an op a reader was handed is not taken back when its appender's write fails", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const session = await DocumentSession.create("doc", a.store, "");
    const open = a.sql.gate.hold();
    const held = session.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await eventually(
      () => raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    b.sql.failInserts = true;
    await expect(b.store.ops("doc", 0)).rejects.toThrow(/disk I\/O/);
    a.sql.failInserts = true;
    open();
    await expect(held).rejects.toThrow(/not stored/);
    expect(await raw.hget(keys.state, "next")).toBe("1"); // kept: the reader may have applied it
  });

  it("Redis behind SQL is caught: the sequence moves up to SQL's, never reusing a version", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const ahead = await DocumentSession.create("doc", a.store, "");
    await ahead.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    const behind = await DocumentSession.open("doc", b.store);
    for (let seq = 1; seq < 3; seq++) await ahead.submit({ v: seq, op: [seq, "a"], src: "a", seq });
    const rewind = async () => {
      await raw.hset(keys.state, "next", 1, "durable", 1);
      await raw.zremrangebyscore(keys.log, 1, "+inf");
    };
    await rewind(); // as if restored from an old snapshot
    expect(await ahead.submit({ v: 3, op: [3, "a"], src: "a", seq: 3 })).toMatchObject({ version: 4 });
    await rewind();
    // Redis hands out version 1 again; SQL holds another op there, so Redis' view is dropped.
    await expect(b.store.append("doc", 1, { op: ["z"], src: "z", seq: 0 })).rejects.toThrow(
      /is at version 4, not 1/,
    );
    expect(await raw.exists(keys.state, keys.log)).toBe(0);
    await rewind();
    // `behind` is at version 1: the same, through a session, which catches up from SQL and retries.
    expect(await behind.submit({ v: 1, op: ["b"], src: "b", seq: 0 })).toMatchObject({ version: 5 });
    expect(behind.text()).toBe("baaaa");
    expect((await a.durable.ops("doc", 0)).map((op) => op.src)).toEqual(["a", "a", "a", "a", "b"]);
  });

  it("a Redis log that disagrees with SQL is dropped and readers get SQL's ops", async () => {
    const { store, durable } = await replica(database());
    await store.create("doc", "");
    for (let seq = 0; seq < 3; seq++) await store.append("doc", seq, { op: [seq, "a"], src: "a", seq });
    const haunt = async (v: number) => {
      await raw.zremrangebyscore(keys.log, v, v);
      await raw.zadd(keys.log, v, JSON.stringify({ v, op: ["ghost"], src: "ghost", seq: 0 }));
      await raw.hset(keys.state, "durable", v);
    };
    await haunt(2);
    expect(await store.ops("doc", 0)).toEqual(await durable.ops("doc", 0));
    expect(await raw.exists(keys.state, keys.log)).toBe(0);
    await store.append("doc", 3, { op: [3, "a"], src: "a", seq: 3 }); // Redis starts again from SQL
    // A reader from a later version checks the unconfirmed ops before it too, or it would vouch for them.
    await haunt(3);
    await raw.zadd(keys.log, 4, JSON.stringify({ v: 4, op: [4, "a"], src: "a", seq: 4 }));
    await raw.hset(keys.state, "next", 5);
    await durable.append("doc", 4, { op: [4, "a"], src: "a", seq: 4 });
    expect(await store.ops("doc", 4)).toEqual(await durable.ops("doc", 4));
    expect(await store.ops("doc", 3)).toEqual(await durable.ops("doc", 3));
    expect(await raw.exists(keys.state, keys.log)).toBe(0);
  });

  it("create clears a removed document's leftovers; remove drops the keys", async () => {
    const { store } = await replica(database());
    await raw.hset(keys.state, "next", 57, "durable", 57);
    await raw.zadd(keys.log, 3, JSON.stringify({ v: 3, op: ["old"], src: "x", seq: 0 }));
    await store.create("doc", "");
    expect(await raw.hgetall(keys.state)).toEqual({ next: "0" });
    expect(await store.ops("doc", 0)).toEqual([]);
    await store.append("doc", 0, { op: ["a"], src: "a", seq: 0 });
    await store.remove("doc");
    expect(await raw.exists(keys.state, keys.log)).toBe(0);
  });

  it("acknowledges a stored op though publishing it failed, and readers still get it", async () => {
    const faulty = faultyRedis(redis.url);
    cleanups.push(() => faulty.target.quit());
    const { log, lines } = captureLog("warn");
    const { store } = await replica(database(), { client: faulty.client, log });
    const session = await DocumentSession.create("doc", store, "");
    faulty.failing.add("docsCommit");
    expect(await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 })).toMatchObject({ version: 1 });
    expect(lines.map((line) => line.msg)).toContain("docs: publishing a stored op failed");
    faulty.failing.clear();
    await session.submit({ v: 1, op: [1, "b"], src: "a", seq: 1 });
    expect(Number(await raw.hget(keys.state, "durable"))).toBe(0); // the first op was never confirmed to Redis
    expect((await store.ops("doc", 0)).map((op) => op.op)).toEqual([["a"], [1, "b"]]);
    expect(await raw.hget(keys.state, "durable")).toBe("2"); // the reader checked both against SQL
  });
});

describe("RedisReplication over a fake subscriber connection", () => {
  function fakeSubscriber(refuse: boolean) {
    const answer = async () => {
      if (refuse) throw new Error("NOPERM");
      return 1;
    };
    return Object.assign(new EventEmitter(), { subscribe: vi.fn(answer), unsubscribe: vi.fn(answer) });
  }

  it("tells every watcher after a reconnect, not after the first connect", async () => {
    const sub = fakeSubscriber(false);
    const replication = new RedisReplication(sub as unknown as Redis, (id) => `c:${id}`);
    let calls = 0;
    replication.watch("d", () => calls++);
    await eventually(
      () => calls,
      (n) => n === 1,
      { what: "the start" },
    );
    sub.emit("ready");
    sub.emit("close");
    sub.emit("ready");
    await eventually(
      () => calls,
      (n) => n === 2,
      { what: "the call after the reconnect" },
    );
    expect(sub.subscribe).toHaveBeenCalledTimes(2);
    await replication.close();
    expect(sub.unsubscribe).toHaveBeenCalledWith("c:d");
  });

  it("logs a refused subscribe or unsubscribe and still delivers messages", async () => {
    const sub = fakeSubscriber(true);
    const { log, lines } = captureLog("warn");
    const replication = new RedisReplication(sub as unknown as Redis, (id) => `c:${id}`, log);
    let calls = 0;
    const unwatch = replication.watch("d", () => calls++);
    await eventually(
      () => lines.length,
      (n) => n === 1,
      { what: "the subscribe warning" },
    );
    sub.emit("message", "c:d", "1");
    sub.emit("message", "c:other", "1");
    expect(calls).toBe(1);
    unwatch();
    await eventually(
      () => lines.length,
      (n) => n === 2,
      { what: "the unsubscribe warning" },
    );
    replication.watch("e", () => {});
    await replication.close();
    expect(lines.map((line) => line.msg)).toEqual([
      "docs: redis subscribe failed",
      "docs: redis unsubscribe failed",
      "docs: redis subscribe failed",
      "docs: redis unsubscribe failed",
    ]);
  });
});
