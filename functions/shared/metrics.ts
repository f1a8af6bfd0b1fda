import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { routePattern } from "./route-pattern.ts";

/** What the HTTP layer reports per request. Node implements it with prom-client; the edge has none. */
export interface HttpMetrics {
  observe(labels: { route: string; method: string; status: string }, seconds: number): void;
  /** Prometheus text exposition of everything in the service's registry. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function httpMetrics(metrics: HttpMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    metrics.observe(
      { route: routePattern(c), method: c.req.method, status: String(c.res.status) },
      (performance.now() - start) / 1000,
    );
  };
}
