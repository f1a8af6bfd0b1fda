import type { Cache } from "../shared/cache.ts";
import type { ClientIp } from "../shared/client-ip.ts";
import type { Config } from "../shared/config.ts";
import type { ReadinessCheck } from "../shared/health.ts";
import type { Logger } from "../shared/logger.ts";
import type { HttpMetrics } from "../shared/metrics.ts";
import type { RateLimiter } from "../shared/rate-limit.ts";
import type { LinkStore } from "./store.ts";
import type { VisitRecorder } from "./visits.ts";

/** Everything the TinyURL app needs from its runtime. Node and the edge each build one. */
export interface TinyUrlDeps {
  config: Config;
  store: LinkStore;
  cache: Cache;
  limiter: RateLimiter;
  visits: VisitRecorder;
  log: Logger;
  clientIp: ClientIp;
  metrics?: HttpMetrics;
  /** Extra readiness checks beyond the store (e.g. Redis). */
  readiness?: Record<string, ReadinessCheck>;
  now?: () => number;
}
