/**
 * The Newsfeed service as a portable Hono app: the same handlers run on Node and on Workers; each runtime
 * passes its adapters in `deps` (store over its SQL, the feed fetcher behind `ingest`, rate limiter).
 */
import { rateLimit, userOrIpKey } from "../shared/rate-limit-middleware.ts";
import { createServiceApp, type ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { FeedPool } from "./feed-pool.ts";
import { mountNewsfeedPage } from "./page.ts";
import { Recommender } from "./recommender.ts";
import { mountFeedRoutes } from "./routes-feeds.ts";
import { mountLikeRoutes } from "./routes-likes.ts";
import { mountLiveRoutes } from "./routes-live.ts";
import { mountNewsfeedRoutes } from "./routes-newsfeed.ts";
import { mountSearchRoutes } from "./routes-search.ts";
import { mountFollowRoutes } from "./routes-users.ts";

export const SERVICE = "newsfeed";

export function createNewsfeedApp(deps: NewsfeedDeps): ServiceApp {
  const { config } = deps;
  const app = createServiceApp({
    name: SERVICE,
    version: config.APP_VERSION,
    log: deps.log,
    authSecret: config.AUTH_SECRET,
    metrics: deps.metrics,
    readiness: { store: () => deps.store.ping(), ...deps.readiness },
    trustedOrigins: config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).origin] : [],
    fault: { errorRate: config.FAULT_ERROR_RATE, latencyMs: config.FAULT_LATENCY_MS },
    maxBodyBytes: 16 * 1024,
  });
  if (deps.limiter) {
    app.use(
      "/api/*",
      rateLimit({
        limiter: deps.limiter,
        rule: {
          limit: config.RATE_LIMIT_NEWSFEED,
          windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
          algorithm: config.RATE_LIMIT_ALGORITHM,
        },
        name: SERVICE,
        key: userOrIpKey(deps.clientIp),
      }),
    );
  }
  // Both live on the app instance: the recommendation index (built on first use; see recommender.ts for
  // staleness across replicas) and the feed's candidate pool (feed-pool.ts).
  const recommender = deps.recommender ?? new Recommender(deps.store, { log: deps.log, now: deps.now });
  const pool = deps.pool ?? new FeedPool(deps.store, { now: deps.now, log: deps.log });
  mountNewsfeedRoutes(app, deps, pool);
  mountLikeRoutes(app, deps, recommender, pool);
  mountSearchRoutes(app, deps);
  mountFeedRoutes(app, deps, pool);
  mountFollowRoutes(app, deps, pool);
  if (deps.live) mountLiveRoutes(app, deps, deps.live);
  mountNewsfeedPage(app);
  return app;
}
