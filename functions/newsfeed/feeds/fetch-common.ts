/**
 * What the two feed fetchers share (fetch.ts on Node, fetch-edge.ts on workerd): the FetchResult contract,
 * the conditional-GET request headers, and what a response's status and headers mean (redirect, 304, an
 * HTTP error, or a body to read), so both answer the same way whatever carries the bytes.
 */
import { checkFeedUrl } from "./ssrf.ts";

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** What the server said about when to come back (read by schedule.ts). */
export interface ServerHints {
  cacheControl: string | null;
  retryAfter: string | null;
}

export type FetchErrorReason =
  | "invalid_url"
  | "unsupported_scheme"
  | "blocked_address"
  | "dns"
  | "network"
  | "tls"
  | "timeout"
  | "aborted"
  | "too_large"
  | "too_many_redirects"
  | "bad_redirect"
  | "bad_response"
  | "http_status";

export type FetchResult =
  | {
      kind: "ok";
      /** The URL the body came from, after redirects. */
      url: string;
      status: number;
      body: Uint8Array;
      contentType: string | null;
      validators: Validators;
      hints: ServerHints;
    }
  | { kind: "not_modified"; url: string; validators: Validators; hints: ServerHints }
  | {
      kind: "error";
      reason: FetchErrorReason;
      /** Whether trying again later may succeed (a 503 may; a refused address or a 404 will not). */
      retryable: boolean;
      message: string;
      /** The URL of the hop that failed. */
      url: string;
      /** The HTTP status, for `http_status`. */
      status: number | null;
      hints: ServerHints;
    };

const ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, " +
  "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_STATUS = new Set([408, 425, 429]);
const NO_HINTS: ServerHints = { cacheControl: null, retryAfter: null };

/** Reasons a retry will not fix by itself (an HTTP status decides for itself: 5xx and 429 are retryable). */
const PERMANENT = new Set<FetchErrorReason>([
  "invalid_url",
  "unsupported_scheme",
  "blocked_address",
  "too_large",
  "too_many_redirects",
  "bad_redirect",
  "http_status",
]);

export const failure = (
  reason: FetchErrorReason,
  message: string,
  url: string,
  extra: { status?: number; retryable?: boolean; hints?: ServerHints } = {},
): FetchResult => ({
  kind: "error",
  reason,
  retryable: extra.retryable ?? !PERMANENT.has(reason),
  message,
  url,
  status: extra.status ?? null,
  hints: extra.hints ?? NO_HINTS,
});

/** The failure for a fetch cut short by its deadline or its caller, or null if neither fired. */
export function interruption(timedOut: boolean, aborted: boolean, timeoutMs: number, url: string) {
  if (timedOut) return failure("timeout", `no complete response within ${timeoutMs} ms`, url);
  if (aborted) return failure("aborted", "the fetch was aborted", url);
  return null;
}

/** The request headers: what we accept, and the caller's validators as a conditional GET. */
export function requestHeaders(
  validators: Partial<Validators>,
  userAgent: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": userAgent, accept: ACCEPT, ...extra };
  if (validators.etag) headers["if-none-match"] = validators.etag;
  if (validators.lastModified) headers["if-modified-since"] = validators.lastModified;
  return headers;
}

/** One response header (the first, if repeated), or null. */
export type HeaderReader = (name: string) => string | null;

export const hintsFrom = (header: HeaderReader): ServerHints => ({
  cacheControl: header("cache-control"),
  retryAfter: header("retry-after"),
});

/** The response's validators, each falling back to the caller's (a 304 need not repeat them). */
const validatorsFrom = (header: HeaderReader, previous: Partial<Validators> = {}): Validators => ({
  etag: header("etag") ?? previous.etag ?? null,
  lastModified: header("last-modified") ?? previous.lastModified ?? null,
});

/** What to do with a response: follow a redirect, answer now, or read the body. */
export type Verdict =
  | { kind: "follow"; url: string }
  | { kind: "answer"; result: FetchResult }
  | { kind: "read_body"; hints: ServerHints };

export interface Hop {
  /** The URL this response came from. */
  url: string;
  /** Redirects followed before this hop. */
  redirects: number;
  maxRedirects: number;
  /** The caller's validators. */
  validators: Partial<Validators>;
}

/** Judges a response by its status and headers (the body is not touched). */
export function judgeResponse(status: number, header: HeaderReader, hop: Hop): Verdict {
  const hints = hintsFrom(header);
  const { url } = hop;
  if (REDIRECTS.has(status)) {
    if (hop.redirects >= hop.maxRedirects)
      return answer(failure("too_many_redirects", `more than ${hop.maxRedirects} redirects`, url, { hints }));
    const location = header("location");
    if (!location) return answer(failure("bad_redirect", `${status} without a Location`, url, { hints }));
    const next = checkFeedUrl(location, url);
    if (!next.ok) return answer(failure(next.reason, `redirect refused: ${next.message}`, url, { hints }));
    return { kind: "follow", url: next.url.href };
  }
  if (status === 304)
    return answer({ kind: "not_modified", url, validators: validatorsFrom(header, hop.validators), hints });
  if (status < 200 || status > 299) {
    const retryable = status >= 500 || RETRYABLE_STATUS.has(status);
    return answer(failure("http_status", `HTTP ${status}`, url, { status, retryable, hints }));
  }
  return { kind: "read_body", hints };
}

const answer = (result: FetchResult): Verdict => ({ kind: "answer", result });

/** The result for a 2xx response whose body was read (or found larger than `maxBytes`). */
export function bodyResult(
  body: Uint8Array | "too_large",
  status: number,
  header: HeaderReader,
  url: string,
  hints: ServerHints,
  maxBytes: number,
): FetchResult {
  if (body === "too_large")
    return failure("too_large", `the body is larger than ${maxBytes} bytes`, url, { hints });
  return {
    kind: "ok",
    url,
    status,
    body,
    contentType: header("content-type"),
    validators: validatorsFrom(header),
    hints,
  };
}

/** One response as a fetcher sees it, whatever carries it. */
export interface ResponseAccess {
  status: number;
  header: HeaderReader;
  /** Drops the unread body and the connection. */
  release(): unknown;
  readBody(): Promise<Uint8Array | "too_large">;
}

/** The URL to follow next, or the fetch's result (the body read only for a 2xx). */
export async function settleResponse(
  response: ResponseAccess,
  hop: Hop,
  maxBytes: number,
): Promise<FetchResult | { kind: "follow"; url: string }> {
  const verdict = judgeResponse(response.status, response.header, hop);
  if (verdict.kind !== "read_body") {
    await response.release();
    return verdict.kind === "answer" ? verdict.result : verdict;
  }
  const body = await response.readBody();
  return bodyResult(body, response.status, response.header, hop.url, verdict.hints, maxBytes);
}

/**
 * Counts streamed chunks against `maxBytes` and joins them into one fresh array of exactly the body
 * (Buffer.concat may hand out a slice of a shared pool).
 */
export class BodyCollector {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; false once the body has passed `maxBytes` (the chunk is then dropped). */
  add(chunk: Uint8Array): boolean {
    this.total += chunk.byteLength;
    if (this.total > this.maxBytes) return false;
    this.chunks.push(chunk);
    return true;
  }

  body(): Uint8Array {
    const body = new Uint8Array(this.total);
    let offset = 0;
    for (const chunk of this.chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return body;
  }
}
