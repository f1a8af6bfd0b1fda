import { describe, expect, it, vi } from "vitest";
import type { MetricSpec } from "../types.ts";
import type { Measured } from "./provider.ts";
import { AnalysisRun } from "./run.ts";
import { metric, START, setup, vector } from "./testing/fake-run.ts";

describe("AnalysisRun scheduling", () => {
  it("takes `count` measurements `interval` apart, the first at once, then is Successful", async () => {
    const { run, step, clock } = setup([metric({ intervalSeconds: 60, count: 3 })], {
      "success-rate": [vector(0.99), vector(0.97), vector(0.96)],
    });
    expect(run.phase).toBe("Running");
    expect(run.nextDueAt()).toBe(START);
    await step();
    expect(run.nextDueAt()).toBe(START + 60_000);
    clock.advance(59_999);
    await run.measureDue();
    expect(run.status().metrics[0]!.count).toBe(1);
    await step();
    expect(run.nextDueAt()).toBe(START + 120_000);
    await step();
    expect(run.phase).toBe("Successful");
    expect(run.nextDueAt()).toBeNull();
    const [result] = run.status().metrics;
    expect(result).toMatchObject({ phase: "Successful", count: 3, successful: 3, failed: 0, error: 0 });
    expect(result!.measurements.map((m) => [m.phase, m.value, m.startedAt])).toEqual([
      ["Successful", "[0.99]", START],
      ["Successful", "[0.97]", START + 60_000],
      ["Successful", "[0.96]", START + 120_000],
    ]);
    expect(run.status().finishedAt).toBe(START + 120_000);
  });

  it("takes one measurement when there is no interval", async () => {
    const { run, finish, provider } = setup([metric({ successCondition: undefined })], {
      "success-rate": [vector(0.1)],
    });
    expect(await finish()).toBe("Successful");
    expect(provider.count("success-rate")).toBe(1);
    expect(run.status().metrics[0]).toMatchObject({ count: 1, successful: 1 });
  });

  it("measures until terminated when there is an interval and no count; terminate() ends it Successful", async () => {
    const { run, step, provider } = setup([metric({ intervalSeconds: 5 })], {
      "success-rate": Array(8).fill(vector(1)),
    });
    for (let i = 0; i < 6; i++) await step();
    expect(run.phase).toBe("Running");
    expect(run.status().metrics[0]!.phase).toBe("Running");
    run.terminate();
    expect(run.phase).toBe("Successful");
    expect(run.message).toBe("Run Terminated");
    expect(run.status().metrics[0]!.phase).toBe("Successful");
    expect(run.nextDueAt()).toBeNull();
    await run.measureDue();
    expect(provider.count("success-rate")).toBe(6);
    await expect(run.finished).resolves.toBe("Successful");
  });

  it("waits initialDelay before the first measurement", async () => {
    const { run, clock, provider, step } = setup([metric({ initialDelaySeconds: 30 })], {
      "success-rate": [vector(1)],
    });
    expect(run.nextDueAt()).toBe(START + 30_000);
    clock.advance(29_000);
    await run.measureDue();
    expect(provider.count("success-rate")).toBe(0);
    expect(run.status().metrics[0]!.phase).toBe("Pending");
    await step();
    expect(run.status().metrics[0]!.measurements[0]!.startedAt).toBe(START + 30_000);
  });

  it("scales initialDelay, interval and the error retry by timeScale", async () => {
    const { run, step } = setup(
      [metric({ initialDelaySeconds: 30, intervalSeconds: 60, count: 3 })],
      { "success-rate": [vector(1), new Error("down"), vector(1), vector(1)] },
      { timeScale: 0.01 },
    );
    expect(run.nextDueAt()).toBe(START + 300);
    await step();
    expect(run.nextDueAt()).toBe(START + 900);
    await step();
    // after an Error the retry comes after 10 s × 0.01, not the interval
    expect(run.nextDueAt()).toBe(START + 1_000);
    await step();
    expect(run.nextDueAt()).toBe(START + 1_600);
  });

  it("keeps scaled intervals and error retries at least minIntervalMs apart, not the initial delay", async () => {
    const { run, step } = setup(
      [metric({ initialDelaySeconds: 30, intervalSeconds: 60, count: 3 })],
      { "success-rate": [vector(1), new Error("down"), vector(1)] },
      { timeScale: 0.01, minIntervalMs: 2_500 },
    );
    expect(run.nextDueAt()).toBe(START + 300);
    await step();
    expect(run.nextDueAt()).toBe(START + 2_800);
    await step();
    expect(run.nextDueAt()).toBe(START + 5_300);
  });

  it("retries an errored measurement after 10 s; errors do not count towards `count`", async () => {
    const { run, step } = setup([metric()], { "success-rate": [new Error("a"), new Error("b"), vector(1)] });
    await step();
    expect(run.nextDueAt()).toBe(START + 10_000);
    await step();
    await step();
    expect(run.phase).toBe("Successful");
    expect(run.status().metrics[0]).toMatchObject({ count: 1, error: 2, successful: 1, consecutiveError: 0 });
  });

  it("measures metrics that are due together concurrently", async () => {
    const release: (() => void)[] = [];
    const gate = () => new Promise<Measured>((resolve) => release.push(() => resolve(vector(1))));
    const { run, provider } = setup([metric({ name: "a" }), metric({ name: "b" })], { a: [gate], b: [gate] });
    const measuring = run.measureDue();
    await vi.waitFor(() => expect(provider.calls).toHaveLength(2));
    expect(run.nextDueAt()).toBeNull();
    for (const go of release) go();
    await measuring;
    expect(run.phase).toBe("Successful");
  });
});

describe("AnalysisRun.terminate", () => {
  it("before any measurement: Successful, as Argo ends a run stopped before it measured", () => {
    const { run, provider } = setup([metric({ initialDelaySeconds: 60 })], {});
    run.terminate();
    expect(run.phase).toBe("Successful");
    expect(run.status().metrics[0]).toMatchObject({ phase: "Successful", measurements: [] });
    expect(provider.calls).toHaveLength(0);
  });

  it("drops a measurement in flight and aborts its signal", async () => {
    let answer: (m: Measured) => void = () => {};
    const pending = () => new Promise<Measured>((resolve) => (answer = resolve));
    const { run, provider } = setup([metric({ intervalSeconds: 10 })], { "success-rate": [pending] });
    const measuring = run.measureDue();
    await vi.waitFor(() => expect(provider.calls).toHaveLength(1));
    run.terminate();
    expect(provider.calls[0]!.signal.aborted).toBe(true);
    answer(vector(0.1));
    await measuring;
    expect(run.phase).toBe("Successful");
    expect(run.status().metrics[0]!.count).toBe(0);
  });

  it("does nothing to a completed run", async () => {
    const onChange = vi.fn();
    const { run, finish } = setup([metric()], { "success-rate": [vector(0.1)] }, { onChange });
    await finish();
    expect(onChange).toHaveBeenCalledTimes(1);
    run.terminate();
    expect(run.phase).toBe("Failed");
    expect(run.message).toBe('Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)');
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});

describe("AnalysisRun bookkeeping", () => {
  it("reports status as plain data the caller cannot use to change the run", async () => {
    const { run, step } = setup([metric()], { "success-rate": [vector(1)] }, { templates: ["success-rate"] });
    expect(run.status()).toEqual({
      id: "step-1",
      kind: "step",
      templates: ["success-rate"],
      phase: "Running",
      metrics: [
        {
          name: "success-rate",
          phase: "Pending",
          measurements: [],
          count: 0,
          successful: 0,
          failed: 0,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
        },
      ],
      startedAt: START,
      finishedAt: null,
    });
    await step();
    const status = run.status();
    status.metrics[0]!.measurements[0]!.phase = "Failed";
    status.metrics[0]!.measurements.length = 0;
    expect(run.status().metrics[0]!.measurements[0]!.phase).toBe("Successful");
  });

  it("calls onChange after each measurement and on terminate, and resolves `finished` with the phase", async () => {
    const onChange = vi.fn();
    const { run, step } = setup(
      [metric({ intervalSeconds: 5 })],
      { "success-rate": [vector(1), vector(1)] },
      { onChange },
    );
    await step();
    await step();
    expect(onChange).toHaveBeenCalledTimes(2);
    run.terminate();
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(onChange).toHaveBeenLastCalledWith(run);
    await expect(run.finished).resolves.toBe("Successful");
  });

  it("is born Error when told so (arguments that did not resolve), and never measures", async () => {
    const { run, provider } = setup([metric()], {}, { error: "args.pod-hash was not resolved" });
    expect(run.phase).toBe("Error");
    expect(run.message).toBe("args.pod-hash was not resolved");
    expect(run.nextDueAt()).toBeNull();
    await run.measureDue();
    expect(provider.calls).toHaveLength(0);
    await expect(run.finished).resolves.toBe("Error");
  });

  it.each<[string, MetricSpec[], string]>([
    ["no metrics", [], "Analysis spec invalid: no metrics specified"],
    [
      "a duplicate name",
      [metric(), metric()],
      "Analysis spec invalid: metrics[1]: duplicate name 'success-rate'",
    ],
    [
      "count > 1 without interval",
      [metric({ count: 3 })],
      "Analysis spec invalid: metrics[0]: interval must be specified when count > 1",
    ],
    [
      "failureLimit -2",
      [metric({ failureLimit: -2 })],
      "Analysis spec invalid: metrics[0]: failureLimit must be >= 0, or -1 to be disabled",
    ],
    [
      "failureLimit -1",
      [metric({ failureLimit: -1 })],
      "Analysis spec invalid: metrics[0]: failureLimit and consecutiveSuccessLimit cannot both be disabled",
    ],
    [
      "inconclusiveLimit -1",
      [metric({ inconclusiveLimit: -1 })],
      "Analysis spec invalid: metrics[0]: inconclusiveLimit must be >= 0",
    ],
    [
      "consecutiveErrorLimit -1",
      [metric({ consecutiveErrorLimit: -1 })],
      "Analysis spec invalid: metrics[0]: consecutiveErrorLimit must be >= 0",
    ],
    [
      "count < failureLimit",
      [metric({ count: 2, intervalSeconds: 1, failureLimit: 3 })],
      "Analysis spec invalid: metrics[0]: count (2) must be >= failureLimit + consecutiveSuccessLimit (3 + 0) if both >= 0",
    ],
    [
      "count < inconclusiveLimit",
      [metric({ count: 2, intervalSeconds: 1, inconclusiveLimit: 3 })],
      "Analysis spec invalid: metrics[0]: count must be >= inconclusiveLimit",
    ],
  ])("validates metrics as Argo does: %s", (_, metrics, message) => {
    const { run } = setup(metrics, {});
    expect(run.phase).toBe("Error");
    expect(run.message).toBe(message);
  });

  it("refuses a time scale that is not a positive number", () => {
    for (const timeScale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => setup([metric()], {}, { timeScale })).toThrow(RangeError);
    }
  });

  it("uses the wall clock when no clock is given", () => {
    const before = Date.now();
    const run = new AnalysisRun({ id: "r", kind: "step", metrics: [metric()], providers: {} });
    expect(run.startedAt).toBeGreaterThanOrEqual(before);
  });
});
