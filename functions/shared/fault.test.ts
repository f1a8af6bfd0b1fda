import { describe, expect, it } from "vitest";
import { faultActive, faultInjection } from "./fault.ts";
import type { HttpMetrics } from "./metrics.ts";
import { createServiceApp } from "./service.ts";
import { silentLog } from "./testing/log.ts";

/** A random source that replays `values` in a loop. */
function replay(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function recordingMetrics() {
  const observed: { route: string; status: string }[] = [];
  const metrics: HttpMetrics = {
    observe: ({ route, status }) => observed.push({ route, status }),
    render: async () => ({ contentType: "text/plain", body: "# metrics\n" }),
  };
  return { metrics, observed };
}

function serviceApp(options: { errorRate: number; latencyMs: number }) {
  const { metrics, observed } = recordingMetrics();
  const app = createServiceApp({
    name: "svc",
    version: "v2",
    log: silentLog,
    authSecret: "secret",
    metrics,
    readiness: {},
    fault: options,
  });
  app.get("/work", (c) => c.json({ ok: true }));
  return { app, observed };
}

describe("faultInjection", () => {
  it("answers the requests whose draw falls under the rate with a 500 fault_injected error", async () => {
    const { app } = serviceApp({ errorRate: 0, latencyMs: 0 });
    app.use(faultInjection({ errorRate: 0.3, latencyMs: 0, random: replay([0.1, 0.5, 0.29, 0.3, 0.99]) }));
    app.get("/faulty", (c) => c.json({ ok: true }));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.request("/faulty")).status);
    expect(statuses).toEqual([500, 200, 500, 200, 200]);

    const failed = await app.request("/faulty"); // draws 0.1 again
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await failed.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("fault_injected");
    expect(body.error.message).toMatch(/FAULT_ERROR_RATE=0.3/);
  });

  it("fails every request at rate 1 and none at rate 0", async () => {
    const { app } = serviceApp({ errorRate: 0, latencyMs: 0 });
    app.use("/always/*", faultInjection({ errorRate: 1, latencyMs: 0, random: () => 0.999999 }));
    app.use("/never/*", faultInjection({ errorRate: 0, latencyMs: 0, random: () => 0 }));
    app.get("/always/x", (c) => c.text("ok"));
    app.get("/never/x", (c) => c.text("ok"));
    expect((await app.request("/always/x")).status).toBe(500);
    expect((await app.request("/never/x")).status).toBe(200);
  });

  it("delays requests by latencyMs before answering", async () => {
    const waits: number[] = [];
    const { app } = serviceApp({ errorRate: 0, latencyMs: 0 });
    app.use(
      faultInjection({
        errorRate: 0,
        latencyMs: 120,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );
    app.get("/slow", (c) => c.text("ok"));
    expect((await app.request("/slow")).status).toBe(200);
    expect(waits).toEqual([120]);
  });

  it("really waits with the default sleep", async () => {
    const { app } = serviceApp({ errorRate: 0, latencyMs: 0 });
    app.use(faultInjection({ errorRate: 0, latencyMs: 5 }));
    app.get("/slow", (c) => c.text("ok"));
    expect(await (await app.request("/slow")).text()).toBe("ok");
  });
});

describe("the fault switch in createServiceApp", () => {
  it("is off unless a rate or a delay is set", () => {
    expect(faultActive(undefined)).toBe(false);
    expect(faultActive({ errorRate: 0, latencyMs: 0 })).toBe(false);
    expect(faultActive({ errorRate: 0.1, latencyMs: 0 })).toBe(true);
    expect(faultActive({ errorRate: 0, latencyMs: 1 })).toBe(true);
  });

  it("spares probes and scrapes, fails the rest, and the metrics count the injected errors", async () => {
    const { app, observed } = serviceApp({ errorRate: 1, latencyMs: 0 });
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      expect((await app.request(path)).status, path).toBe(200);
    }
    const failed = await app.request("/work");
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("fault_injected");
    // Security headers still apply to the injected answer.
    expect(failed.headers.get("x-content-type-options")).toBe("nosniff");
    expect(observed).toContainEqual({ route: "/work", status: "500" });
  });

  it("leaves the service untouched when off", async () => {
    const { app } = serviceApp({ errorRate: 0, latencyMs: 0 });
    expect((await app.request("/work")).status).toBe(200);
  });
});
