import type { RateLimitDecision, RateLimiter, RateLimitRule } from "./rate-limit.ts";

/**
 * The slice of a Durable Object namespace this adapter needs: the binding of `RateLimiterObject`
 * (durable/rate-limiter.ts). Structural, like sql-durable's stub, so tests can fake it.
 */
export interface RateLimiterNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): { hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> };
}

/**
 * The RateLimiter port on the edge: each key goes to the object named after it, so every isolate shares
 * one count per client, and hot keys spread over many objects instead of queueing on one.
 */
export function durableRateLimiter<Id>(namespace: RateLimiterNamespace<Id>): RateLimiter {
  return {
    // Awaited into a plain promise (an RPC promise is also a pipelining proxy).
    hit: async (key, rule) => await namespace.get(namespace.idFromName(key)).hit(key, rule),
  };
}
