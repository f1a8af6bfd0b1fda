import { describe, expect, it } from "vitest";
import { prometheusMetrics } from "./metrics-prometheus.ts";
import { createServiceApp } from "./service.ts";
import { silentLog } from "./testing/log.ts";

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

function app() {
  const metrics = prometheusMetrics("svc", "v7");
  const service = createServiceApp({
    name: "svc",
    version: "v7",
    log: silentLog,
    authSecret: "s",
    metrics,
    readiness: {},
  });
  service.get("/api/items/:id", (c) => c.json({ id: c.req.param("id") }));
  service.get("/:code", (c) => c.redirect("https://example.com/", 302));
  return { service, metrics };
}

async function samples(metrics: ReturnType<typeof prometheusMetrics>, name: string): Promise<Sample[]> {
  const all = (await metrics.registry.getMetricsAsJSON()) as unknown as { name: string; values: Sample[] }[];
  return all.find((m) => m.name === name)?.values ?? [];
}

describe("prometheusMetrics via the service skeleton", () => {
  it("counts requests by route pattern, method and status, never by raw path", async () => {
    const { service, metrics } = app();
    await service.request("/abc1234");
    await service.request("/xyz9876");
    await service.request("/api/items/42");
    await service.request("/api/items/43", {
      method: "POST",
      headers: { "content-type": "application/json" },
    }); // 404
    const counts = (await samples(metrics, "http_requests_total")).map((s) => ({
      ...s.labels,
      value: s.value,
    }));
    const common = { service: "svc", version: "v7" };
    expect(counts).toContainEqual({ ...common, route: "/:code", method: "GET", status: "302", value: 2 });
    expect(counts).toContainEqual({
      ...common,
      route: "/api/items/:id",
      method: "GET",
      status: "200",
      value: 1,
    });
    expect(counts).toContainEqual({ ...common, route: "unmatched", method: "POST", status: "404", value: 1 });
    expect(counts).toHaveLength(3);
    const text = (await metrics.render()).body;
    expect(text).not.toContain("abc1234");
    expect(text).not.toContain("/api/items/42");
  });

  it("labels a request a middleware refused with the route it was meant for", async () => {
    const { service, metrics } = app();
    const big = "x".repeat(70 * 1024); // over the 64 KiB default body limit, refused by a `/*` middleware
    const res = await service.request("/api/items/1", { method: "GET" });
    expect(res.status).toBe(200);
    const refused = await service.request("/api/items/1", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    expect(refused.status).toBe(413);
    const labels = (await samples(metrics, "http_requests_total")).map(
      (s) => `${s.labels.method} ${s.labels.route} ${s.labels.status}`,
    );
    expect(labels).toContain("POST unmatched 413"); // no POST route exists for it
    await service.request("/abc1234", { method: "GET", headers: { authorization: "Basic nope" } }); // 401 from auth
    const after = (await samples(metrics, "http_requests_total")).map(
      (s) => `${s.labels.method} ${s.labels.route} ${s.labels.status}`,
    );
    expect(after).toContain("GET /:code 401");
  });

  it("labels unmatched paths `unmatched`", async () => {
    const { metrics } = app();
    const bare = createServiceApp({
      name: "svc",
      version: "v7",
      log: silentLog,
      authSecret: "s",
      metrics,
      readiness: {},
    });
    await bare.request("/no/such/route");
    await bare.request("/another/one");
    const counts = (await samples(metrics, "http_requests_total")).map((s) => ({
      ...s.labels,
      value: s.value,
    }));
    expect(counts).toEqual([
      { service: "svc", version: "v7", route: "unmatched", method: "GET", status: "404", value: 2 },
    ]);
  });

  it("observes durations in a histogram with the same labels", async () => {
    const { service, metrics } = app();
    await service.request("/abc1234");
    const values = await samples(metrics, "http_request_duration_seconds");
    const count = values.find((v) => v.metricName === "http_request_duration_seconds_count");
    expect(count).toMatchObject({ labels: { route: "/:code", method: "GET", status: "302" }, value: 1 });
    const inf = values.find(
      (v) => v.metricName === "http_request_duration_seconds_bucket" && v.labels.le === "+Inf",
    );
    expect(inf?.value).toBe(1);
  });

  it("serves the Prometheus text format on /metrics with service and version on every sample", async () => {
    const { service } = app();
    await service.request("/abc1234");
    const res = await service.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain("# TYPE http_requests_total counter");
    expect(body).toContain("# TYPE http_request_duration_seconds histogram");
    const line = body
      .split("\n")
      .find((l) => l.startsWith("http_requests_total{") && l.includes('route="/:code"'));
    expect(line).toBeDefined();
    for (const label of ['service="svc"', 'version="v7"', 'method="GET"', 'status="302"']) {
      expect(line).toContain(label);
    }
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="svc",version="v7"\} /m);
  });

  it("keeps registries of two services apart", async () => {
    const a = prometheusMetrics("a", "1");
    const b = prometheusMetrics("b", "1");
    a.observe({ route: "/x", method: "GET", status: "200" }, 0.01);
    expect(await samples(b, "http_requests_total")).toEqual([]);
    expect((await samples(a, "http_requests_total"))[0]?.value).toBe(1);
  });
});

describe("/metrics without a metrics adapter (the edge)", () => {
  it("says so with the error shape", async () => {
    const service = createServiceApp({
      name: "svc",
      version: "v",
      log: silentLog,
      authSecret: "s",
      readiness: {},
    });
    const res = await service.request("/metrics");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_available", message: "Prometheus metrics are exposed by the Node runtime" },
    });
  });
});
