/**
 * Newsfeed on the edge (workerd): the same Hono app as on Node. Its database is the SqlDatabase object
 * named "newsfeed" (SQLite with FTS5, like libSQL on Node), rate limits are RateLimiterObjects, feeds are
 * fetched with the global fetch (feeds/fetch-edge.ts). There is no in-process scheduler on the edge: a
 * Cron Trigger (wrangler.toml `[triggers]`) calls `scheduled`, which checks the due feeds within its time.
 * Live updates (SSE and WebSocket) hang off one FeedHub Durable Object; new articles are published to it.
 */
import { cloudflareClientIp } from "../shared/client-ip.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import { errorBody } from "../shared/errors.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { durableRateLimiter, type RateLimiterNamespace } from "../shared/rate-limit-durable.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate, type SqlExecutor } from "../shared/sql.ts";
import { remoteSqlExecutor } from "../shared/sql-durable.ts";
import { databaseStub, type SqlDatabaseNamespace } from "../tinyurl/worker.ts";
import { createNewsfeedApp, SERVICE } from "./app.ts";
import { FeedPool } from "./feed-pool.ts";
import { fetchFeedEdge } from "./feeds/fetch-edge.ts";
import { HostLimiter } from "./feeds/host-limit.ts";
import { type CheckOutcome, type FeedFetcher, FeedIngest, ingestSettings } from "./ingest.ts";
import { LIVE_SOCKET_PATH, liveArticle } from "./live.ts";
import { type FeedHubNamespace, hubObjectStreams, openLiveSocket, publishToHub } from "./live-edge.ts";
import { Recommender } from "./recommender.ts";
import { NEWSFEED_SCHEMA, NewsfeedStore } from "./store.ts";

/** The bindings and variables Newsfeed reads from the Worker's `env` (see wrangler.toml). */
export interface NewsfeedWorkerEnv {
  /** `SqlDatabase` objects; Newsfeed's data is in the one named "newsfeed". */
  SQL_DATABASE: SqlDatabaseNamespace;
  RATE_LIMITER: RateLimiterNamespace;
  /** The live hub (durable/feed-hub.ts); one object, named "newsfeed". */
  FEED_HUB: FeedHubNamespace;
  [name: string]: unknown;
}

/** Newsfeed's database: the SqlDatabase object named "newsfeed" (also what the workerd tests seed). */
export function newsfeedDatabase(env: Pick<NewsfeedWorkerEnv, "SQL_DATABASE">): SqlExecutor {
  return remoteSqlExecutor(databaseStub(env.SQL_DATABASE, SERVICE));
}

export interface NewsfeedEdge {
  app: ServiceApp;
  store: NewsfeedStore;
  ingest: FeedIngest;
  config: Config;
  log: Logger;
  ready: Promise<void>;
}

/** Builds the app and starts the schema migration; the caller awaits `ready` before serving. */
export function createNewsfeedEdge(env: NewsfeedWorkerEnv): NewsfeedEdge {
  const config = loadConfig(env);
  const log = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const db = newsfeedDatabase(env);
  const store = new NewsfeedStore(db);
  // Kept here rather than left to the app so that the cron's ingest in this isolate updates them; other
  // isolates see new articles when their pool's TTL and the recommender's refresh come round.
  const recommender = new Recommender(store, { log });
  const pool = new FeedPool(store, { log });
  const settings = ingestSettings(config);
  const fetch: FeedFetcher = (url, validators, signal) =>
    fetchFeedEdge(url, validators, { ...settings.limits, signal });
  const ingest = new FeedIngest({
    store,
    fetch,
    log,
    schedule: settings.schedule,
    async onNewArticles(feed, articles) {
      recommender.added(articles);
      pool.invalidate();
      await publishToHub(
        env.FEED_HUB,
        articles.map((article) => liveArticle(feed, article)),
      );
    },
  });
  const app = createNewsfeedApp({
    config,
    store,
    ingest,
    recommender,
    pool,
    log,
    limiter: durableRateLimiter(env.RATE_LIMITER),
    clientIp: cloudflareClientIp,
    live: hubObjectStreams(env.FEED_HUB),
  });
  return { app, store, ingest, config, log, ready: migrate(db, NEWSFEED_SCHEMA) };
}

/** Feeds looked at per cron run, and how long a run may take (cron invocations have minutes of wall time). */
export const CRON_MAX_FEEDS = 50;
export const CRON_BUDGET_MS = 60_000;
/** Subrequests in flight at once (a Worker invocation may have 6 connections open). */
const CRON_CONCURRENCY = 6;

export interface CronSummary {
  due: number;
  checked: number;
  updated: number;
  notModified: number;
  failed: number;
  inserted: number;
}

/**
 * Checks the feeds due now, `CRON_CONCURRENCY` at a time and FEED_HOST_CONCURRENCY per host, each check
 * recorded (FeedIngest.ingest). When `budgetMs` runs out, checks in flight are aborted (recorded as
 * `aborted`, retried with backoff) and the rest wait for the next run: they are still due then.
 */
export async function runDueFeeds(
  edge: Pick<NewsfeedEdge, "store" | "ingest" | "config" | "log">,
  options: { now?: number; budgetMs?: number; maxFeeds?: number } = {},
): Promise<CronSummary> {
  const due = await edge.store.feeds.due(options.now ?? Date.now(), options.maxFeeds ?? CRON_MAX_FEEDS);
  const summary: CronSummary = {
    due: due.length,
    checked: 0,
    updated: 0,
    notModified: 0,
    failed: 0,
    inserted: 0,
  };
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error("cron budget spent")),
    options.budgetMs ?? CRON_BUDGET_MS,
  );
  const hosts = new HostLimiter(edge.config.FEED_HOST_CONCURRENCY);
  const queue = [...due];
  const count = (outcome: CheckOutcome) => {
    summary.checked++;
    summary.inserted += outcome.inserted;
    if (outcome.result === "updated") summary.updated++;
    else if (outcome.result === "not_modified") summary.notModified++;
    else summary.failed++;
  };
  const work = async () => {
    for (let feed = queue.shift(); feed && !deadline.signal.aborted; feed = queue.shift()) {
      const host = new URL(feed.url).host;
      const current = feed;
      try {
        count(await hosts.run(host, () => edge.ingest.ingest(current, deadline.signal)));
      } catch (err) {
        summary.failed++;
        edge.log.warn("feed check failed", { feed: current.id, err: String(err) });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CRON_CONCURRENCY }, work));
  } finally {
    clearTimeout(timer);
  }
  return summary;
}

// One app per isolate, made on the first request (or cron event) because `env` only arrives with one.
let instance: NewsfeedEdge | undefined;

async function edgeOf(env: NewsfeedWorkerEnv): Promise<NewsfeedEdge> {
  instance ??= createNewsfeedEdge(env);
  const current = instance;
  try {
    await current.ready;
  } catch (err) {
    if (instance === current) instance = undefined; // the next request tries again
    throw err;
  }
  return current;
}

export const newsfeedWorker = {
  async fetch(request: Request, env: NewsfeedWorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let edge: NewsfeedEdge;
    try {
      edge = await edgeOf(env);
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "newsfeed start failed", err: String(err) }));
      return Response.json(errorBody("unavailable", "The service is starting; try again"), { status: 503 });
    }
    // Upgrades are answered before the app: a 101 from the hub must reach the client untouched.
    if (
      new URL(request.url).pathname === LIVE_SOCKET_PATH &&
      request.headers.get("upgrade")?.toLowerCase() === "websocket"
    )
      return openLiveSocket(request, {
        store: edge.store,
        authSecret: edge.config.AUTH_SECRET,
        namespace: env.FEED_HUB,
      });
    return edge.app.fetch(request, env, ctx);
  },

  /** The Cron Trigger: the due feeds' checks run inside `waitUntil`, so the event lasts until they end. */
  async scheduled(
    controller: ScheduledController,
    env: NewsfeedWorkerEnv,
    ctx: ExecutionContext,
  ): Promise<void> {
    const run = (async () => {
      const edge = await edgeOf(env);
      const summary = await runDueFeeds(edge, { now: controller.scheduledTime });
      if (summary.due > 0) edge.log.info("cron feed checks", { cron: controller.cron, ...summary });
    })().catch((err) => {
      console.error(JSON.stringify({ level: "error", msg: "newsfeed cron failed", err: String(err) }));
    });
    ctx.waitUntil(run);
    await run;
  },
};
