import { Redis } from "ioredis";
import type { Logger } from "./logger.ts";

/** A command connection plus a lazily created subscriber (a subscribed connection can do nothing else). */
export interface RedisConnection {
  client: Redis;
  subscriber(): Redis;
  close(): Promise<void>;
}

export function connectRedis(url: string, log: Logger): RedisConnection {
  const options = {
    // Fail a command quickly while Redis is down instead of queueing it forever: callers fail open.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    lazyConnect: false,
  };
  const client = new Redis(url, options);
  client.on("error", (err) => log.warn("redis error", { err: String(err) }));
  let sub: Redis | undefined;
  return {
    client,
    subscriber() {
      if (!sub) {
        sub = new Redis(url, options);
        sub.on("error", (err) => log.warn("redis subscriber error", { err: String(err) }));
      }
      return sub;
    },
    async close() {
      await Promise.allSettled([client.quit(), sub?.quit()]);
    },
  };
}
