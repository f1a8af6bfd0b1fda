import type { Config } from "../shared/config.ts";
import type { ReadinessCheck } from "../shared/health.ts";
import type { Logger } from "../shared/logger.ts";
import type { HttpMetrics } from "../shared/metrics.ts";
import type { SqlExecutor } from "../shared/sql.ts";
import type { SessionOptions } from "./session.ts";

/** Everything the Docs app needs from its runtime. */
export interface DocsDeps {
  config: Config;
  /** Holds both the document/ACL tables (documents.ts) and the session tables (session-store-sql.ts). */
  db: SqlExecutor;
  log: Logger;
  metrics?: HttpMetrics;
  readiness?: Record<string, ReadinessCheck>;
  session?: SessionOptions;
  now?: () => number;
}
