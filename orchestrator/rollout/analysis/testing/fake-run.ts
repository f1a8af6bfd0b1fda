/**
 * Test doubles for AnalysisRun: a clock the test moves, a provider that answers from a script, a metric
 * with Argo's defaults, and `setup`, which wires them and steps the run from one due time to the next.
 */
import type { MetricSpec } from "../../types.ts";
import type { Measured, MetricProvider } from "../provider.ts";
import { AnalysisRun, type AnalysisRunOptions } from "../run.ts";

export const START = 1_700_000_000_000;

export function fakeClock() {
  let time = START;
  return {
    now: () => time,
    set: (at: number) => {
      time = Math.max(time, at);
    },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

export const vector = (...values: number[]): Measured => ({
  value: values,
  display: `[${values.join(",")}]`,
});

/** Answers each metric from its script, in order; an Error is thrown; a function is called for the answer. */
export class ScriptedProvider implements MetricProvider {
  readonly calls: { metric: string; signal: AbortSignal }[] = [];
  constructor(private readonly scripts: Record<string, (Measured | Error | (() => Promise<Measured>))[]>) {}
  async measure(metric: MetricSpec, signal: AbortSignal): Promise<Measured> {
    this.calls.push({ metric: metric.name, signal });
    const next = this.scripts[metric.name]?.shift();
    if (next === undefined) throw new Error(`script for ${metric.name} ran out`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next() : next;
  }
  count(name: string) {
    return this.calls.filter((c) => c.metric === name).length;
  }
}

export function metric(overrides: Partial<MetricSpec> = {}): MetricSpec {
  return {
    name: "success-rate",
    successCondition: "result[0] >= 0.95",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    provider: { prometheus: { address: "http://prometheus.test", query: "up" } },
    ...overrides,
  };
}

export function setup(
  metrics: MetricSpec[],
  scripts: ConstructorParameters<typeof ScriptedProvider>[0],
  options: Partial<AnalysisRunOptions> = {},
) {
  const clock = fakeClock();
  const provider = new ScriptedProvider(scripts);
  const run = new AnalysisRun({
    id: "step-1",
    kind: "step",
    metrics,
    providers: { prometheus: provider, web: provider },
    now: clock.now,
    ...options,
  });
  /** Moves the clock to the next due time and measures; false when nothing is scheduled. */
  const step = async () => {
    const at = run.nextDueAt();
    if (at === null) return false;
    clock.set(at);
    await run.measureDue();
    return true;
  };
  const finish = async (limit = 50) => {
    for (let i = 0; i < limit && (await step()); i++);
    return run.phase;
  };
  return { clock, provider, run, step, finish };
}
