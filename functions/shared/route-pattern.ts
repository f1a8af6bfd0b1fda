import type { Context } from "hono";
import { routePath } from "hono/route";

/**
 * The registered pattern of the route that answered (`/:code`, not `/abc123`), so metric and log labels
 * stay bounded. Requests no route matched share one label.
 */
export function routePattern(c: Context): string {
  // After `await next()`, the current route index is the handler that produced the response.
  const path = routePath(c);
  return path === "*" || path === "/*" ? "unmatched" : path;
}
