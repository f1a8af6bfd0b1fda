/**
 * Per-version request statistics from the proxies, for the console and the status output: totals since the
 * start, and over a sliding window (default 10 s) the request rate, the error rate and the p95 latency.
 * The window is kept as one bucket per second, each with a small fixed latency histogram, so memory stays
 * constant under any load.
 */
import type { Role, VersionTraffic } from "../types.ts";

/** One proxied request as the proxy saw it. */
export interface RequestOutcome {
  role: Role;
  version: string;
  /** The status answered; null when the backend gave no answer. */
  status: number | null;
  latencyMs: number;
}

/** Upper bounds (ms) of the latency buckets; a last, open bucket catches the rest. */
export const LATENCY_BUCKETS_MS = [
  1, 2, 5, 10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000,
] as const;

interface SecondBucket {
  second: number;
  requests: number;
  errors: number;
  /** Counts per latency bucket (LATENCY_BUCKETS_MS, then the open one). */
  latencies: number[];
}

interface VersionStats {
  version: string;
  role: Role;
  requests: number;
  errors: number;
  seconds: SecondBucket[];
}

export interface TrafficStatsOptions {
  now?: () => number;
  /** Default 10. */
  windowSeconds?: number;
}

const isError = (status: number | null) => status === null || status >= 500;

function bucketIndex(latencyMs: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
}

/**
 * The q-quantile of a bucketed distribution, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; in the open bucket, the last finite bound.
 */
export function histogramQuantile(q: number, counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count > 0 && below + count >= rank) {
      if (i >= LATENCY_BUCKETS_MS.length) return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i]!;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return null;
}

export class TrafficStats {
  #now: () => number;
  #windowSeconds: number;
  #startedAt: number;
  #versions = new Map<string, VersionStats>();

  constructor({ now = Date.now, windowSeconds = 10 }: TrafficStatsOptions = {}) {
    this.#now = now;
    this.#windowSeconds = windowSeconds;
    this.#startedAt = now();
  }

  /**
   * Declares which version a role runs, so it is reported (with zeros) before its first request, and
   * follows the version when roles swap at a promotion.
   */
  assign(role: Role, version: string): void {
    this.#stats(version).role = role;
  }

  /** Drops a version from the report (e.g. the old stable once it is scaled down). */
  forget(version: string): void {
    this.#versions.delete(version);
  }

  record({ role, version, status, latencyMs }: RequestOutcome): void {
    const stats = this.#stats(version);
    stats.role = role;
    const second = Math.floor(this.#now() / 1000);
    let bucket = stats.seconds[stats.seconds.length - 1];
    if (!bucket || bucket.second !== second) {
      bucket = {
        second,
        requests: 0,
        errors: 0,
        latencies: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
      };
      stats.seconds.push(bucket);
      const oldest = second - this.#windowSeconds;
      while (stats.seconds[0]!.second < oldest) stats.seconds.shift();
    }
    const failed = isError(status);
    stats.requests++;
    bucket.requests++;
    if (failed) {
      stats.errors++;
      bucket.errors++;
    }
    bucket.latencies[bucketIndex(latencyMs)]!++;
  }

  /** Every version seen or assigned, stable first. */
  snapshot(): VersionTraffic[] {
    const now = this.#now();
    const currentSecond = Math.floor(now / 1000);
    const oldest = currentSecond - this.#windowSeconds;
    // The window [now - W, now] covers the current partial second, W - 1 whole ones and the part of the
    // oldest second still inside it: that bucket counts in proportion (traffic assumed even within it).
    const oldestWeight = 1 - (now - currentSecond * 1000) / 1000;
    const weight = (bucket: SecondBucket) => (bucket.second === oldest ? oldestWeight : 1);
    // Early on, the rate is over the time elapsed, not over a window mostly before the start.
    const spanSeconds = Math.max(1, Math.min(this.#windowSeconds, (now - this.#startedAt) / 1000));
    const order: Record<Role, number> = { stable: 0, new: 1 };
    return [...this.#versions.values()]
      .sort((a, b) => order[a.role] - order[b.role])
      .map((stats) => {
        const recent = stats.seconds.filter((b) => b.second >= oldest && b.second <= currentSecond);
        const requests = recent.reduce((n, b) => n + b.requests * weight(b), 0);
        const errors = recent.reduce((n, b) => n + b.errors * weight(b), 0);
        const latencies = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
        for (const bucket of recent) {
          for (const [i, count] of bucket.latencies.entries()) latencies[i]! += count * weight(bucket);
        }
        const p95 = histogramQuantile(0.95, latencies);
        return {
          version: stats.version,
          role: stats.role,
          rps: requests / spanSeconds,
          errorRate: requests === 0 ? 0 : errors / requests,
          p95Ms: p95 === null ? null : Math.round(p95 * 10) / 10,
          requests: stats.requests,
          errors: stats.errors,
        };
      });
  }

  #stats(version: string): VersionStats {
    let stats = this.#versions.get(version);
    if (!stats) {
      stats = { version, role: "stable", requests: 0, errors: 0, seconds: [] };
      this.#versions.set(version, stats);
    }
    return stats;
  }
}
