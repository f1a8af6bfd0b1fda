/**
 * Argo's web metric provider (webmetric.go): an HTTP request (method, headers, body, timeoutSeconds,
 * default 10 s); a non-2xx answer is an Error. A JSON body goes through `jsonPath` (default `{$}`) and the
 * first value found is `result`, shown as Go's json.Marshal would; a body that is not JSON is `result` as a
 * plain string (so `result == "I am OK"` works).
 */
import type { MetricSpec } from "../types.ts";
import { type JsonPath, parseJsonPath } from "./json-path.ts";
import { fetchWithTimeout, type Measured, type MetricProvider, readText } from "./provider.ts";

const BODY_LIMIT = 16 * 1024 * 1024;

/** Go's json.Marshal: map keys sorted, and <, >, & escaped as \u003c, \u003e, \u0026. */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (typeof v === "object" && v !== null) {
      const source = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(source)
          .sort()
          .map((key) => [key, sorted(source[key])]),
      );
    }
    return v;
  };
  const escapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };
  return (JSON.stringify(sorted(value)) ?? "null").replace(/[<>&]/g, (c) => escapes[c]!);
}

export interface WebProviderOptions {
  /** Default 10 000 when a metric's timeoutSeconds is not positive, Argo's default. */
  defaultTimeoutMs?: number;
}

export class WebProvider implements MetricProvider {
  constructor(private readonly options: WebProviderOptions = {}) {}

  async measure(metric: MetricSpec, signal: AbortSignal): Promise<Measured> {
    if (!("web" in metric.provider)) throw new Error(`metric "${metric.name}" is not a web metric`);
    const web = metric.provider.web;
    const method = web.method || "GET";
    if (web.body && method === "GET") {
      throw new Error("Body/JSONBody can only be used with POST or PUT WebMetric Method types");
    }
    const template = web.jsonPath || "{$}";
    let path: JsonPath;
    try {
      path = parseJsonPath(template);
    } catch (err) {
      throw new Error(`invalid jsonPath "${template}": ${(err as Error).message}`);
    }
    const headers = new Headers();
    for (const { key, value } of web.headers) headers.set(key, value);
    const timeoutMs =
      web.timeoutSeconds > 0 ? web.timeoutSeconds * 1000 : (this.options.defaultTimeoutMs ?? 10_000);
    const response = await fetchWithTimeout(
      web.url,
      { method, headers, body: web.body || undefined, signal, redirect: "follow" },
      timeoutMs,
    );
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel();
      throw new Error(`received non 2xx response code: ${response.status}`);
    }
    const text = await readText(response, BODY_LIMIT);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return { value: text, display: text };
    }
    let results: unknown[][];
    try {
      results = path.findResults(data);
    } catch (err) {
      throw new Error(`Could not find JSONPath in body: ${(err as Error).message}`);
    }
    const found = results.find((list) => list.length > 0);
    if (!found) throw new Error("result of web metric produced no value");
    return { value: found[0], display: goJson(found[0]) };
  }
}
