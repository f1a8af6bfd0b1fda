/**
 * Rate limiting: the algorithms (pure), the port, and the in-process adapter. Redis and Durable Object
 * adapters implement the same port so every replica sees one count.
 */
export type RateLimitAlgorithm = "fixed" | "sliding";

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  algorithm: RateLimitAlgorithm;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the request would be allowed again (or the window resets, when allowed). */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Counts one request for `key` and says whether it is allowed. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
}

/** Counters of the window `now` falls in and of the one before it. */
export interface WindowCounts {
  windowStart: number;
  current: number;
  previous: number;
}

/**
 * Decides a hit given the counts *before* it. Fixed window counts only the current window. Sliding
 * window weights the previous window by how much of it still overlaps the last `windowSeconds`
 * (Cloudflare's approximation: smooth, O(1) state per key).
 */
export function decide(rule: RateLimitRule, counts: WindowCounts, nowMs: number): RateLimitDecision {
  const windowMs = rule.windowSeconds * 1000;
  const elapsed = nowMs - counts.windowStart;
  const weight = rule.algorithm === "sliding" ? Math.max(0, (windowMs - elapsed) / windowMs) : 0;
  const used = counts.current + counts.previous * weight;
  const resetMs = windowMs - elapsed;
  if (used + 1 > rule.limit) {
    let waitMs = resetMs;
    if (rule.algorithm === "sliding" && counts.current < rule.limit && counts.previous > 0) {
      // The previous window's weight decays linearly; find when current + previous·w drops below limit.
      const needed = (rule.limit - 1 - counts.current) / counts.previous; // weight at which one more fits
      waitMs = Math.max(0, Math.min(resetMs, (1 - needed) * windowMs - elapsed));
    }
    return { allowed: false, limit: rule.limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  return {
    allowed: true,
    limit: rule.limit,
    remaining: Math.max(0, Math.floor(rule.limit - used - 1)),
    resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
  };
}

/** Rolls a key's stored counts forward to the window containing `nowMs`. */
export function rollWindow(counts: WindowCounts | undefined, windowMs: number, nowMs: number): WindowCounts {
  const windowStart = nowMs - (nowMs % windowMs);
  if (!counts) return { windowStart, current: 0, previous: 0 };
  if (counts.windowStart === windowStart) return counts;
  const previous = counts.windowStart === windowStart - windowMs ? counts.current : 0;
  return { windowStart, current: 0, previous };
}

/** One process's counters. Also the state a rate-limiter Durable Object keeps. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, WindowCounts & { windowMs: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  hitSync(key: string, rule: RateLimitRule): RateLimitDecision {
    const nowMs = this.now();
    const windowMs = rule.windowSeconds * 1000;
    this.sweep(nowMs);
    const mapKey = `${rule.algorithm}:${rule.windowSeconds}:${key}`;
    const counts = { ...rollWindow(this.counts.get(mapKey), windowMs, nowMs), windowMs };
    const decision = decide(rule, counts, nowMs);
    if (decision.allowed) counts.current += 1;
    this.counts.set(mapKey, counts);
    return decision;
  }

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    return this.hitSync(key, rule);
  }

  /** Drops keys idle for two windows so memory stays bounded by the active key count. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweep < 10_000) return;
    this.lastSweep = nowMs;
    for (const [key, counts] of this.counts) {
      if (nowMs - counts.windowStart >= 2 * counts.windowMs) this.counts.delete(key);
    }
  }
}
