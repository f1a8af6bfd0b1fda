import type { Redis } from "ioredis";
import { decide, type RateLimitDecision, type RateLimiter, type RateLimitRule } from "./rate-limit.ts";

/**
 * Fixed/sliding window counters in Redis, shared by every replica. One Lua call per hit increments the
 * current window's counter and reads the previous one atomically, using Redis' clock so replicas with
 * skewed clocks still agree; the decision itself is the same pure `decide` the in-process limiter uses.
 * A hit that is refused is taken back, so a client hammering a closed limit does not extend it.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local start = now - (now % window)
local cur = KEYS[1] .. ':' .. start
local prev = KEYS[1] .. ':' .. (start - window)
local count = redis.call('INCR', cur)
if count == 1 then redis.call('PEXPIRE', cur, window * 2) end
local previous = tonumber(redis.call('GET', prev) or '0')
return {now, start, count - 1, previous}
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "canary:rl:",
  ) {}

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const windowMs = rule.windowSeconds * 1000;
    const redisKey = `${this.prefix}${rule.algorithm}:${rule.windowSeconds}:${key}`;
    const [now, windowStart, current, previous] = (await this.redis.eval(
      SCRIPT,
      1,
      redisKey,
      windowMs,
    )) as number[];
    const decision = decide(
      rule,
      {
        windowStart: windowStart!,
        current: current!,
        previous: rule.algorithm === "sliding" ? previous! : 0,
      },
      now!,
    );
    if (!decision.allowed) {
      // Taking the hit back is best effort: if it fails the count is one too high for this window, which
      // errs on the safe side. Letting the error escape would make the middleware fail open and admit a
      // request that was just refused.
      await this.redis.decr(`${redisKey}:${windowStart}`).catch(() => {});
    }
    return decision;
  }
}
