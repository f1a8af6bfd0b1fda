/** LikeEvents over Redis pub/sub: one channel, each message tagged with its replica so it skips its own. */
import { randomUUID } from "node:crypto";
import type { Logger } from "../shared/logger.ts";
import type { RedisConnection } from "../shared/redis.ts";
import { type LikeEvent, type LikeEvents, parseLikeEvent } from "./like-events.ts";

export const LIKES_CHANNEL = "canary:newsfeed:likes";

export function redisLikeEvents(redis: RedisConnection, log: Logger, channel = LIKES_CHANNEL): LikeEvents {
  const origin = randomUUID();
  let listener: ((channel: string, message: string) => void) | undefined;
  return {
    async publish(event) {
      try {
        await redis.client.publish(channel, JSON.stringify({ origin, ...event }));
      } catch (err) {
        log.warn("could not publish a like event", { err: String(err) });
      }
    },
    async subscribe(handler: (event: LikeEvent) => void) {
      const subscriber = redis.subscriber();
      listener = (from, message) => {
        if (from !== channel) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          return;
        }
        if ((parsed as { origin?: unknown }).origin === origin) return;
        const event = parseLikeEvent(parsed);
        if (event) handler(event);
      };
      subscriber.on("message", listener);
      await subscriber.subscribe(channel);
    },
    async close() {
      if (!listener) return;
      const subscriber = redis.subscriber();
      subscriber.off("message", listener);
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
