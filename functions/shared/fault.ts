import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { errorBody } from "./errors.ts";

/** The fault switch's settings (FAULT_ERROR_RATE, FAULT_LATENCY_MS). */
export interface FaultSettings {
  /** Share of requests answered 500, 0..1. */
  errorRate: number;
  /** Delay added before every request, in ms. */
  latencyMs: number;
}

export interface FaultOptions extends FaultSettings {
  /** Floats in [0, 1); injected by tests to pick which requests fail. */
  random?: () => number;
  /** Waits `ms`; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Probes and scrapes never fail nor wait: a faulty version must stay ready and scraped, so the rollout
 * measures its errors instead of the platform killing it.
 */
const EXEMPT_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function faultActive(settings: FaultSettings | undefined): settings is FaultSettings {
  return !!settings && (settings.errorRate > 0 || settings.latencyMs > 0);
}

/**
 * Deliberate faults for rollout demos and tests: delays every request by `latencyMs`, then answers a share
 * `errorRate` of them with a 500 `fault_injected` error instead of running the handler. Registered after
 * the metrics middleware, so the injected errors show in `http_requests_total` like real ones.
 */
export function faultInjection({
  errorRate,
  latencyMs,
  random = Math.random,
  sleep = defaultSleep,
}: FaultOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (EXEMPT_PATHS.has(c.req.path)) return next();
    if (latencyMs > 0) await sleep(latencyMs);
    if (errorRate > 0 && random() < errorRate) {
      return c.json(
        errorBody("fault_injected", `Injected fault (FAULT_ERROR_RATE=${errorRate}): not a real failure`),
        500,
      );
    }
    return next();
  };
}
