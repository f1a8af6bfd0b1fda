import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { HttpMetrics } from "./metrics.ts";

/** Buckets from 1 ms to 10 s, dense where our latency SLOs sit (p95/p99 ≤ 25 ms … 250 ms). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PrometheusMetrics extends HttpMetrics {
  registry: Registry;
}

/**
 * A per-service prom-client registry with `http_requests_total` and `http_request_duration_seconds`
 * labelled by service, route pattern, method and status, plus Node's default process metrics.
 * `version` (the release label, e.g. from a Rollout) is a default label so dashboards can split by it.
 */
export function prometheusMetrics(service: string, version: string): PrometheusMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, version });
  collectDefaultMetrics({ register: registry });
  const labelNames = ["route", "method", "status"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by route pattern, method and status.",
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  // prom-client hashes the label object on every call; the label sets are few (routes × methods × statuses),
  // so keep each set's bound children and skip the hashing on the hot path.
  const bound = new Map<string, { count: () => void; time: (s: number) => void }>();
  return {
    registry,
    observe(labels, seconds) {
      const key = `${labels.route} ${labels.method} ${labels.status}`;
      let series = bound.get(key);
      if (!series) {
        const counter = requests.labels(labels);
        const histogram = duration.labels(labels);
        series = { count: () => counter.inc(), time: (s) => histogram.observe(s) };
        bound.set(key, series);
      }
      series.count();
      series.time(seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
