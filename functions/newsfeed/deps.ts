import type { Context } from "hono";
import type { Config } from "../shared/config.ts";
import type { AppEnv } from "../shared/context.ts";
import type { ReadinessCheck } from "../shared/health.ts";
import type { Logger } from "../shared/logger.ts";
import type { HttpMetrics } from "../shared/metrics.ts";
import type { RateLimiter } from "../shared/rate-limit.ts";
import type { FeedPool } from "./feed-pool.ts";
import type { FeedIngest } from "./ingest.ts";
import type { Recommender } from "./recommender.ts";
import type { LiveStreams } from "./routes-live.ts";
import type { NewsfeedStore } from "./store.ts";

/** Everything the Newsfeed app needs from its runtime. Node and the edge each build one. */
export interface NewsfeedDeps {
  config: Config;
  store: NewsfeedStore;
  /** Adds feeds after one fetch proves they are feeds (`POST /api/feeds`). */
  ingest: Pick<FeedIngest, "subscribe">;
  log: Logger;
  /** The in-memory recommendation index; the app makes its own when absent. */
  recommender?: Recommender;
  /** The feed's in-memory candidates; the app makes its own when absent. */
  pool?: FeedPool;
  metrics?: HttpMetrics;
  /** Limits API requests (RATE_LIMIT_NEWSFEED per window) per user, or per IP when anonymous; none when absent. */
  limiter?: RateLimiter;
  /** The caller's address, for the anonymous rate limit (Node: socket or X-Forwarded-For; edge: CF header). */
  clientIp: (c: Context<AppEnv>) => string;
  /** Extra readiness checks beyond the store (e.g. Redis). */
  readiness?: Record<string, ReadinessCheck>;
  now?: () => number;
  /** Where `GET /api/live` streams come from (a hub here, or the edge's FeedHub); no route without it. */
  live?: LiveStreams;
}
