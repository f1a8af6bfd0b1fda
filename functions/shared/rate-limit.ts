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
 *
 * Counts are compared multiplied by the window length, so everything stays in integers (counts and
 * milliseconds) and the boundary is exact. When refused, `resetSeconds` is how long to wait, with no other
 * hits, until one more fits: for a sliding window that can be inside the next window, when this one is
 * already full and its hits become the next window's (decaying) previous.
 */
export function decide(rule: RateLimitRule, counts: WindowCounts, nowMs: number): RateLimitDecision {
  const windowMs = rule.windowSeconds * 1000;
  const elapsed = nowMs - counts.windowStart;
  const resetMs = windowMs - elapsed;
  const sliding = rule.algorithm === "sliding";
  // used · windowMs, where used = current + previous · (windowMs − elapsed) / windowMs.
  const usedScaled = counts.current * windowMs + (sliding ? counts.previous * Math.max(0, resetMs) : 0);
  const budgetScaled = (rule.limit - 1) * windowMs; // what `used` may be for one more hit to fit
  if (usedScaled > budgetScaled) {
    let waitMs = resetMs;
    if (sliding && rule.limit > 0) {
      // Smallest elapsed time e (in a window whose previous count is p and current count c) at which
      // c·W + p·(W − e) ≤ (limit − 1)·W, i.e. e ≥ W − ⌊((limit − 1 − c)·W) / p⌋.
      const fitsAt = (c: number, p: number) => windowMs - Math.floor(((rule.limit - 1 - c) * windowMs) / p);
      waitMs =
        counts.current < rule.limit
          ? fitsAt(counts.current, counts.previous) - elapsed
          : resetMs + fitsAt(0, counts.current);
    }
    return {
      allowed: false,
      limit: rule.limit,
      remaining: 0,
      resetSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }
  return {
    allowed: true,
    limit: rule.limit,
    remaining: Math.floor((budgetScaled - usedScaled) / windowMs),
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

  /** Keys currently tracked. */
  get size(): number {
    return this.counts.size;
  }

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
