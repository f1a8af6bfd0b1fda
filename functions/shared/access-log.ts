import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { routePattern } from "./route-pattern.ts";

/** One JSON line per request: method, route pattern, path, status, duration. */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    if (!c.var.log.enabled("info")) return;
    c.var.log.info("request", {
      method: c.req.method,
      route: routePattern(c),
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 100) / 100,
    });
  };
}
