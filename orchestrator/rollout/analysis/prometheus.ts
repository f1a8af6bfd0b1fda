/**
 * Argo's Prometheus metric provider: an instant query on the HTTP API (`GET /api/v1/query`) with a timeout
 * (Argo's default 30 s). As in Argo's prometheus.go, a vector becomes an array of its sample values (so
 * conditions read `result[0]`; an empty vector is `[]`, which `result[0]` turns into an Error), a matrix the
 * values of all its series, a scalar a number; NaN and ±Inf come through as numbers. A refused query fails
 * with Prometheus' own `errorType: error`.
 *
 *   const prometheus = new PrometheusProvider({ address: "http://127.0.0.1:9090" });
 */
import type { MetricSpec } from "../types.ts";
import { fetchWithTimeout, formatGoFloat, type Measured, type MetricProvider, readText } from "./provider.ts";

export interface PrometheusProviderOptions {
  /** Used instead of every metric's `address` (the engine's own Prometheus, or `--prometheus`). */
  address?: string;
  /** Default 30 000, Argo's default `timeout`. */
  timeoutMs?: number;
}

type Sample = [number, string];
type QueryData =
  | { resultType: "vector"; result: { value: Sample }[] }
  | { resultType: "matrix"; result: { values: Sample[] }[] }
  | { resultType: "scalar" | "string"; result: Sample };

interface ApiAnswer {
  status?: string;
  data?: QueryData;
  errorType?: string;
  error?: string;
}

const BODY_LIMIT = 16 * 1024 * 1024;

/** A sample value as Prometheus writes it: a decimal, "NaN", "+Inf" or "-Inf". */
export function parseSampleValue(text: string): number {
  if (/^[+]?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (Number.isNaN(value) && !/^nan$/i.test(text))
    throw new Error(`bad_response: invalid sample value "${text}"`);
  return value;
}

/** The `result` Argo's provider makes of a query's data, and how it shows it. */
export function fromQueryData(data: QueryData): Measured {
  if (data.resultType === "scalar") {
    const value = parseSampleValue(data.result[1]);
    return { value, display: formatGoFloat(value) };
  }
  if (data.resultType === "vector" || data.resultType === "matrix") {
    const samples =
      data.resultType === "vector"
        ? data.result.map((series) => series.value)
        : data.result.flatMap((series) => series.values);
    const values = samples.map(([, text]) => parseSampleValue(text));
    return { value: values, display: `[${values.map(formatGoFloat).join(",")}]` };
  }
  throw new Error("Prometheus metric type not supported");
}

export class PrometheusProvider implements MetricProvider {
  private readonly timeoutMs: number;
  constructor(private readonly options: PrometheusProviderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async measure(metric: MetricSpec, signal: AbortSignal): Promise<Measured> {
    if (!("prometheus" in metric.provider))
      throw new Error(`metric "${metric.name}" is not a prometheus metric`);
    const { address, query } = metric.provider.prometheus;
    const base = this.options.address ?? address;
    if (!/^https?:\/\/[^/]/.test(base)) throw new Error(`prometheus address is not in url format: "${base}"`);
    const url = new URL("api/v1/query", base.endsWith("/") ? base : `${base}/`);
    url.searchParams.set("query", query);
    const response = await fetchWithTimeout(url.href, { signal }, this.timeoutMs);
    const text = await readText(response, BODY_LIMIT);
    let answer: ApiAnswer | undefined;
    try {
      answer = JSON.parse(text) as ApiAnswer;
    } catch {
      // A proxy's HTML error page, say; reported by status below.
    }
    if (answer?.status === "error") throw new Error(`${answer.errorType ?? "error"}: ${answer.error ?? ""}`);
    if (!response.ok) {
      const side = response.status >= 500 ? "server" : "client";
      throw new Error(`${side}_error: ${side} error: ${response.status}`);
    }
    if (answer?.status !== "success" || !answer.data) {
      throw new Error(`bad_response: not a Prometheus API answer: ${text.slice(0, 200)}`);
    }
    return fromQueryData(answer.data);
  }
}
