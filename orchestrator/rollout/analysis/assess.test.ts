import { describe, expect, it } from "vitest";
import type { MetricSpec } from "../types.ts";
import type { MetricProvider } from "./provider.ts";
import { AnalysisRun } from "./run.ts";
import { fakeClock, metric, START, setup, vector } from "./testing/fake-run.ts";

describe("AnalysisRun limits (Argo: a metric fails when a count is MORE than its limit)", () => {
  it("failureLimit 0: one failed measurement fails the metric and the run", async () => {
    const { run, finish } = setup([metric({ intervalSeconds: 10, count: 3 })], {
      "success-rate": [vector(0.5)],
    });
    expect(await finish()).toBe("Failed");
    expect(run.message).toBe('Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)');
  });

  it("failureLimit 2 tolerates two failures and fails on the third", async () => {
    const tolerated = setup([metric({ intervalSeconds: 10, count: 3, failureLimit: 2 })], {
      "success-rate": [vector(0.5), vector(0.5), vector(1)],
    });
    expect(await tolerated.finish()).toBe("Successful");
    expect(tolerated.run.status().metrics[0]).toMatchObject({ failed: 2, successful: 1, count: 3 });
    const failing = setup([metric({ intervalSeconds: 10, count: 5, failureLimit: 2 })], {
      "success-rate": [vector(0.5), vector(1), vector(0.5), vector(0.5)],
    });
    expect(await failing.finish()).toBe("Failed");
    expect(failing.run.status().metrics[0]).toMatchObject({ phase: "Failed", failed: 3, count: 4 });
  });

  it("inconclusiveLimit: a measurement neither condition decides is Inconclusive; more than the limit ends the run Inconclusive", async () => {
    const both = { successCondition: "result[0] >= 0.95", failureCondition: "result[0] < 0.5" };
    const { run, finish } = setup(
      [metric({ ...both, intervalSeconds: 10, count: 4, inconclusiveLimit: 1 })],
      {
        "success-rate": [vector(0.7), vector(0.99), vector(0.6)],
      },
    );
    expect(await finish()).toBe("Inconclusive");
    expect(run.status().metrics[0]!.measurements.map((m) => m.phase)).toEqual([
      "Inconclusive",
      "Successful",
      "Inconclusive",
    ]);
    expect(run.message).toBe(
      'Metric "success-rate" assessed Inconclusive due to inconclusive (2) > inconclusiveLimit (1)',
    );
  });

  it("consecutiveErrorLimit (default 4): the fifth error in a row makes the run Error, with the provider's message", async () => {
    const { run, finish } = setup([metric({ intervalSeconds: 60, count: 3 })], {
      "success-rate": Array(5).fill(new Error("connection refused")),
    });
    expect(await finish()).toBe("Error");
    expect(run.status().metrics[0]).toMatchObject({
      phase: "Error",
      error: 5,
      consecutiveError: 5,
      count: 0,
      message: "connection refused",
    });
    expect(run.message).toBe(
      'Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"',
    );
    expect(run.status().metrics[0]!.measurements[0]).toEqual({
      phase: "Error",
      message: "connection refused",
      startedAt: START,
      finishedAt: START,
    });
  });

  it("a successful (or failed) measurement breaks an error streak", async () => {
    const { run, finish } = setup(
      [metric({ intervalSeconds: 10, count: 3, consecutiveErrorLimit: 1, failureLimit: 1 })],
      {
        "success-rate": [new Error("x"), vector(1), new Error("y"), vector(0.1), new Error("z"), vector(1)],
      },
    );
    expect(await finish()).toBe("Successful");
    expect(run.status().metrics[0]).toMatchObject({ error: 3, consecutiveError: 0, count: 3, failed: 1 });
    const streak = setup([metric({ intervalSeconds: 10, count: 3, consecutiveErrorLimit: 1 })], {
      "success-rate": [vector(1), new Error("x"), new Error("y")],
    });
    expect(await streak.finish()).toBe("Error");
  });

  it("the last limit crossed decides, as in Argo: errors over failures", async () => {
    const { run, finish } = setup(
      [metric({ intervalSeconds: 10, count: 9, failureLimit: 1, consecutiveErrorLimit: 0 })],
      {
        "success-rate": [vector(0.1), new Error("x")],
      },
    );
    expect(await finish()).toBe("Error");
    expect(run.status().metrics[0]).toMatchObject({ failed: 1, consecutiveError: 1 });
  });
});

describe("AnalysisRun measurement phases", () => {
  it.each<[string, Partial<MetricSpec>, number, string]>([
    ["success only, holds", { successCondition: "result[0] > 0.5" }, 0.9, "Successful"],
    ["success only, does not hold", { successCondition: "result[0] > 0.5" }, 0.1, "Failed"],
    [
      "failure only, holds",
      { successCondition: undefined, failureCondition: "result[0] > 0.5" },
      0.9,
      "Failed",
    ],
    [
      "failure only, does not hold",
      { successCondition: undefined, failureCondition: "result[0] > 0.5" },
      0.1,
      "Successful",
    ],
    ["neither", { successCondition: undefined }, 0.1, "Successful"],
  ])("%s", async (_, conditions, value, phase) => {
    const { run, finish } = setup([metric(conditions)], { "success-rate": [vector(value)] });
    await finish();
    expect(run.status().metrics[0]!.measurements[0]!.phase).toBe(phase);
  });

  it("an empty vector under `result[0]` is an Error with Argo's no-data message, and no value", async () => {
    const { run, step } = setup([metric()], { "success-rate": [vector()] });
    await step();
    expect(run.status().metrics[0]!.measurements[0]).toEqual({
      phase: "Error",
      message:
        'could not evaluate successCondition "result[0] >= 0.95": metric result is nil or empty: no data returned from the metric provider',
      startedAt: START,
      finishedAt: START,
    });
  });

  it("a metric whose provider the engine lacks is an Error measurement", async () => {
    const clock = fakeClock();
    const web = metric({
      provider: { web: { url: "http://x", method: "GET", headers: [], jsonPath: "{$}", timeoutSeconds: 1 } },
    });
    const run = new AnalysisRun({
      id: "r",
      kind: "background",
      metrics: [web],
      providers: {},
      now: clock.now,
    });
    await run.measureDue();
    expect(run.status().metrics[0]!.measurements[0]!.message).toBe(
      "no web metric provider is available to the local engine",
    );
  });

  it("a provider that throws something other than an Error still records an Error", async () => {
    const clock = fakeClock();
    const odd: MetricProvider = { measure: () => Promise.reject("plain string") };
    const run = new AnalysisRun({
      id: "r",
      kind: "step",
      metrics: [metric()],
      providers: { prometheus: odd },
      now: clock.now,
    });
    await run.measureDue();
    expect(run.status().metrics[0]!.measurements[0]!.message).toBe("plain string");
  });

  it("keeps the last 10 measurements per metric (Argo's retention) and every count", async () => {
    const values = Array.from({ length: 15 }, (_, i) => vector(1 + i));
    const { run, step } = setup([metric({ intervalSeconds: 1, count: 15 })], { "success-rate": [...values] });
    for (let i = 0; i < 15; i++) await step();
    const [result] = run.status().metrics;
    expect(result!.count).toBe(15);
    expect(result!.measurements.map((m) => m.value)).toEqual(values.slice(5).map((v) => v.display));
    const short = setup(
      [metric({ intervalSeconds: 1, count: 3 })],
      { "success-rate": Array(3).fill(vector(1)) },
      { measurementRetention: 2 },
    );
    await short.finish();
    expect(short.run.status().metrics[0]!.measurements).toHaveLength(2);
  });
});

describe("AnalysisRun with several metrics", () => {
  const indefinite = metric({ name: "background", intervalSeconds: 30 });

  it("a Failed metric ends the run at once; the indefinite metric stops and counts as Successful", async () => {
    const { run, step, provider } = setup([metric({ name: "gate" }), indefinite], {
      gate: [vector(0.2)],
      background: [vector(1), vector(1)],
    });
    await step();
    expect(run.phase).toBe("Failed");
    expect(run.status().metrics.map((m) => m.phase)).toEqual(["Failed", "Successful"]);
    expect(run.nextDueAt()).toBeNull();
    expect(provider.count("background")).toBe(1);
  });

  it("the worst phase wins: Failed over Error over Inconclusive over Successful", async () => {
    const both = { successCondition: "result[0] >= 0.95", failureCondition: "result[0] < 0.5" };
    const { run, step } = setup(
      [
        metric({ name: "ok" }),
        metric({ name: "unsure", ...both }),
        metric({ name: "broken", consecutiveErrorLimit: 0 }),
        metric({ name: "bad" }),
      ],
      { ok: [vector(1)], unsure: [vector(0.7)], broken: [new Error("x")], bad: [vector(0.1)] },
    );
    await step();
    expect(run.status().metrics.map((m) => m.phase)).toEqual([
      "Successful",
      "Inconclusive",
      "Error",
      "Failed",
    ]);
    expect(run.phase).toBe("Failed");
    const second = setup(
      [metric({ name: "unsure", ...both }), metric({ name: "broken", consecutiveErrorLimit: 0 })],
      {
        unsure: [vector(0.7)],
        broken: [new Error("x")],
      },
    );
    await second.step();
    expect(second.run.phase).toBe("Error");
  });

  it("stays Running while one metric is done and another still measures", async () => {
    const { run, step } = setup(
      [metric({ name: "once" }), metric({ name: "thrice", intervalSeconds: 10, count: 3 })],
      {
        once: [vector(1)],
        thrice: [vector(1), vector(1), vector(1)],
      },
    );
    await step();
    expect(run.status().metrics.map((m) => m.phase)).toEqual(["Successful", "Running"]);
    expect(run.phase).toBe("Running");
    await step();
    await step();
    expect(run.phase).toBe("Successful");
  });
});
