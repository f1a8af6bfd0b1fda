import type { Logger } from "./logger.ts";

/** Variables every request carries, set by the shared middleware. */
export interface RequestVariables {
  requestId: string;
  traceId: string;
  spanId: string;
  log: Logger;
  /** The authenticated user (`sub` of a valid bearer token), if any. */
  userId?: string;
}

export interface AppEnv {
  Variables: RequestVariables;
}
