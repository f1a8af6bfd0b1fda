import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { AppError } from "./errors.ts";
import type { RateLimiter, RateLimitRule } from "./rate-limit.ts";

/**
 * Applies `rule` per client key. Sets the IETF `RateLimit-*` headers on its answers and refuses with
 * 429 + `Retry-After` when the budget is spent. A limiter outage fails open (logged): availability of
 * the service matters more than a perfect count.
 */
export function rateLimit(options: {
  limiter: RateLimiter;
  rule: RateLimitRule;
  /** Names this limit in keys and headers, so two limits on one client do not share a counter. */
  name: string;
  key: (c: Context<AppEnv>) => string;
  /**
   * Whether allowed answers carry the `RateLimit-*` headers too (default true). Refusals always do.
   * Redirects skip them: browsers ignore them there, and they are bytes on the busiest path.
   */
  headersWhenAllowed?: boolean;
}): MiddlewareHandler<AppEnv> {
  const { limiter, rule, name } = options;
  const policy = `${rule.limit};w=${rule.windowSeconds}`;
  return async (c, next) => {
    let decision: Awaited<ReturnType<RateLimiter["hit"]>>;
    try {
      decision = await limiter.hit(`${name}:${options.key(c)}`, rule);
    } catch (err) {
      c.var.log.warn("rate limiter unavailable; allowing request", { limit: name, err: String(err) });
      return next();
    }
    const headers = {
      "RateLimit-Policy": policy,
      "RateLimit-Limit": String(decision.limit),
      "RateLimit-Remaining": String(decision.remaining),
      "RateLimit-Reset": String(decision.resetSeconds),
    };
    if (!decision.allowed) {
      throw new AppError(
        429,
        "rate_limited",
        `Too many requests: at most ${rule.limit} per ${rule.windowSeconds}s. Retry in ${decision.resetSeconds}s.`,
        undefined,
        { ...headers, "Retry-After": String(decision.resetSeconds) },
      );
    }
    await next();
    if (options.headersWhenAllowed === false) return;
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

/** Signed-in callers are limited per user (they may share an IP); anonymous ones per address. */
export const userOrIpKey =
  (clientIp: (c: Context<AppEnv>) => string) =>
  (c: Context<AppEnv>): string =>
    c.var.userId ? `user:${c.var.userId}` : `ip:${clientIp(c)}`;
