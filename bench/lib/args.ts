/** Options every benchmark understands: `--duration S` (or `--duration=S`, env BENCH_DURATION). */
/** A bad command line: reported as one line, without a stack trace. */
export class UsageError extends Error {}

export interface CommonOptions {
  durationSec: number;
  warmupSec: number;
}

export function parseCommon(args: string[], env: NodeJS.ProcessEnv = process.env): CommonOptions {
  let raw = env.BENCH_DURATION ?? "10";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--duration") raw = args[++i] ?? "";
    else if (arg.startsWith("--duration=")) raw = arg.slice("--duration=".length);
    else throw new UsageError(`Unknown option: ${arg} (accepted: --duration S)`);
  }
  const durationSec = Number(raw);
  if (!Number.isFinite(durationSec) || durationSec < 1)
    throw new UsageError(`--duration: expected seconds >= 1, got "${raw}"`);
  // Long enough for JIT and caches to settle, short next to the measured run.
  const warmupSec = Math.max(1, Math.min(3, Math.round(durationSec * 0.3)));
  return { durationSec, warmupSec };
}
