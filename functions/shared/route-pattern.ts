import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

const isWildcard = (path: string) => path.endsWith("*");

/**
 * The registered pattern of the route a request belongs to (`/:code`, not `/abc123`), so metric and log
 * labels stay bounded. Read after `await next()`, when the current route index is whoever answered: a
 * route handler, or a middleware that refused the request (a rate limit on `/api/*`, the body limit on
 * `/*`). A middleware's wildcard says nothing about the request, so the first concrete route matched after
 * it is used instead. Requests no concrete route matched share one label.
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex]?.path ?? "*";
  if (!isWildcard(answered)) return answered;
  const concrete = routes.slice(c.req.routeIndex + 1).find((route) => !isWildcard(route.path));
  return concrete?.path ?? "unmatched";
}
