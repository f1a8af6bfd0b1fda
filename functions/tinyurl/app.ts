/**
 * The TinyURL service as a portable Hono app: the same handlers run on Node and on Workers; each runtime
 * passes its adapters in `deps`.
 */
import type { RateLimitRule } from "../shared/rate-limit.ts";
import { rateLimit } from "../shared/rate-limit-middleware.ts";
import { createServiceApp, type ServiceApp } from "../shared/service.ts";
import type { TinyUrlDeps } from "./deps.ts";
import { LinkLookup } from "./link-lookup.ts";
import { mountPage } from "./page.ts";
import { mountAnalyticsRoutes } from "./routes-analytics.ts";
import { mountLinkRoutes } from "./routes-links.ts";
import { mountRedirectRoutes } from "./routes-redirect.ts";

export const SERVICE = "tinyurl";

export function createTinyUrlApp(deps: TinyUrlDeps): ServiceApp {
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
  const lookup = new LinkLookup(deps.store, deps.cache, config.CACHE_TTL_SECONDS);

  const rule = (limit: number): RateLimitRule => ({
    limit,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    algorithm: config.RATE_LIMIT_ALGORITHM,
  });
  const apiLimit = rateLimit({
    limiter: deps.limiter,
    rule: rule(config.RATE_LIMIT_API),
    name: "api",
    key: deps.clientIp,
  });
  const redirectLimit = rateLimit({
    limiter: deps.limiter,
    rule: rule(config.RATE_LIMIT_REDIRECT),
    name: "redirect",
    key: deps.clientIp,
    headersWhenAllowed: false,
  });

  mountPage(app);
  // Limits are registered before the routes they guard: Hono runs handlers in registration order.
  app.post("/shorten", apiLimit);
  app.use("/api/*", apiLimit);
  // Password attempts share the API budget, which caps guessing. `/:code` also matches `/shorten`, which is
  // limited above: count each request once.
  app.post("/:code", (c, next) => (c.req.path === "/shorten" ? next() : apiLimit(c, next)));
  app.on(["GET", "HEAD"], "/:code", redirectLimit);

  mountLinkRoutes(app, deps, lookup);
  mountAnalyticsRoutes(app, deps);
  mountRedirectRoutes(app, deps, lookup);
  return app;
}
