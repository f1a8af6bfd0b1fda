/**
 * What an AnalysisRun asks of a metric provider (Argo's metricproviders): take one measurement of a metric
 * and hand back the value its conditions see as `result`, and that value as Argo would show it. A failure
 * (unreachable, refused query, non-2xx, unsupported result) is thrown as an Error whose message becomes the
 * measurement's; the run turns it into an Error measurement.
 */
import type { MetricSpec } from "../types.ts";

export interface Measured {
  /** What the conditions see as `result`: number[] for a Prometheus vector, a number, or parsed JSON. */
  value: unknown;
  /** The value as Argo shows it in a measurement, e.g. "[0.99]". */
  display: string;
}

export interface MetricProvider {
  measure(metric: MetricSpec, signal: AbortSignal): Promise<Measured>;
}

/** The providers a run may use, by the provider key of the metric (`provider.prometheus`, `provider.web`). */
export type MetricProviders = Partial<Record<"prometheus" | "web", MetricProvider>>;

export const providerType = (metric: MetricSpec): "prometheus" | "web" =>
  "prometheus" in metric.provider ? "prometheus" : "web";

/** Go's strconv.FormatFloat(f, 'f', -1, 64), as Prometheus' SampleValue.String(): no exponent, +Inf, NaN. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Object.is(value, -0)) return "-0";
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = "", exponentText] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const digits = lead + fraction;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  // JavaScript writes an exponent from 1e21 up, with at most 17 digits: the number is an integer.
  return sign + digits.padEnd(exponent + 1, "0");
}

/** A connection the server closed under us (a kept-alive one it had dropped, say). */
const isSocketFailure = (err: unknown) =>
  ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"].includes(
    String((err as { cause?: { code?: unknown } }).cause?.code),
  );

/**
 * An HTTP request with a deadline and the run's abort signal. Like Go's client, a GET whose connection the
 * server closed is tried once more. Failures are reported as Go's client reports them (`Get "url": reason`),
 * so messages read like Argo's.
 */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit & { signal: AbortSignal },
  timeoutMs: number,
): Promise<Response> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const method = (init.method ?? "GET").toUpperCase();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.any([init.signal, deadline]) });
    } catch (err) {
      if (init.signal.aborted) throw err;
      if (attempt === 1 && method === "GET" && !deadline.aborted && isSocketFailure(err)) continue;
      const reason = deadline.aborted
        ? `timed out after ${timeoutMs} ms`
        : String((err as { cause?: unknown }).cause ?? (err as Error).message);
      throw new Error(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${reason}`);
    }
  }
}

/** Reads a response body as text, refusing more than `limit` bytes (a metric answer is small). */
export async function readText(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`response body larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
