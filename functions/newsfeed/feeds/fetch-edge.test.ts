/** The edge fetcher against a stubbed `fetch` (runs in Node; workerd's fetch has the same shape). */
import { describe, expect, it } from "vitest";
import { fetchFeedEdge, literalHostRefusal } from "./fetch-edge.ts";
import { parseAllowlist } from "./ssrf.ts";

type Handler = (request: Request, signal: AbortSignal) => Response | Promise<Response>;

/** A fetch answering by URL; records each request. Unknown URLs are a network error. */
function stubFetch(routes: Record<string, Handler>) {
  const requests: Request[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    const request = new Request(url, init);
    requests.push(request);
    const handler = routes[url];
    if (!handler) throw new TypeError(`network error: ${url}`);
    // The caller's signal itself: a Request's copy follows it only weakly in Node.
    return handler(request, init.signal!);
  };
  return { fetch, requests };
}

const RSS = "<rss><channel><title>t</title></channel></rss>";
const options = (fetch: (url: string, init: RequestInit) => Promise<Response>) => ({
  fetch,
  maxBytes: 1000,
  timeoutMs: 5000,
});
const redirect =
  (to: string, status = 302) =>
  () =>
    new Response(null, { status, headers: { location: to } });

describe("fetchFeedEdge", () => {
  it("returns the body, content type and validators, sending a manual-redirect GET", async () => {
    const stub = stubFetch({
      "https://feeds.example/a.xml": () =>
        new Response(RSS, {
          headers: { "content-type": "application/rss+xml", etag: '"v1"', "last-modified": "Mon" },
        }),
    });
    const result = await fetchFeedEdge("https://feeds.example/a.xml", {}, options(stub.fetch));
    expect(result).toMatchObject({
      kind: "ok",
      url: "https://feeds.example/a.xml",
      status: 200,
      contentType: "application/rss+xml",
      validators: { etag: '"v1"', lastModified: "Mon" },
    });
    if (result.kind === "ok") expect(new TextDecoder().decode(result.body)).toBe(RSS);
    expect(stub.requests[0]!.redirect).toBe("manual");
    expect(stub.requests[0]!.headers.get("if-none-match")).toBeNull();
  });

  it("sends conditional GET headers and turns 304 into not_modified, keeping known validators", async () => {
    const stub = stubFetch({
      "https://feeds.example/a.xml": () => new Response(null, { status: 304, headers: { etag: '"v2"' } }),
    });
    const result = await fetchFeedEdge(
      "https://feeds.example/a.xml",
      { etag: '"v1"', lastModified: "Mon" },
      options(stub.fetch),
    );
    expect(result).toEqual({
      kind: "not_modified",
      url: "https://feeds.example/a.xml",
      validators: { etag: '"v2"', lastModified: "Mon" },
      hints: { cacheControl: null, retryAfter: null },
    });
    expect(stub.requests[0]!.headers.get("if-none-match")).toBe('"v1"');
    expect(stub.requests[0]!.headers.get("if-modified-since")).toBe("Mon");
  });

  it("follows relative redirects and reports the final URL", async () => {
    const stub = stubFetch({
      "https://feeds.example/old": redirect("/new", 301),
      "https://feeds.example/new": redirect("https://cdn.example/feed", 307),
      "https://cdn.example/feed": () => new Response(RSS),
    });
    const result = await fetchFeedEdge("https://feeds.example/old", {}, options(stub.fetch));
    expect(result).toMatchObject({ kind: "ok", url: "https://cdn.example/feed" });
    expect(stub.requests.map((r) => r.url)).toHaveLength(3);
  });

  it("stops after 5 redirects", async () => {
    const routes: Record<string, Handler> = {};
    for (let i = 0; i < 7; i++) routes[`https://loop.example/${i}`] = redirect(`/${i + 1}`);
    const stub = stubFetch(routes);
    const result = await fetchFeedEdge("https://loop.example/0", {}, options(stub.fetch));
    expect(result).toMatchObject({ kind: "error", reason: "too_many_redirects", retryable: false });
    expect(stub.requests).toHaveLength(6);
  });

  it.each([
    ["a loopback literal", "http://127.0.0.1/feed"],
    ["an IPv6 loopback", "http://[::1]/feed"],
    ["the metadata address", "http://169.254.169.254/latest/meta-data"],
    ["a private address in hex", "http://0x0a.0.0.1/feed"],
    ["an IPv4-mapped private address", "http://[::ffff:192.168.1.1]/"],
    ["a localhost name", "http://api.localhost/feed"],
  ])("refuses %s without fetching it", async (_what, url) => {
    const stub = stubFetch({});
    const result = await fetchFeedEdge(url, {}, options(stub.fetch));
    expect(result).toMatchObject({ kind: "error", reason: "blocked_address", retryable: false });
    expect(stub.requests).toHaveLength(0);
  });

  it("re-checks each redirect target: a redirect to a private address or another scheme is refused", async () => {
    const stub = stubFetch({
      "https://feeds.example/a": redirect("http://10.1.2.3/feed"),
      "https://feeds.example/b": redirect("file:///etc/passwd"),
      "https://feeds.example/c": redirect("https://user:pw@feeds.example/c2"),
    });
    expect(await fetchFeedEdge("https://feeds.example/a", {}, options(stub.fetch))).toMatchObject({
      reason: "blocked_address",
      url: "http://10.1.2.3/feed",
    });
    expect(await fetchFeedEdge("https://feeds.example/b", {}, options(stub.fetch))).toMatchObject({
      reason: "unsupported_scheme",
    });
    expect(await fetchFeedEdge("https://feeds.example/c", {}, options(stub.fetch))).toMatchObject({
      reason: "invalid_url",
    });
    expect(stub.requests.map((r) => r.url)).toEqual([
      "https://feeds.example/a",
      "https://feeds.example/b",
      "https://feeds.example/c",
    ]);
  });

  it("lets the allowlist open an address or a localhost name (local development)", async () => {
    const allowlist = parseAllowlist(["127.0.0.1", "feeds.localhost"]);
    expect(literalHostRefusal("127.0.0.1", allowlist)).toBeNull();
    expect(literalHostRefusal("feeds.localhost", allowlist)).toBeNull();
    expect(literalHostRefusal("localhost", allowlist)).toMatch(/loopback name/);
    expect(literalHostRefusal("[::1]", allowlist)).toMatch(/loopback address/);
    expect(literalHostRefusal("8.8.8.8")).toBeNull();
    expect(literalHostRefusal("feeds.example")).toBeNull();
  });

  it("refuses a body over maxBytes, declared or streamed, without reading it all", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(400));
      },
    });
    const stub = stubFetch({
      "https://big.example/declared": () => new Response("x".repeat(2000)),
      "https://big.example/streamed": () => new Response(endless),
    });
    expect(await fetchFeedEdge("https://big.example/declared", {}, options(stub.fetch))).toMatchObject({
      reason: "too_large",
    });
    expect(await fetchFeedEdge("https://big.example/streamed", {}, options(stub.fetch))).toMatchObject({
      reason: "too_large",
      retryable: false,
    });
    expect(pulled).toBeLessThan(10);
  });

  it("maps HTTP errors to http_status, retryable for 5xx and 429, with the server's hints", async () => {
    const stub = stubFetch({
      "https://x.example/404": () => new Response("no", { status: 404 }),
      "https://x.example/503": () => new Response("busy", { status: 503, headers: { "retry-after": "120" } }),
      "https://x.example/nowhere": redirect("", 302),
    });
    expect(await fetchFeedEdge("https://x.example/404", {}, options(stub.fetch))).toMatchObject({
      reason: "http_status",
      status: 404,
      retryable: false,
    });
    expect(await fetchFeedEdge("https://x.example/503", {}, options(stub.fetch))).toMatchObject({
      reason: "http_status",
      status: 503,
      retryable: true,
      hints: { retryAfter: "120" },
    });
  });

  it("reports a redirect without a Location as bad_redirect", async () => {
    const stub = stubFetch({ "https://x.example/r": () => new Response(null, { status: 301 }) });
    expect(await fetchFeedEdge("https://x.example/r", {}, options(stub.fetch))).toMatchObject({
      reason: "bad_redirect",
    });
  });

  const hang: Handler = (_request, signal) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });

  it("reports a network error as retryable", async () => {
    const stub = stubFetch({});
    expect(await fetchFeedEdge("https://down.example/", {}, options(stub.fetch))).toMatchObject({
      reason: "network",
      retryable: true,
    });
  });

  it("reports the deadline passing as timeout", async () => {
    const stub = stubFetch({ "https://slow.example/": hang });
    const timedOut = await fetchFeedEdge(
      "https://slow.example/",
      {},
      { ...options(stub.fetch), timeoutMs: 20 },
    );
    expect(timedOut).toMatchObject({ reason: "timeout", retryable: true });
  });

  it("reports the caller's abort as aborted", async () => {
    const stub = stubFetch({ "https://slow.example/": hang });
    const caller = new AbortController();
    const aborted = fetchFeedEdge(
      "https://slow.example/",
      {},
      { ...options(stub.fetch), signal: caller.signal },
    );
    caller.abort();
    expect(await aborted).toMatchObject({ reason: "aborted" });
  });

  it("refuses URLs that are not http(s) before fetching", async () => {
    const stub = stubFetch({});
    expect(await fetchFeedEdge("not a url", {}, options(stub.fetch))).toMatchObject({
      reason: "invalid_url",
    });
    expect(await fetchFeedEdge("ftp://x.example/", {}, options(stub.fetch))).toMatchObject({
      reason: "unsupported_scheme",
    });
    expect(stub.requests).toHaveLength(0);
  });
});
