/** Small helpers for printing benchmark figures: progress on stderr, numbers, percentiles, the machine. */
import { cpus } from "node:os";

/** Progress and status lines go to stderr, so stdout holds only the figures and the JSON line. */
export const log = (line: string) => process.stderr.write(`${line}\n`);

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (`p` in 0–100) of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Machine {
  node: string;
  cpus: { count: number; model: string };
}

export function machine(): Machine {
  const cpu = cpus();
  return { node: process.version, cpus: { count: cpu.length, model: cpu[0]?.model ?? "unknown" } };
}

export const describeMachine = (m: Machine) => `node ${m.node}, ${m.cpus.count} x ${m.cpus.model}`;
