/**
 * RedisReplication: ops and events (deletions, role changes) reaching other replicas over pub/sub, one
 * subscription per watched document, resubscribing after a reconnect, and a failed publish; then the
 * same over a fake subscriber connection, and the message format.
 */
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import type { Logger } from "../shared/logger.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { CLOSE } from "./protocol.ts";
import { DocumentSession } from "./session.ts";
import { RedisReplication } from "./session-store-redis.ts";
import { decodeEvent } from "./session-store-redis-replication.ts";
import type { ReplicationEvent } from "./sessions.ts";
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

  it("carries events to the other replicas, not back to the one that published them", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    const heard = { a: [] as ReplicationEvent[], b: [] as ReplicationEvent[] };
    const changed = { a: 0, b: 0 };
    for (const [name, r] of [
      ["a", a],
      ["b", b],
    ] as const) {
      r.replication.watch(
        "doc",
        () => changed[name]++,
        (event) => heard[name].push(event),
      );
    }
    await eventually(
      () => ({ ...changed }),
      (c) => c.a === 1 && c.b === 1,
      { what: "both to listen" },
    );
    await a.replication.publish("doc", { kind: "role", user: "bob" });
    await a.replication.publish("doc", { kind: "deleted" });
    await eventually(
      () => heard.b.length,
      (n) => n === 2,
      { what: "B to hear both events" },
    );
    expect(heard.b).toEqual([{ kind: "role", user: "bob" }, { kind: "deleted" }]);
    // A stored op still says "changed" (a version on the same channel), to both.
    await docs.raw.publish(a.store.keys("doc").channel, "7");
    await eventually(
      () => ({ ...changed }),
      (c) => c.a === 2 && c.b === 2,
      { what: "the version message" },
    );
    expect(heard.a).toEqual([]);
    expect(changed).toEqual({ a: 2, b: 2 }); // events are not mistaken for ops
  });

  it("a registry closes its sockets on what another replica published", async () => {
    const url = database();
    const [a, b] = [await replica(url), await replica(url)];
    await a.registry.create("doc", "");
    const room = await b.registry.room("doc");
    const closed: Record<string, number> = {};
    const join = (id: string, user: string) =>
      room.join({ id, user, role: "editor", send: () => {}, close: (code) => (closed[id] = code) });
    join("bob/1", "bob");
    join("carol/1", "carol");
    await eventually(
      () => docs.raw.pubsub("NUMSUB", b.store.keys("doc").channel),
      (r) => r[1] === 2,
      { what: "both replicas to subscribe" },
    );
    await a.registry.publish("doc", { kind: "role", user: "bob" });
    await eventually(
      () => ({ ...closed }),
      (c) => c["bob/1"] === CLOSE.roleChanged,
      { what: "bob's socket on B to close" },
    );
    expect(closed["carol/1"]).toBeUndefined();
    await a.registry.publish("doc", { kind: "deleted" });
    await eventually(
      () => ({ ...closed }),
      (c) => c["carol/1"] === CLOSE.deleted,
      { what: "B to close the deleted document" },
    );
    expect(b.registry.size).toBe(0);
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
  const replicationOver = (sub: ReturnType<typeof fakeSubscriber>, log?: Logger) => {
    const publisher = { publish: vi.fn(async (_channel: string, _message: string) => 1) };
    const replication = new RedisReplication({
      subscriber: sub as unknown as Redis,
      publisher: publisher as unknown as Redis,
      channelOf: (id) => `c:${id}`,
      log,
    });
    return { replication, publisher };
  };

  it("tells every watcher after a reconnect, not after the first connect", async () => {
    const sub = fakeSubscriber(false);
    const { replication } = replicationOver(sub);
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
    const { replication } = replicationOver(sub, log);
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

  it("tells events from versions, ignores its own events and unknown kinds, and names itself in each", async () => {
    const sub = fakeSubscriber(false);
    const { replication, publisher } = replicationOver(sub);
    const heard: ReplicationEvent[] = [];
    let changed = 0;
    replication.watch(
      "d",
      () => changed++,
      (event) => heard.push(event),
    );
    replication.watch("d", () => changed++); // a watcher without an event callback is skipped for events
    await eventually(
      () => changed,
      (n) => n === 2,
      { what: "the start" },
    );
    await replication.publish("d", { kind: "role", user: "bob" });
    const [[channel, mine]] = publisher.publish.mock.calls as [[string, string]];
    expect(channel).toBe("c:d");
    const own = JSON.parse(mine) as { from: string };
    expect(own).toEqual({ kind: "role", user: "bob", from: expect.any(String) });
    sub.emit("message", "c:d", mine); // its own: already acted on
    sub.emit("message", "c:d", JSON.stringify({ kind: "deleted", from: "other" }));
    sub.emit("message", "c:d", JSON.stringify({ kind: "role", user: "carol", from: "other" }));
    sub.emit("message", "c:d", JSON.stringify({ kind: "renamed", from: "newer" }));
    sub.emit("message", "c:d", JSON.stringify({ kind: "role", from: "other" })); // no user
    expect(heard).toEqual([{ kind: "deleted" }, { kind: "role", user: "carol" }]);
    expect(changed).toBe(2);
    sub.emit("message", "c:d", "12");
    expect(changed).toBe(4);
    await replication.close();
  });

  it("decodes a channel message: a version or anything unparsable is not an event", () => {
    expect(decodeEvent("42")).toBeNull();
    expect(decodeEvent("{not json")).toBeNull();
    expect(decodeEvent('{"kind":"deleted","from":"x"}')).toEqual({ from: "x", event: { kind: "deleted" } });
    expect(decodeEvent('{"kind":"role","user":"u","from":"x"}')).toEqual({
      from: "x",
      event: { kind: "role", user: "u" },
    });
    expect(decodeEvent('{"kind":"other"}')).toEqual({ from: undefined, event: undefined });
  });
});
