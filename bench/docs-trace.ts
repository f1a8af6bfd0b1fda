/**
 * Part (1) of `npm run bench -- docs`: the automerge-paper editing trace replayed in process.
 *   (s) sequencer — every patch as an op through DocumentSession.submit with in-memory storage, one client
 *                   at the current version (normalize, dedupe bookkeeping, the durable append, the rope and
 *                   snapshots every 1,000 ops included). The issue's goal applies to this one.
 *   (r) rope      — the same ops through Rope.applyOp alone, to show what the sequencer adds.
 *   (b) baseline  — the same ops through `ot-text-unicode`'s own apply on a plain string (its default
 *                   type): O(document length) per op. Optionally only a prefix, for people in a hurry.
 */
import { type as textType } from "ot-text-unicode";
import { Rope, type TextOp } from "../functions/docs/rope/index.ts";
import type { EditingTrace } from "../functions/docs/rope/testing/traces.ts";
import { DocumentSession } from "../functions/docs/session.ts";
import { MemorySessionStore } from "../functions/docs/session-store.ts";
import { fmt, log, median, round } from "./lib/report.ts";

/** Issue #4: the whole trace through the sequencer in under 1.5 s, >= 170,000 ops/s, >= 30x the baseline. */
export const TRACE_GOAL = { maxMs: 1500, minOpsPerSec: 170_000, minRatio: 30 };
const BASELINE_KIND = "ot-text-unicode 4.0.0 type.apply on a plain JS string (its default type)";
const PROGRESS_EVERY_MS = 5000;

export interface ReplayResult {
  /** The first replay, while the JIT is still compiling: what a freshly started server sees. */
  coldMs: number;
  runsMs: number[];
  medianMs: number;
  opsPerSec: number;
  textMatches: boolean;
}

export interface BaselineResult {
  appliedOps: number;
  /** True when only a prefix of the trace was applied (no ratio is claimed then). */
  prefix: boolean;
  ms: number;
  opsPerSec: number;
  /** Null for a prefix: there is no expected text to compare with. */
  textMatches: boolean | null;
}

export interface TraceResult {
  edits: number;
  sequencer: ReplayResult;
  rope: ReplayResult;
  baseline: BaselineResult;
  /** Baseline time / sequencer time over the whole trace; null when the baseline ran a prefix only. */
  ratio: number | null;
  ropeRatio: number | null;
  goal: { ms: boolean; opsPerSec: boolean; ratio: boolean | null; met: boolean };
  ok: boolean;
}

function summarize(times: number[], ops: number, textMatches: boolean): ReplayResult {
  const [coldMs, ...runsMs] = times as [number, ...number[]];
  const medianMs = median(runsMs);
  return { coldMs, runsMs, medianMs, opsPerSec: ops / (medianMs / 1000), textMatches };
}

/** One cold replay, then `runs` measured ones; each starts from Rope.from(start). */
function replayRope(trace: EditingTrace, ops: TextOp[], runs: number): ReplayResult {
  const times: number[] = [];
  let textMatches = true;
  for (let run = 0; run <= runs; run++) {
    const began = performance.now();
    const rope = Rope.from(trace.startContent);
    for (const op of ops) rope.applyOp(op);
    times.push(performance.now() - began);
    textMatches &&= rope.toString() === trace.endContent;
  }
  return summarize(times, ops.length, textMatches);
}

/** One cold replay through the sequencer, then `runs` measured ones; each on a fresh in-memory store. */
async function replaySequencer(trace: EditingTrace, ops: TextOp[], runs: number): Promise<ReplayResult> {
  const times: number[] = [];
  let textMatches = true;
  for (let run = 0; run <= runs; run++) {
    const began = performance.now();
    const session = await DocumentSession.create("bench", new MemorySessionStore(), trace.startContent);
    for (let seq = 0; seq < ops.length; seq++) {
      await session.submit({ v: session.version, op: ops[seq]!, src: "bench", seq });
    }
    await session.idle();
    times.push(performance.now() - began);
    textMatches &&= session.text() === trace.endContent && session.version === ops.length;
  }
  return summarize(times, ops.length, textMatches);
}

/** The baseline: one replay (of `limit` ops) with ot-text-unicode, saying every few seconds that it is alive. */
function replayBaseline(trace: EditingTrace, ops: TextOp[], limit: number): BaselineResult {
  const count = Math.min(limit, ops.length);
  const prefix = count < ops.length;
  let doc = trace.startContent;
  const began = performance.now();
  let nextReport = began + PROGRESS_EVERY_MS;
  for (let i = 0; i < count; i++) {
    doc = textType.apply(doc, ops[i] as Parameters<typeof textType.apply>[1]);
    if (i % 1000 !== 999) continue;
    const now = performance.now();
    if (now < nextReport) continue;
    const pct = ((i + 1) / count) * 100;
    log(
      `  baseline: ${fmt(i + 1)} / ${fmt(count)} ops (${fmt(pct, 1)}%) after ${fmt((now - began) / 1000, 1)} s`,
    );
    nextReport = now + PROGRESS_EVERY_MS;
  }
  const ms = performance.now() - began;
  return {
    appliedOps: count,
    prefix,
    ms,
    opsPerSec: count / (ms / 1000),
    textMatches: prefix ? null : doc === trace.endContent,
  };
}

export async function runTrace(
  trace: EditingTrace,
  ops: TextOp[],
  runs: number,
  baselineOps: number,
): Promise<TraceResult> {
  log(`(1) sequencer: 1 cold + ${runs} measured replays…`);
  const sequencer = await replaySequencer(trace, ops, runs);
  log(`(1) rope alone: 1 cold + ${runs} measured replays…`);
  const rope = replayRope(trace, ops, runs);
  const planned = Math.min(baselineOps, ops.length);
  log(
    planned < ops.length
      ? `(1) baseline: a PREFIX of ${fmt(planned)} ops only (quick run)…`
      : `(1) baseline: the whole trace, one replay (took 44–62 s on the issue's machine); progress every 5 s…`,
  );
  const baseline = replayBaseline(trace, ops, baselineOps);
  const ratio = baseline.prefix ? null : baseline.ms / sequencer.medianMs;
  const ropeRatio = baseline.prefix ? null : baseline.ms / rope.medianMs;
  const goal = {
    ms: sequencer.medianMs < TRACE_GOAL.maxMs,
    opsPerSec: sequencer.opsPerSec >= TRACE_GOAL.minOpsPerSec,
    ratio: ratio === null ? null : ratio >= TRACE_GOAL.minRatio,
  };
  const met = goal.ms && goal.opsPerSec && goal.ratio === true;
  const ok = sequencer.textMatches && rope.textMatches && baseline.textMatches !== false;
  return { edits: ops.length, sequencer, rope, baseline, ratio, ropeRatio, goal: { ...goal, met }, ok };
}

const mark = (ok: boolean | null) => (ok === null ? "NOT CHECKED" : ok ? "PASS" : "MISS");
const matches = (ok: boolean | null) =>
  ok === null ? "text not checked (prefix)" : ok ? "final text = endContent" : "FINAL TEXT DIFFERS";

function replayLine(name: string, r: ReplayResult, runs: number): string {
  const warm = r.runsMs.map((ms) => fmt(ms, 1)).join(", ");
  return (
    `  ${name} ${fmt(r.medianMs, 1).padStart(9)} ms  ${fmt(r.opsPerSec).padStart(11)} ops/s  ` +
    `median of ${runs} warm (${warm} ms); cold first ${fmt(r.coldMs, 1)} ms; ${matches(r.textMatches)}`
  );
}

export function printTrace(r: TraceResult, runs: number): void {
  const b = r.baseline;
  console.log("(1) trace replay, in process (no service)");
  console.log(replayLine("(s) sequencer     ", r.sequencer, runs));
  console.log("      DocumentSession.submit, in-memory store, one client at v = current version");
  console.log(replayLine("(r) Rope.applyOp  ", r.rope, runs));
  const what = b.prefix
    ? `PREFIX ONLY: ${fmt(b.appliedOps)} of ${fmt(r.edits)} ops (quick run); ${matches(b.textMatches)}`
    : `whole trace, one replay; ${matches(b.textMatches)}`;
  console.log(
    `  (b) baseline      ${fmt(b.ms, 1).padStart(9)} ms  ${fmt(b.opsPerSec).padStart(11)} ops/s  ${what}`,
  );
  console.log(`      baseline = ${BASELINE_KIND}`);
  if (r.ratio === null || r.ropeRatio === null) {
    console.log(
      "  ratio: NOT CLAIMED — the baseline ran a prefix only (its early ops run on a shorter text, so",
    );
    console.log("         no extrapolation is made); run without --quick / BENCH_BASELINE_OPS for the ratio");
  } else {
    console.log(`  ratio sequencer/baseline: ${fmt(r.ratio, 1)}x faster (baseline ms / sequencer median ms)`);
    console.log(`  ratio rope/baseline:      ${fmt(r.ropeRatio, 1)}x faster`);
  }
  console.log(
    `  goal (sequencer, issue #4): < ${fmt(TRACE_GOAL.maxMs)} ms ${mark(r.goal.ms)}, >= ${fmt(TRACE_GOAL.minOpsPerSec)} ` +
      `ops/s ${mark(r.goal.opsPerSec)}, >= ${TRACE_GOAL.minRatio}x baseline ${mark(r.goal.ratio)} => ` +
      `${r.goal.met ? "PASS" : r.goal.ratio === null ? "INCOMPLETE (prefix baseline)" : "MISS"}`,
  );
}

const replayJson = (r: ReplayResult) => ({
  coldMs: round(r.coldMs),
  runsMs: r.runsMs.map((ms) => round(ms)),
  medianMs: round(r.medianMs),
  opsPerSec: Math.round(r.opsPerSec),
  textMatches: r.textMatches,
});

export function traceJson(r: TraceResult, runs: number) {
  return {
    runs,
    sequencer: { store: "memory", ...replayJson(r.sequencer) },
    rope: replayJson(r.rope),
    baseline: {
      kind: BASELINE_KIND,
      appliedOps: r.baseline.appliedOps,
      prefix: r.baseline.prefix,
      ms: round(r.baseline.ms),
      opsPerSec: Math.round(r.baseline.opsPerSec),
      textMatches: r.baseline.textMatches,
    },
    ratios: {
      sequencerVsBaseline: r.ratio === null ? null : round(r.ratio, 1),
      ropeVsBaseline: r.ropeRatio === null ? null : round(r.ropeRatio, 1),
      sequencerVsRope: round(r.sequencer.medianMs / r.rope.medianMs),
    },
    goal: { ...TRACE_GOAL, ...r.goal },
  };
}
