/**
 * The console's rolling traffic history: the status stream carries only the latest statistics per
 * version, so the page keeps what it has seen (a bounded window) to draw them over time. Pure and
 * DOM-free, so it is unit-tested in Node.
 */
import type { Role, VersionTraffic } from "../../types.ts";

export type TrafficMetric = "rps" | "errorRate" | "p95Ms";

export interface SeriesPoint {
  at: number;
  /** null: no value at that moment (no requests yet, so no p95), which breaks the line. */
  value: number | null;
}

export interface Series {
  version: string;
  /** The version's latest role: it decides the colour. */
  role: Role;
  points: SeriesPoint[];
}

interface Sample {
  at: number;
  traffic: VersionTraffic[];
}

export const HISTORY_WINDOW_MS = 5 * 60_000;
const MAX_SAMPLES = 1000;

export class TrafficHistory {
  private samples: Sample[] = [];

  constructor(
    readonly windowMs = HISTORY_WINDOW_MS,
    private readonly maxSamples = MAX_SAMPLES,
  ) {}

  /** Records the statistics seen at `at` (ms); a sample at the same moment replaces the previous one. */
  add(at: number, traffic: VersionTraffic[]): void {
    const last = this.samples.at(-1);
    if (last && at < last.at) return; // clocks do not go back; a late duplicate is dropped
    if (last && at === last.at) this.samples.pop();
    this.samples.push({ at, traffic });
    const oldest = at - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < oldest) drop++;
    drop = Math.max(drop, this.samples.length - this.maxSamples);
    if (drop > 0) this.samples.splice(0, drop);
  }

  get size(): number {
    return this.samples.length;
  }

  /** The time span the samples cover: [first, last]; null when empty. */
  span(): [number, number] | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    return first && last ? [first.at, last.at] : null;
  }

  /** One series per version ever seen in the window, in order of appearance, for one metric. */
  series(metric: TrafficMetric): Series[] {
    const byVersion = new Map<string, Series>();
    for (const sample of this.samples) {
      for (const t of sample.traffic) {
        let series = byVersion.get(t.version);
        if (!series) {
          series = { version: t.version, role: t.role, points: [] };
          byVersion.set(t.version, series);
        }
        series.role = t.role;
        series.points.push({ at: sample.at, value: metricValue(t, metric) });
      }
    }
    return [...byVersion.values()];
  }
}

function metricValue(traffic: VersionTraffic, metric: TrafficMetric): number | null {
  const value = traffic[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
