/**
 * RedisSessionStore when Redis and SQL disagree or fail: a flushed or rewound Redis, SQL refusing or
 * unreachable, ops in flight meanwhile. Every case ends with SQL's log gap-free and each op stored once.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../shared/seeded-random.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { DocumentSession, SessionError } from "./session.ts";
import { expectConverged, keys, SEED, typeConcurrently, useRedisDocs } from "./testing/redis-docs.ts";

describe.skipIf(skipWithoutRedis("redis store faults"))("RedisSessionStore faults (redis + libSQL)", () => {
  const redis = useRedisServer();
  const docs = useRedisDocs(redis);
  const { replica, database } = docs;

  it("a flushed Redis continues from SQL's version, losing and repeating nothing", async () => {
    const url = database();
    const replicas = [await replica(url), await replica(url)];
    const start = "flush";
    await replicas[0]!.registry.create("doc", start);
    const random = seededRandom(SEED + 1);
    await typeConcurrently(replicas, random, 10);
    await docs.raw.flushall();
    await docs.raw.script("FLUSH"); // the scripts too: EVALSHA answers NOSCRIPT once
    await typeConcurrently(replicas, random, 10);
    const session = await expectConverged(replicas, start);
    expect(await docs.raw.hget(keys.state, "next")).toBe(String(session.version));
  });

  it("an op in flight across a flush loses its version to the op sequenced after, then retries", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const first = await DocumentSession.create("doc", a.store, "");
    const second = await DocumentSession.open("doc", b.store);
    const open = a.sql.gate.hold();
    const held = first.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await eventually(
      () => docs.raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    await docs.raw.flushall();
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
      () => docs.raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    await docs.raw.flushall();
    const openB = b.sql.gate.hold();
    const heldB = second.submit({ v: 0, op: ["b"], src: "b", seq: 0 });
    await eventually(
      () => docs.raw.hget(keys.state, "next"),
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
      () => docs.raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    const second = await DocumentSession.open("doc", b.store); // load(): SQL's ops plus Redis' newer one
    expect(second.text()).toBe("a");
    expect(await second.submit({ v: 0, op: ["b"], src: "b", seq: 0 })).toMatchObject({ version: 2 });
    a.sql.failInserts = true; // its own write fails, yet the op is in SQL: acknowledged
    open();
    expect(await held).toEqual({ version: 1, op: ["a"] });
    expect(await docs.raw.hget(keys.state, "durable")).toBe("2");
  });

  it("an op SQL refused is taken back from Redis, so the next op gets its version", async () => {
    const { store, sql, durable } = await replica(database());
    const session = await DocumentSession.create("doc", store, "");
    await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    sql.failInserts = true;
    const refused = await session.submit({ v: 1, op: [1, "b"], src: "a", seq: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionError);
    expect((refused as SessionError).code).toBe("storage_failed");
    expect(await docs.raw.hget(keys.state, "next")).toBe("1");
    expect(await docs.raw.zcard(keys.log)).toBe(1);
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
    expect(await docs.raw.hget(keys.state, "next")).toBe("1");
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
      () => docs.raw.hget(keys.state, "next"),
      (next) => next === "1",
    );
    b.sql.failInserts = true;
    await expect(b.store.ops("doc", 0)).rejects.toThrow(/disk I\/O/);
    a.sql.failInserts = true;
    open();
    await expect(held).rejects.toThrow(/not stored/);
    expect(await docs.raw.hget(keys.state, "next")).toBe("1"); // kept: the reader may have applied it
  });

  it("Redis behind SQL is caught: the sequence moves up to SQL's, never reusing a version", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const ahead = await DocumentSession.create("doc", a.store, "");
    await ahead.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    const behind = await DocumentSession.open("doc", b.store);
    for (let seq = 1; seq < 3; seq++) await ahead.submit({ v: seq, op: [seq, "a"], src: "a", seq });
    const rewind = async () => {
      await docs.raw.hset(keys.state, "next", 1, "durable", 1);
      await docs.raw.zremrangebyscore(keys.log, 1, "+inf");
    };
    await rewind(); // as if restored from an old snapshot
    expect(await ahead.submit({ v: 3, op: [3, "a"], src: "a", seq: 3 })).toMatchObject({ version: 4 });
    await rewind();
    // Redis hands out version 1 again; SQL holds another op there, so Redis' view is dropped.
    await expect(b.store.append("doc", 1, { op: ["z"], src: "z", seq: 0 })).rejects.toThrow(
      /is at version 4, not 1/,
    );
    expect(await docs.raw.exists(keys.state, keys.log)).toBe(0);
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
      await docs.raw.zremrangebyscore(keys.log, v, v);
      await docs.raw.zadd(keys.log, v, JSON.stringify({ v, op: ["ghost"], src: "ghost", seq: 0 }));
      await docs.raw.hset(keys.state, "durable", v);
    };
    await haunt(2);
    expect(await store.ops("doc", 0)).toEqual(await durable.ops("doc", 0));
    expect(await docs.raw.exists(keys.state, keys.log)).toBe(0);
    await store.append("doc", 3, { op: [3, "a"], src: "a", seq: 3 }); // Redis starts again from SQL
    // A reader from a later version checks the unconfirmed ops before it too, or it would vouch for them.
    await haunt(3);
    await docs.raw.zadd(keys.log, 4, JSON.stringify({ v: 4, op: [4, "a"], src: "a", seq: 4 }));
    await docs.raw.hset(keys.state, "next", 5);
    await durable.append("doc", 4, { op: [4, "a"], src: "a", seq: 4 });
    expect(await store.ops("doc", 4)).toEqual(await durable.ops("doc", 4));
    expect(await store.ops("doc", 3)).toEqual(await durable.ops("doc", 3));
    expect(await docs.raw.exists(keys.state, keys.log)).toBe(0);
  });
});
