import { type Cache, LruCache } from "./cache.ts";
import type { Logger } from "./logger.ts";
import type { RedisConnection } from "./redis.ts";

const CHANNEL = "canary:cache:invalidate";
const PREFIX = "canary:cache:";

/**
 * Two tiers: this replica's LRU in front of Redis. Reads hit the LRU first (no network on the hot path),
 * then Redis. `delete` removes the key from Redis and publishes it, and every replica (this one included)
 * drops it from its LRU on the message. Local entries live at most `localTtlSeconds`, which bounds
 * staleness should anything else go wrong.
 *
 * Two races are closed explicitly:
 * - A Redis read can be answered before a concurrent delete yet reach us after its invalidation message
 *   (commands and messages travel on different connections). Every invalidation bumps `generation`, and a
 *   read only fills the LRU if no invalidation arrived while it was in flight.
 * - Messages published while the subscriber is disconnected are lost. While it is down the LRU is bypassed;
 *   once the subscription is confirmed again the LRU is cleared and used again.
 * A third race is narrowed, not closed: a replica that read the database just before a write may put the
 * old value into Redis just after the writer's delete. `delete` therefore runs twice, the second time
 * `redeleteAfterMs` later ("delayed double delete"), which bounds that staleness to the delay.
 */
export async function redisCache(
  redis: RedisConnection,
  options: { log: Logger; localMaxEntries?: number; localTtlSeconds?: number; redeleteAfterMs?: number },
): Promise<Cache> {
  const redeleteAfterMs = options.redeleteAfterMs ?? 500;
  const pendingRedeletes = new Set<ReturnType<typeof setTimeout>>();
  const local = new LruCache(options.localMaxEntries ?? 10_000);
  const localTtl = options.localTtlSeconds ?? 60;
  let generation = 0;
  let subscribed = false;
  const invalidateLocal = (key?: string) => {
    generation++;
    if (key === undefined) local.clear();
    else local.delete(key);
  };

  const sub = redis.subscriber();
  const onMessage = (channel: string, key: string) => {
    if (channel === CHANNEL) invalidateLocal(key);
  };
  const onClose = () => {
    subscribed = false;
    invalidateLocal();
  };
  // The first connect's "ready" races the initial subscribe below: it must not clear what the cache
  // stores after that subscribe succeeded. Only reconnects resubscribe here.
  let starting = true;
  const onReady = () => {
    if (subscribed || starting) return;
    // ioredis resubscribes by itself; subscribing again is idempotent and tells us when it took effect.
    sub.subscribe(CHANNEL).then(
      () => {
        invalidateLocal();
        subscribed = true;
      },
      (err) => options.log.warn("redis cache resubscribe failed", { err: String(err) }),
    );
  };
  sub.on("message", onMessage);
  sub.on("close", onClose);
  sub.on("ready", onReady);
  await sub.subscribe(CHANNEL);
  starting = false;
  subscribed = true;

  return {
    async get(key) {
      if (subscribed) {
        const hit = local.get(key);
        if (hit !== undefined) return hit;
      }
      const before = generation;
      try {
        const [value, pttl] = await Promise.all([
          redis.client.get(PREFIX + key),
          redis.client.pttl(PREFIX + key),
        ]);
        if (value === null) return undefined;
        if (subscribed && generation === before) {
          local.set(key, value, Math.min(localTtl, Math.max(1, pttl) / 1000));
        }
        return value;
      } catch (err) {
        options.log.warn("redis cache read failed", { err: String(err) });
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      if (subscribed) local.set(key, value, Math.min(localTtl, ttlSeconds));
      try {
        await redis.client.set(PREFIX + key, value, "PX", Math.max(1, Math.round(ttlSeconds * 1000)));
      } catch (err) {
        options.log.warn("redis cache write failed", { err: String(err) });
      }
    },
    async delete(key) {
      const invalidate = async () => {
        invalidateLocal(key);
        await redis.client.del(PREFIX + key);
        await redis.client.publish(CHANNEL, key);
      };
      // The writer's change is already stored, so a Redis outage must not turn it into an error: the failure
      // is logged, the delayed re-delete tries again, and other replicas' LRUs expire within localTtl.
      await invalidate().catch((err) =>
        options.log.error("redis cache invalidation failed; retrying", { key, err: String(err) }),
      );
      if (redeleteAfterMs > 0) {
        const timer = setTimeout(() => {
          pendingRedeletes.delete(timer);
          invalidate().catch((err) =>
            options.log.warn("redis cache re-delete failed", { key, err: String(err) }),
          );
        }, redeleteAfterMs);
        timer.unref?.();
        pendingRedeletes.add(timer);
      }
    },
    async close() {
      for (const timer of pendingRedeletes) clearTimeout(timer);
      pendingRedeletes.clear();
      sub.off("message", onMessage);
      sub.off("close", onClose);
      sub.off("ready", onReady);
      subscribed = false;
      local.clear();
      await sub.unsubscribe(CHANNEL).catch(() => {});
    },
  };
}
