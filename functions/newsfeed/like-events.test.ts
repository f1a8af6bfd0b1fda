import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { connectRedis } from "../shared/redis.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { type LikeEvent, parseLikeEvent } from "./like-events.ts";
import { LIKES_CHANNEL, redisLikeEvents } from "./like-events-redis.ts";

describe("parseLikeEvent", () => {
  it("accepts likes and unlikes and nothing else", () => {
    expect(parseLikeEvent({ op: "like", userId: "u", articleId: 3, extra: 1 })).toEqual({
      op: "like",
      userId: "u",
      articleId: 3,
    });
    expect(parseLikeEvent({ op: "unlike", userId: "u", articleId: 3 })).toMatchObject({ op: "unlike" });
    for (const bad of [
      null,
      "like",
      { op: "love", userId: "u", articleId: 3 },
      { op: "like", userId: "", articleId: 3 },
      { op: "like", userId: 7, articleId: 3 },
      { op: "like", userId: "u", articleId: "3" },
      { op: "like", userId: "u", articleId: 1.5 },
    ]) {
      expect(parseLikeEvent(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe.skipIf(skipWithoutRedis("like events over Redis"))("redisLikeEvents", () => {
  const redis = useRedisServer();

  it("delivers other replicas' events, not its own, and skips malformed messages", async () => {
    const [one, two] = [connectRedis(redis.url, silentLog), connectRedis(redis.url, silentLog)];
    const a = redisLikeEvents(one, silentLog);
    const b = redisLikeEvents(two, silentLog);
    const seenByA: LikeEvent[] = [];
    const seenByB: LikeEvent[] = [];
    await a.subscribe((e) => seenByA.push(e));
    await b.subscribe((e) => seenByB.push(e));
    const raw = new Redis(redis.url);
    try {
      await raw.publish(LIKES_CHANNEL, "not json");
      await raw.publish(LIKES_CHANNEL, JSON.stringify({ op: "like" }));
      await raw.publish("another-channel", JSON.stringify({ op: "like", userId: "x", articleId: 9 }));
      await a.publish({ op: "like", userId: "u1", articleId: 1 });
      await eventually(
        () => seenByB.length,
        (n) => n === 1,
      );
      expect(seenByB).toEqual([{ op: "like", userId: "u1", articleId: 1 }]);
      // a's own message went through the same channel first; a skipped it.
      await b.publish({ op: "unlike", userId: "u1", articleId: 1 });
      await eventually(
        () => seenByA.length,
        (n) => n === 1,
      );
      expect(seenByA).toEqual([{ op: "unlike", userId: "u1", articleId: 1 }]);
    } finally {
      raw.disconnect();
      await Promise.all([a.close(), b.close()]);
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("logs a publish that cannot reach Redis instead of failing the like", async () => {
    const connection = connectRedis(redis.url, silentLog);
    const { log, lines } = captureLog();
    const events = redisLikeEvents(connection, log);
    await events.close();
    await connection.close();
    await events.publish({ op: "like", userId: "u", articleId: 1 });
    expect(lines.map((l) => l.msg)).toContain("could not publish a like event");
  });
});
