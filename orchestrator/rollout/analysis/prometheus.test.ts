import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type PrometheusServer,
  skipWithoutPrometheus,
  startPrometheus,
} from "../../../delivery/prometheus-server.ts";
import type { MetricSpec } from "../types.ts";
import { fromQueryData, PrometheusProvider, parseSampleValue } from "./prometheus.ts";
import { formatGoFloat } from "./provider.ts";
import { AnalysisRun } from "./run.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A tiny HTTP server on 127.0.0.1 whose answers each test sets; it records what it was asked. */
async function fakeServer() {
  let handler: Handler = (_, res) => res.end();
  const requests: { method: string; url: URL }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: new URL(req.url ?? "/", "http://fake") });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    answer(next: Handler) {
      handler = next;
    },
    json(status: number, body: unknown) {
      handler = (_, res) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const metric = (address: string, query = "up", extra: Partial<MetricSpec> = {}): MetricSpec => ({
  name: "success-rate",
  successCondition: "result[0] >= 0.95",
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  provider: { prometheus: { address, query } },
  ...extra,
});

const vector = (...values: string[]) => ({
  status: "success",
  data: {
    resultType: "vector",
    result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1.5, v] })),
  },
});

const never = () => new AbortController().signal;

describe("PrometheusProvider against a fake Prometheus", () => {
  let fake: Awaited<ReturnType<typeof fakeServer>>;
  beforeAll(async () => {
    fake = await fakeServer();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
  });

  it("sends an instant query (GET /api/v1/query) and turns a vector into an array of numbers", async () => {
    fake.json(200, vector("0.99", "0.5"));
    const query = 'sum(rate(http_requests_total{service="tinyurl",status!~"5.."}[2m]))';
    const measured = await new PrometheusProvider().measure(metric(fake.url, query), never());
    expect(measured).toEqual({ value: [0.99, 0.5], display: "[0.99,0.5]" });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.method).toBe("GET");
    expect(fake.requests[0]!.url.pathname).toBe("/api/v1/query");
    expect(fake.requests[0]!.url.searchParams.get("query")).toBe(query);
  });

  it("keeps a path prefix of the address, and the address option wins over the metric's", async () => {
    fake.json(200, vector("1"));
    await new PrometheusProvider().measure(metric(`${fake.url}/prometheus/`), never());
    await new PrometheusProvider({ address: `${fake.url}/p` }).measure(
      metric("http://cluster:9090"),
      never(),
    );
    expect(fake.requests.map((r) => r.url.pathname)).toEqual(["/prometheus/api/v1/query", "/p/api/v1/query"]);
  });

  it("gives an empty vector as [] (which `result[0]` turns into an Error), NaN and ±Inf as numbers", async () => {
    fake.json(200, vector());
    expect(await new PrometheusProvider().measure(metric(fake.url), never())).toEqual({
      value: [],
      display: "[]",
    });
    fake.json(200, vector("NaN", "+Inf", "-Inf"));
    expect(await new PrometheusProvider().measure(metric(fake.url), never())).toEqual({
      value: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      display: "[NaN,+Inf,-Inf]",
    });
  });

  it("gives a scalar as a number and a matrix as all its series' values", async () => {
    fake.json(200, { status: "success", data: { resultType: "scalar", result: [1.5, "1e-7"] } });
    expect(await new PrometheusProvider().measure(metric(fake.url), never())).toEqual({
      value: 1e-7,
      display: "0.0000001",
    });
    fake.json(200, {
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: {},
            values: [
              [1, "1"],
              [2, "2"],
            ],
          },
          { metric: {}, values: [[1, "3"]] },
        ],
      },
    });
    expect(await new PrometheusProvider().measure(metric(fake.url), never())).toEqual({
      value: [1, 2, 3],
      display: "[1,2,3]",
    });
  });

  it.each<[string, number, unknown, string]>([
    [
      "Prometheus' own error",
      400,
      { status: "error", errorType: "bad_data", error: '1:5: parse error: unexpected "}"' },
      'bad_data: 1:5: parse error: unexpected "}"',
    ],
    [
      "an unavailable Prometheus",
      503,
      { status: "error", errorType: "unavailable", error: "not ready" },
      "unavailable: not ready",
    ],
    ["an error without a type", 422, { status: "error" }, "error: "],
    [
      "a string result",
      200,
      { status: "success", data: { resultType: "string", result: [1, "x"] } },
      "Prometheus metric type not supported",
    ],
    ["a bad sample", 200, vector("lots"), 'bad_response: invalid sample value "lots"'],
    [
      "a 200 that is not the API",
      200,
      "<html>proxy</html>",
      'bad_response: not a Prometheus API answer: "<html>proxy</html>"',
    ],
  ])("fails with %s", async (_, status, body, message) => {
    fake.json(status, body);
    await expect(new PrometheusProvider().measure(metric(fake.url), never())).rejects.toThrow(message);
  });

  it.each<[number, string]>([
    [502, "server_error: server error: 502"],
    [404, "client_error: client error: 404"],
  ])("fails on HTTP %i without a Prometheus answer", async (status, message) => {
    fake.answer((_, res) => {
      res.writeHead(status, { "content-type": "text/html" });
      res.end("<h1>nope</h1>");
    });
    await expect(new PrometheusProvider().measure(metric(fake.url), never())).rejects.toThrow(message);
  });

  it("gives up after its timeout, saying where and why", async () => {
    fake.answer(() => {
      // never answers; closeAllConnections() ends it
    });
    const provider = new PrometheusProvider({ timeoutMs: 100 });
    await expect(provider.measure(metric(fake.url), never())).rejects.toThrow(
      `Get "${fake.url}/api/v1/query?query=up": timed out after 100 ms`,
    );
  });

  it("stops when the run aborts the measurement", async () => {
    fake.answer(() => {});
    const controller = new AbortController();
    const measuring = new PrometheusProvider().measure(metric(fake.url), controller.signal);
    controller.abort();
    await expect(measuring).rejects.toMatchObject({ name: "AbortError" });
  });

  it("refuses an address that is not a URL, and a metric of another provider", async () => {
    await expect(new PrometheusProvider().measure(metric("prometheus:9090"), never())).rejects.toThrow(
      'prometheus address is not in url format: "prometheus:9090"',
    );
    const web = metric(fake.url, "up", {
      provider: { web: { url: fake.url, method: "GET", headers: [], jsonPath: "{$}", timeoutSeconds: 1 } },
    });
    await expect(new PrometheusProvider().measure(web, never())).rejects.toThrow(
      "is not a prometheus metric",
    );
  });

  it("reports an unreachable Prometheus as Go's client does", async () => {
    const closed = await fakeServer();
    await closed.close();
    await expect(new PrometheusProvider().measure(metric(closed.url), never())).rejects.toThrow(
      new RegExp(`^Get "${closed.url}/api/v1/query\\?query=up": .*ECONNREFUSED`),
    );
  });

  it("drives an AnalysisRun: an empty answer is an Error measurement, a good one Successful", async () => {
    fake.json(200, vector());
    const run = new AnalysisRun({
      id: "step-1",
      kind: "step",
      metrics: [metric(fake.url)],
      providers: { prometheus: new PrometheusProvider() },
    });
    await run.measureDue();
    expect(run.status().metrics[0]!.measurements[0]!.message).toContain("metric result is nil or empty");
    fake.json(200, vector("0.98"));
    const good = new AnalysisRun({
      id: "s",
      kind: "step",
      metrics: [metric(fake.url)],
      providers: { prometheus: new PrometheusProvider() },
    });
    await good.measureDue();
    expect(good.phase).toBe("Successful");
    expect(good.status().metrics[0]!.measurements[0]!.value).toBe("[0.98]");
  });
});

describe("Prometheus values", () => {
  it.each<[number, string]>([
    [0.99, "0.99"],
    [1e21, "1000000000000000000000"],
    [1.5e22, "15000000000000000000000"],
    [1e-7, "0.0000001"],
    [-2.5e-8, "-0.000000025"],
    [-0, "-0"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
  ])("formats %d as Go's FormatFloat(f, 'f', -1): %s", (value, text) => {
    expect(formatGoFloat(value)).toBe(text);
  });

  it("parses Prometheus' sample values", () => {
    expect(parseSampleValue("Inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue("nan")).toBeNaN();
    expect(parseSampleValue("-1.5e3")).toBe(-1500);
    expect(() => fromQueryData({ resultType: "scalar", result: [0, "x"] })).toThrow("invalid sample value");
  });
});

const skipReal = skipWithoutPrometheus("PrometheusProvider against a real Prometheus");

describe.skipIf(skipReal)("PrometheusProvider against a real Prometheus", () => {
  let target: Awaited<ReturnType<typeof fakeServer>>;
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    target = await fakeServer();
    target.answer((_, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end('canary_success_ratio{version="new"} 0.97\ncanary_success_ratio{version="old"} 0.5\n');
    });
    prometheus = await startPrometheus({ jobs: [{ job: "analysis", targets: [{ url: target.url }] }] });
    await prometheus.waitForScrapes(1);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
  });

  it("measures a scraped series, an empty result, a scalar, and reports a refused query in Prometheus' words", async () => {
    const provider = new PrometheusProvider({ address: prometheus.url });
    const measure = (query: string) => provider.measure(metric("http://unused.example:9090", query), never());
    expect(await measure('canary_success_ratio{job="analysis",version="new"}')).toEqual({
      value: [0.97],
      display: "[0.97]",
    });
    expect(await measure("canary_no_such_series")).toEqual({ value: [], display: "[]" });
    expect(await measure("1 / 0")).toEqual({ value: Number.POSITIVE_INFINITY, display: "+Inf" });
    await expect(measure("sum(canary_success_ratio")).rejects.toThrow(/^bad_data: .*parse error/);
  });
});
