import type { Config } from "../shared/config.ts";
import type { ReadinessCheck } from "../shared/health.ts";
import type { Logger } from "../shared/logger.ts";
import type { HttpMetrics } from "../shared/metrics.ts";
import type { RateLimiter } from "../shared/rate-limit.ts";
import type { SqlExecutor } from "../shared/sql.ts";
import type { DocumentTexts } from "./texts.ts";

/** Everything the Docs app needs from its runtime. */
export interface DocsDeps {
  config: Config;
  /** The document and access-list tables (documents.ts). */
  db: SqlExecutor;
  /** The texts: sessions in this process on Node, DocumentRoom objects on the edge. */
  texts: DocumentTexts;
  log: Logger;
  metrics?: HttpMetrics;
  /** Limits API requests per client (RATE_LIMIT_API per window); none when absent. */
  limiter?: RateLimiter;
  readiness?: Record<string, ReadinessCheck>;
  now?: () => number;
}
