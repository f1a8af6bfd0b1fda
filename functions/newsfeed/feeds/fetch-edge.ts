/**
 * Fetches a feed's bytes on the edge (workerd) with the global `fetch`. Same contract as fetch.ts (the
 * FetchResult union, never thrown), different SSRF means:
 *
 * - A Worker cannot resolve DNS nor choose the address it connects to, so the check that fetch.ts makes on
 *   every resolved address is impossible here. What remains is refusing URLs that name a private place
 *   literally: IP literals that are not global unicast (loopback, private, link-local, metadata
 *   169.254.169.254, mapped IPv6…, classified by ipaddr.js as in ssrf.ts) and `localhost` names. A name
 *   that resolves to a private address is left to the platform: Cloudflare's egress is the public
 *   internet, so a Worker's subrequest cannot reach a private network or the host it runs on anyway.
 * - Redirects are followed by hand (`redirect: "manual"`), at most `maxRedirects` (5), each target checked
 *   again (scheme, credentials, literal address).
 * - Limits: one deadline covers the whole fetch, redirects and body included (a timer aborting a controller,
 *   not `AbortSignal.timeout`: Node holds that signal weakly, and a fetch nobody else references could be
 *   collected before it fires, leaving the fetch pending forever); the
 *   body is streamed and the read cancelled once it passes `maxBytes` (the runtime has already decoded
 *   gzip/brotli, so the count is of decoded bytes).
 * - Conditional GET: If-None-Match / If-Modified-Since from the caller's validators; 304 → `not_modified`.
 */
import ipaddr from "ipaddr.js";
import type { FetchResult, Validators } from "./fetch.ts";
import { BodyCollector, failure, interruption, requestHeaders, settleResponse } from "./fetch-common.ts";
import { type Allowlist, addressRange, checkFeedUrl, EMPTY_ALLOWLIST, isAddressAllowed } from "./ssrf.ts";

export interface EdgeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Exceptions to the literal-address rule (FEED_ALLOWLIST), e.g. a local feed under `wrangler dev`. */
  allowlist?: Allowlist;
  /** Aborts the fetch (e.g. the cron invocation running out of time); the result is an `aborted` error. */
  signal?: AbortSignal;
  /** The fetch to use (default: the global one, looked up at call time so tests can stub it). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

const DEFAULT_USER_AGENT = "canary-newsfeed/0.1 (feed fetcher; edge)";

/**
 * Why a URL's host may not be fetched from the edge, or null: an IP literal that is not global unicast
 * (unless allowlisted), or a `localhost` name (RFC 6761: loopback whatever DNS says) unless allowlisted.
 */
export function literalHostRefusal(hostname: string, allowlist: Allowlist = EMPTY_ALLOWLIST): string | null {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (ipaddr.isValid(host))
    return isAddressAllowed(host, allowlist) ? null : `${host} is a ${addressRange(host)} address`;
  if ((host === "localhost" || host.endsWith(".localhost")) && !allowlist.hosts.has(host))
    return `${host} is a loopback name`;
  return null;
}

/** The body, or "too_large" as soon as it passes `maxBytes` (the rest is not read). */
async function readBody(response: Response, maxBytes: number): Promise<Uint8Array | "too_large"> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    return "too_large";
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const collected = new BodyCollector(maxBytes);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!collected.add(value)) {
      await reader.cancel();
      return "too_large";
    }
  }
  return collected.body();
}

/** Fetches `url` from the edge. Never throws for a network or HTTP problem: see FetchResult. */
export async function fetchFeedEdge(
  url: string,
  validators: Partial<Validators>,
  options: EdgeFetchOptions,
): Promise<FetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const allowlist = options.allowlist ?? EMPTY_ALLOWLIST;
  const send = options.fetch ?? ((target: string, init: RequestInit) => globalThis.fetch(target, init));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error("timeout")), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const headers = requestHeaders(validators, options.userAgent ?? DEFAULT_USER_AGENT);

  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const checked = checkFeedUrl(current);
      if (!checked.ok) return failure(checked.reason, checked.message, current);
      current = checked.url.href;
      const refusal = literalHostRefusal(checked.url.hostname, allowlist);
      if (refusal) return failure("blocked_address", refusal, current);
      const response = await send(current, { headers, redirect: "manual", signal });
      const settled = await settleResponse(
        {
          status: response.status,
          header: (name) => response.headers.get(name),
          release: () => response.body?.cancel(),
          readBody: () => readBody(response, options.maxBytes),
        },
        { url: current, redirects, maxRedirects, validators },
        options.maxBytes,
      );
      if (settled.kind !== "follow") return settled;
      current = settled.url;
    }
  } catch (err) {
    const interrupted = interruption(
      deadline.signal.aborted,
      options.signal?.aborted ?? false,
      options.timeoutMs,
      current,
    );
    return interrupted ?? failure("network", (err as Error).message ?? String(err), current);
  } finally {
    clearTimeout(timer);
  }
}
