/**
 * Rate-limit counters on the edge. The Worker sends every key to the object named after it, so all
 * isolates in every location count against one object. Counts live in memory: if the object is evicted
 * the window restarts, which only ever errs towards allowing a request.
 */
import { DurableObject } from "cloudflare:workers";
import {
  MemoryRateLimiter,
  type RateLimitDecision,
  type RateLimitRule,
} from "../functions/shared/rate-limit.ts";

export class RateLimiterObject extends DurableObject {
  private readonly limiter = new MemoryRateLimiter();

  hit(key: string, rule: RateLimitRule): RateLimitDecision {
    return this.limiter.hitSync(key, rule);
  }
}
