/**
 * Live updates between Node replicas: the replica that ingested new articles delivers them to its own
 * clients and publishes the batch once on a Redis channel; every other replica delivers it to its
 * clients. Messages carry the publishing replica's tag, so it skips its own. Delivery is at most once:
 * a batch published while Redis is unreachable reaches only the ingesting replica's clients (they
 * still see the articles in their next feed load). Without Redis, `localLiveFanout` is the whole story.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../shared/logger.ts";
import type { RedisConnection } from "../shared/redis.ts";
import { type LiveArticle, type LiveEvent, type LiveHub, newEventId, parseLiveEvent } from "./live.ts";

export const LIVE_CHANNEL = "canary:newsfeed:articles";

/** Where new articles go to reach every live client of the service. */
export interface LiveFanout {
  publish(articles: LiveArticle[]): Promise<void>;
  close(): Promise<void>;
}

/** One process: the hub is every client there is. */
export function localLiveFanout(hub: LiveHub): LiveFanout {
  return {
    async publish(articles) {
      hub.publish({ id: newEventId(), articles });
    },
    async close() {},
  };
}

/** Parses a batch off the wire; undefined for anything malformed. */
export function parseLiveMessage(message: string): { origin: string; event: LiveEvent } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const event = parseLiveEvent(value);
  const origin = (value as { origin?: unknown } | null)?.origin;
  return event && typeof origin === "string" ? { origin, event } : undefined;
}

/** Subscribes the hub to the channel; resolves once the subscription is in place. */
export async function redisLiveFanout(
  redis: RedisConnection,
  hub: LiveHub,
  log: Logger,
  channel = LIVE_CHANNEL,
): Promise<LiveFanout> {
  const origin = randomUUID();
  const subscriber = redis.subscriber();
  const listener = (from: string, message: string) => {
    if (from !== channel) return;
    const parsed = parseLiveMessage(message);
    if (!parsed) {
      log.warn("malformed live message ignored", { channel });
      return;
    }
    if (parsed.origin !== origin) hub.publish(parsed.event);
  };
  subscriber.on("message", listener);
  await subscriber.subscribe(channel);
  return {
    async publish(articles) {
      const event: LiveEvent = { id: newEventId(), articles };
      hub.publish(event);
      try {
        await redis.client.publish(channel, JSON.stringify({ origin, ...event }));
      } catch (err) {
        log.warn("could not publish new articles to the other replicas", { err: String(err) });
      }
    },
    async close() {
      subscriber.off("message", listener);
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
