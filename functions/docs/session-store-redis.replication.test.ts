/**
 * RedisReplication: ops reaching other replicas over pub/sub, one subscription per watched document,
 * resubscribing after a reconnect, and a failed publish; then the same over a fake subscriber connection.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { DocumentSession } from "./session.ts";
import { RedisReplication } from "./session-store-redis.ts";
import { faultyRedis, keys, useRedisDocs } from "./testing/redis-docs.ts";

describe.skipIf(skipWithoutRedis("redis replication"))("RedisReplication (redis-server + libSQL)", () => {
  const redis = useRedisServer();
  const docs = useRedisDocs(redis);
  const { replica, database, onCleanup } = docs;

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
    const subscribers = async () => ((await docs.raw.pubsub("NUMSUB", channel)) as [string, number])[1];
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
    await docs.raw.publish(channel, "1");
    await eventually(
      () => ({ ...calls }),
      ({ one, two }) => one === 2 && two === 2,
      { what: "the message to reach both" },
    );
    await docs.raw.call("CLIENT", "KILL", "TYPE", "pubsub"); // messages sent while it reconnects are lost: all watchers told
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
      () => docs.raw.pubsub("NUMSUB", store.keys("y").channel),
      (r) => r[1] === 1,
    );
    await replication.close();
    await eventually(
      () => docs.raw.pubsub("NUMSUB", store.keys("y").channel),
      (r) => r[1] === 0,
    );
  });

  it("acknowledges a stored op though publishing it failed, and readers still get it", async () => {
    const faulty = faultyRedis(redis.url);
    onCleanup(() => faulty.target.quit());
    const { log, lines } = captureLog("warn");
    const { store } = await replica(database(), { client: faulty.client, log });
    const session = await DocumentSession.create("doc", store, "");
    faulty.failing.add("docsCommit");
    expect(await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 })).toMatchObject({ version: 1 });
    expect(lines.map((line) => line.msg)).toContain("docs: publishing a stored op failed");
    faulty.failing.clear();
    await session.submit({ v: 1, op: [1, "b"], src: "a", seq: 1 });
    expect(Number(await docs.raw.hget(keys.state, "durable"))).toBe(0); // the first op was never confirmed to Redis
    expect((await store.ops("doc", 0)).map((op) => op.op)).toEqual([["a"], [1, "b"]]);
    expect(await docs.raw.hget(keys.state, "durable")).toBe("2"); // the reader checked both against SQL
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
