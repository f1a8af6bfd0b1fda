import type { MiddlewareHandler } from "hono";
import { routePattern } from "./route-pattern.ts";
import type { AppEnv } from "./context.ts";

/** One JSON line per request: method, route pattern, path, status, duration. */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    c.var.log.info("request", {
      method: c.req.method,
      route: routePattern(c),
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 100) / 100,
    });
  };
}
