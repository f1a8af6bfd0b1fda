/**
 * A line chart's geometry, with no DOM: series of (time, value) points → SVG path data in a box, with a
 * "nice" vertical scale and its tick labels. chart.ts turns it into SVG elements.
 */
import type { Role } from "../../types.ts";
import type { Series } from "./history.ts";

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the tick labels on the left and the time labels below. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export const DEFAULT_BOX: ChartBox = { width: 360, height: 160, left: 44, bottom: 20, top: 8, right: 8 };

export interface ChartLine {
  version: string;
  role: Role;
  /** SVG path data; empty when the series has no value to draw. */
  d: string;
  /** The latest value, for the legend. */
  last: number | null;
}

export interface ChartGeometry {
  lines: ChartLine[];
  /** Horizontal grid lines: their y and their label. */
  ticks: { y: number; label: string }[];
  yMax: number;
  /** The plotting area. */
  plot: { x0: number; x1: number; y0: number; y1: number };
  /** What the time axis spans, e.g. "last 2 min". */
  spanLabel: string;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (1 for nothing to show). */
export function niceMax(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5].find((s) => s * magnitude >= value * (1 - 1e-9)) ?? 10;
  return step * magnitude;
}

/** A tick label: no more digits than the scale needs. */
export function tickLabel(value: number, yMax: number): string {
  const decimals = yMax >= 10 ? 0 : yMax >= 1 ? 1 : 2;
  return Number(value.toFixed(decimals)).toString();
}

export function spanLabel(ms: number): string {
  if (ms < 1000) return "now";
  if (ms < 120_000) return `last ${Math.round(ms / 1000)} s`;
  return `last ${Math.round(ms / 60_000)} min`;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays `series` out over the times [t0, t1]. Values are multiplied by `scale` (0.05 → 5 for a percentage);
 * `minMax` keeps small values from filling the chart (an error rate of 0.1% should look small).
 */
export function chartGeometry(
  series: Series[],
  options: { t0: number; t1: number; scale?: number; minMax?: number; box?: ChartBox },
): ChartGeometry {
  const box = options.box ?? DEFAULT_BOX;
  const scale = options.scale ?? 1;
  const plot = { x0: box.left, x1: box.width - box.right, y0: box.height - box.bottom, y1: box.top };
  let highest = 0;
  for (const s of series)
    for (const p of s.points) if (p.value !== null) highest = Math.max(highest, p.value * scale);
  const yMax = niceMax(Math.max(highest, options.minMax ?? 0));
  const duration = Math.max(options.t1 - options.t0, 1);
  const x = (at: number) => plot.x0 + ((at - options.t0) / duration) * (plot.x1 - plot.x0);
  const y = (value: number) => plot.y0 - (value / yMax) * (plot.y0 - plot.y1);

  const lines = series.map((s) => {
    // A null value lifts the pen: the points after it start a new segment.
    const segments: string[][] = [];
    let current: string[] | null = null;
    for (const p of s.points) {
      if (p.value === null) {
        current = null;
        continue;
      }
      if (!current) {
        current = [];
        segments.push(current);
      }
      current.push(`${round(x(p.at))} ${round(y(p.value * scale))}`);
    }
    const last = s.points.at(-1)?.value ?? null;
    return {
      version: s.version,
      role: s.role,
      d: segments.map((points) => `M${points.join(" L")}`).join(" "),
      last: last === null ? null : last * scale,
    };
  });

  const ticks = [0, 0.5, 1].map((f) => ({ y: round(y(yMax * f)), label: tickLabel(yMax * f, yMax) }));
  return { lines, ticks, yMax, plot, spanLabel: spanLabel(options.t1 - options.t0) };
}
