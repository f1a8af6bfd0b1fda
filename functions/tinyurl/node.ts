/** TinyURL on Node: libSQL (embedded file by default), Redis when REDIS_URL is set, prom-client metrics. */
import { memoryCache } from "../shared/cache.ts";
import { redisCache } from "../shared/cache-redis.ts";
import type { Config } from "../shared/config.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { prometheusMetrics } from "../shared/metrics-prometheus.ts";
import {
  closeServer,
  databaseUrl,
  listenService,
  nodeIp,
  type RunningService,
} from "../shared/node-runtime.ts";
import { MemoryRateLimiter } from "../shared/rate-limit.ts";
import { RedisRateLimiter } from "../shared/rate-limit-redis.ts";
import { connectRedis } from "../shared/redis.ts";
import { migrate } from "../shared/sql.ts";
import { openDatabase } from "../shared/sql-libsql.ts";
import { createTinyUrlApp, SERVICE } from "./app.ts";
import { LinkStore, SCHEMA } from "./store.ts";
import { BufferedVisitRecorder } from "./visits.ts";

export async function startTinyUrl(
  config: Config,
  log: Logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL }),
): Promise<RunningService> {
  const { db, client } = await openDatabase(databaseUrl(config, SERVICE), config.DATABASE_AUTH_TOKEN);
  await migrate(db, SCHEMA);
  const store = new LinkStore(db);
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log) : undefined;
  const cache = redis ? await redisCache(redis, { log }) : memoryCache();
  const limiter = redis ? new RedisRateLimiter(redis.client) : new MemoryRateLimiter();
  const visits = new BufferedVisitRecorder(
    store,
    config.VISITOR_SALT ?? `visitor:${config.AUTH_SECRET}`,
    log,
    {
      flushMs: config.VISIT_FLUSH_MS,
      batchSize: config.VISIT_BATCH_SIZE,
    },
  );
  const app = createTinyUrlApp({
    config,
    store,
    cache,
    limiter,
    visits,
    log,
    clientIp: nodeIp(config),
    metrics: prometheusMetrics(SERVICE, config.APP_VERSION),
    readiness: redis ? { redis: () => redis.client.ping() } : {},
  });
  const { server, url } = await listenService(app, config, config.TINYURL_PORT, log);
  return {
    name: SERVICE,
    url,
    server,
    async close() {
      await closeServer(server);
      try {
        await visits.close();
      } finally {
        await cache.close?.();
        await redis?.close();
        client.close();
      }
    },
  };
}
