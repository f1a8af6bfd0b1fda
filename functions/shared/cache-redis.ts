import { type Cache, LruCache } from "./cache.ts";
import type { Logger } from "./logger.ts";
import type { RedisConnection } from "./redis.ts";

const CHANNEL = "canary:cache:invalidate";
const PREFIX = "canary:cache:";

/**
 * Two tiers: this replica's LRU in front of Redis. Reads hit the LRU first (no network on the hot path),
 * then Redis. `delete` removes the key from Redis and publishes it, and every replica (this one included)
 * drops it from its LRU on the message. Local entries live at most `localTtlSeconds`, which bounds
 * staleness if a message is ever missed (e.g. during a reconnect).
 */
export async function redisCache(
  redis: RedisConnection,
  options: { log: Logger; localMaxEntries?: number; localTtlSeconds?: number },
): Promise<Cache> {
  const local = new LruCache(options.localMaxEntries ?? 10_000);
  const localTtl = options.localTtlSeconds ?? 60;
  const sub = redis.subscriber();
  sub.on("message", (channel: string, key: string) => {
    if (channel === CHANNEL) local.delete(key);
  });
  await sub.subscribe(CHANNEL);
  return {
    async get(key) {
      const hit = local.get(key);
      if (hit !== undefined) return hit;
      try {
        const [value, pttl] = await Promise.all([redis.client.get(PREFIX + key), redis.client.pttl(PREFIX + key)]);
        if (value === null) return undefined;
        local.set(key, value, Math.min(localTtl, Math.max(1, pttl) / 1000));
        return value;
      } catch (err) {
        options.log.warn("redis cache read failed", { err: String(err) });
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      local.set(key, value, Math.min(localTtl, ttlSeconds));
      try {
        await redis.client.set(PREFIX + key, value, "PX", Math.max(1, Math.round(ttlSeconds * 1000)));
      } catch (err) {
        options.log.warn("redis cache write failed", { err: String(err) });
      }
    },
    async delete(key) {
      local.delete(key);
      // Invalidation must not be lost silently: a failure here surfaces to the writer.
      await redis.client.del(PREFIX + key);
      await redis.client.publish(CHANNEL, key);
    },
    async close() {
      await sub.unsubscribe(CHANNEL).catch(() => {});
    },
  };
}
