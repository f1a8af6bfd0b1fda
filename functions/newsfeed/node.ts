/**
 * Newsfeed on Node: libSQL (embedded `newsfeed.db` under DATA_DIR by default), the in-process feed
 * scheduler running ingestion, prom-client metrics. With REDIS_URL, replicas share rate limits, the
 * scheduler's claims (each due feed checked by one replica) and likes (pub/sub, for recommendations).
 */
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
import { createNewsfeedApp, SERVICE } from "./app.ts";
import { FeedPool } from "./feed-pool.ts";
import { fetchFeed } from "./feeds/fetch.ts";
import { HostLimiter } from "./feeds/host-limit.ts";
import { type FeedFetcher, FeedIngest, ingestSettings, type PublishArticles } from "./ingest.ts";
import { redisLikeEvents } from "./like-events-redis.ts";
import { LiveHub, liveArticle } from "./live.ts";
import { type LiveFanout, localLiveFanout, redisLiveFanout } from "./live-redis.ts";
import { attachLiveSockets } from "./live-socket-node.ts";
import { prometheusIngestMetrics } from "./metrics.ts";
import { Recommender } from "./recommender.ts";
import { hubStreams } from "./routes-live.ts";
import { FeedScheduler, MemoryFeedLock, RedisFeedLock } from "./scheduler.ts";
import { NEWSFEED_SCHEMA, NewsfeedStore } from "./store.ts";

export interface NewsfeedNodeOptions {
  /** Live updates: called with each check's new articles (after the recommender has them). */
  onNewArticles?: PublishArticles;
  /** Run the feed scheduler (default true). */
  scheduler?: boolean;
  /** How often the scheduler looks for due feeds (default: the scheduler's 15 s). */
  schedulerIntervalMs?: number;
  /** Heartbeat interval of the live SSE streams and WebSockets (default 25 s / 30 s). */
  liveHeartbeatMs?: number;
}

export async function startNewsfeed(
  config: Config,
  log: Logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL }),
  options: NewsfeedNodeOptions = {},
): Promise<RunningService> {
  const { db, client } = await openDatabase(databaseUrl(config, SERVICE), config.DATABASE_AUTH_TOKEN);
  await migrate(db, NEWSFEED_SCHEMA);
  const store = new NewsfeedStore(db);
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log) : undefined;
  const metrics = prometheusMetrics(SERVICE, config.APP_VERSION);
  const ingestMetrics = prometheusIngestMetrics(metrics.registry);

  const recommender = new Recommender(store, {
    log,
    events: redis ? redisLikeEvents(redis, log) : undefined,
  });
  await recommender.start();
  const pool = new FeedPool(store, { log });
  // Live updates: this replica's clients hang off the hub; with Redis, batches reach every replica's hub.
  const hub = new LiveHub();
  const fanout: LiveFanout = redis ? await redisLiveFanout(redis, hub, log) : localLiveFanout(hub);
  const settings = ingestSettings(config);
  const fetcher: FeedFetcher = (url, validators, signal) =>
    fetchFeed(url, validators, { ...settings.limits, signal });
  const ingest = new FeedIngest({
    store,
    fetch: fetcher,
    log,
    schedule: settings.schedule,
    async onNewArticles(feed, articles) {
      recommender.added(articles);
      pool.invalidate();
      await fanout.publish(articles.map((article) => liveArticle(feed, article)));
      await options.onNewArticles?.(feed, articles);
    },
  });
  const scheduler = new FeedScheduler({
    source: store.feedSource(),
    async check(due, signal) {
      const outcome = await ingest.checkDue(due, signal);
      ingestMetrics.checked(outcome);
      if (outcome.fetch.error)
        log.info("feed check failed", { feed: due.id, url: due.url, err: outcome.fetch.error });
      return outcome;
    },
    lock: redis ? new RedisFeedLock(redis.client) : new MemoryFeedLock(),
    hosts: new HostLimiter(config.FEED_HOST_CONCURRENCY),
    log,
    concurrency: config.FEED_CONCURRENCY,
    intervalMs: options.schedulerIntervalMs,
  });

  const app = createNewsfeedApp({
    config,
    store,
    ingest,
    recommender,
    pool,
    log,
    metrics,
    limiter: redis ? new RedisRateLimiter(redis.client) : new MemoryRateLimiter(),
    clientIp: nodeIp(config),
    readiness: redis ? { redis: () => redis.client.ping() } : {},
    live: hubStreams(hub, options.liveHeartbeatMs),
  });
  const { server, url } = await listenService(app, config, config.NEWSFEED_PORT, log);
  const sockets = attachLiveSockets(server, {
    hub,
    store,
    authSecret: config.AUTH_SECRET,
    log,
    heartbeatMs: options.liveHeartbeatMs,
  });
  if (options.scheduler !== false) scheduler.start();
  return {
    name: SERVICE,
    url,
    server,
    async close() {
      // Checks in flight finish (or are aborted) before the database they write to closes.
      const { abandoned } = await scheduler.stop();
      if (abandoned > 0) log.warn("feed checks abandoned at shutdown", { abandoned });
      // Live streams never end by themselves: end them, or closing the server would wait for them.
      hub.close();
      await sockets.close();
      await closeServer(server);
      await fanout.close();
      await recommender.close();
      await redis?.close();
      client.close();
    },
  };
}
