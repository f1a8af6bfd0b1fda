/**
 * Fetches a feed's bytes over http(s), safely (Node). Every problem comes back as a result, never thrown.
 *
 * - SSRF: each hop's host is resolved here (ssrf.ts: every address checked), and the request connects to
 *   exactly those addresses: node:http(s) is given a `lookup` that answers with them, so DNS is asked once
 *   per hop and a second, different answer (rebinding) is never used. node:http rather than fetch() because
 *   global fetch takes no lookup, and undici's Agent would be one more dependency for the same hook. The
 *   URL keeps its host name, so Host, TLS SNI and certificate checks are the name's, as they should be.
 * - Redirects: at most `maxRedirects` (5) are followed, each target checked again (scheme and addresses).
 * - Limits: one deadline (`timeoutMs`) covers the whole fetch, redirects and body included; the body is
 *   streamed and the fetch aborted once it passes `maxBytes`, counted after decompression (gzip bombs).
 * - Conditional GET: the caller's validators go out as If-None-Match / If-Modified-Since; 304 →
 *   `not_modified`.
 */
import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import {
  BodyCollector,
  type FetchResult,
  failure,
  interruption,
  requestHeaders,
  settleResponse,
  type Validators,
} from "./fetch-common.ts";
import { pinnedLookup, systemResolver } from "./resolve-node.ts";
import { type Allowlist, checkFeedUrl, type ResolvedAddress, type Resolver, resolveAllowed } from "./ssrf.ts";

export type { FetchErrorReason, FetchResult, ServerHints, Validators } from "./fetch-common.ts";

export interface FetchOptions {
  allowlist: Allowlist;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Name → addresses; the system resolver by default. */
  resolve?: Resolver;
  /** Aborts the fetch (e.g. on shutdown); the result is then an `aborted` error. */
  signal?: AbortSignal;
}

const DEFAULT_USER_AGENT = "canary-newsfeed/0.1 (feed fetcher)";

const header = (response: IncomingMessage, name: string): string | null => {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
};

function send(url: URL, addresses: ResolvedAddress[], headers: Record<string, string>, signal: AbortSignal) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: { ...headers, host: url.host },
        lookup: pinnedLookup(addresses),
        // A fresh connection per fetch: no pooled socket chosen by an earlier, differently checked hop.
        agent: false,
        signal,
      },
      resolve,
    );
    request.once("error", reject);
    request.end();
  });
}

const DECODERS = new Map<string, () => Transform>([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
  ["br", createBrotliDecompress],
]);

/** A body that cannot be decoded (unknown or corrupt content-encoding). */
class BadResponse extends Error {}

/** The body, decompressed, or "too_large" as soon as it passes `maxBytes`. */
async function readBody(response: IncomingMessage, maxBytes: number): Promise<Uint8Array | "too_large"> {
  const declared = Number(header(response, "content-length"));
  const encoding = (header(response, "content-encoding") ?? "identity").trim().toLowerCase();
  const decoder = DECODERS.get(encoding)?.() ?? null;
  const collected = new BodyCollector(maxBytes);
  try {
    if (!decoder && encoding !== "identity")
      throw new BadResponse(`unsupported content-encoding ${encoding}`);
    if (!decoder && declared > maxBytes) return "too_large";
    const stream = decoder ? pipeline(response, decoder, () => {}) : response;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!collected.add(chunk)) return "too_large";
    }
  } catch (err) {
    // zlib and brotli errors carry a numeric errno and a Z_ or ERR_ code; a dropped connection does not.
    const { code, errno } = err as NodeJS.ErrnoException;
    if (decoder && typeof errno === "number" && /^(Z_|ERR_)/.test(code ?? ""))
      throw new BadResponse(`corrupt ${encoding} body (${code})`);
    throw err;
  } finally {
    response.destroy();
    decoder?.destroy();
  }
  return collected.body();
}

function classify(
  err: unknown,
  url: string,
  timedOut: boolean,
  aborted: boolean,
  timeoutMs: number,
): FetchResult {
  const interrupted = interruption(timedOut, aborted, timeoutMs, url);
  if (interrupted) return interrupted;
  if (err instanceof BadResponse) return failure("bad_response", err.message, url);
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const message = `${code ? `${code}: ` : ""}${(err as Error).message ?? String(err)}`;
  if (/CERT|SSL|TLS|EPROTO/.test(code) || /SSL|TLS/i.test(String(err))) return failure("tls", message, url);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return failure("dns", message, url);
  return failure("network", message, url);
}

/** Resolves with the first settlement of `promise` or the signal's abort (which rejects). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Fetches `url`. `validators` are those stored from the previous fetch (either may be null). Never throws
 * for a network or HTTP problem: see FetchResult.
 */
export async function fetchFeed(
  url: string,
  validators: Partial<Validators>,
  options: FetchOptions,
): Promise<FetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const resolve = options.resolve ?? systemResolver;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, options.timeoutMs);
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });

  const headers = requestHeaders(validators, options.userAgent ?? DEFAULT_USER_AGENT, {
    "accept-encoding": "gzip, deflate, br",
  });

  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const checked = checkFeedUrl(current);
      if (!checked.ok) return failure(checked.reason, checked.message, current);
      const target = checked.url;
      current = target.href;
      const resolution = await abortable(
        resolveAllowed(target.hostname, options.allowlist, resolve),
        controller.signal,
      );
      if (!resolution.ok) return failure(resolution.reason, resolution.message, current);
      const response = await send(target, resolution.addresses, headers, controller.signal);
      const access = {
        status: response.statusCode ?? 0,
        header: (name: string) => header(response, name),
        release: () => response.destroy(),
        readBody: () => readBody(response, options.maxBytes),
      };
      const hop = { url: current, redirects, maxRedirects, validators };
      const settled = await settleResponse(access, hop, options.maxBytes);
      if (settled.kind !== "follow") return settled;
      current = settled.url;
    }
  } catch (err) {
    return classify(err, current, timedOut, controller.signal.aborted, options.timeoutMs);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }
}
