/** fetchFeed's decoding and its failures: every one is a result with a reason, none is thrown. */
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../shared/net.ts";
import { type FetchOptions, fetchFeed } from "./fetch.ts";
import { pinnedLookup } from "./resolve-node.ts";
import { parseAllowlist } from "./ssrf.ts";
import { useFixtureServer } from "./testing/fixture-server.ts";

const FEED = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>é</title></feed>`;
const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({
  allowlist: parseAllowlist(["127.0.0.1"]),
  maxBytes: 1024 * 1024,
  timeoutMs: 5_000,
  ...extra,
});

describe("fetchFeed decoding and failures", () => {
  const server = useFixtureServer();
  beforeEach(() => server.reset());

  it.each([
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ])("decodes a %s body", async (encoding, compress) => {
    server.route(`/${encoding}`, (_req, res) => {
      res.writeHead(200, { "content-encoding": encoding, "content-type": "application/atom+xml" });
      res.end(compress(Buffer.from(FEED)));
    });
    const result = await fetchFeed(server.url(`/${encoding}`), {}, options());
    expect(result.kind).toBe("ok");
    expect(result.kind === "ok" && Buffer.from(result.body).toString("utf8")).toBe(FEED);
  });

  it("reports a corrupt or unknown encoding as a bad response", async () => {
    server.route("/corrupt", (_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" }).end("this is not gzip");
    });
    server.route("/zstd", (_req, res) => {
      res.writeHead(200, { "content-encoding": "zstd" }).end("?");
    });
    expect(await fetchFeed(server.url("/corrupt"), {}, options())).toMatchObject({
      kind: "error",
      reason: "bad_response",
      retryable: true,
    });
    expect(await fetchFeed(server.url("/zstd"), {}, options())).toMatchObject({
      kind: "error",
      reason: "bad_response",
      message: expect.stringContaining("zstd"),
    });
  });

  it.each([
    [404, false],
    [410, false],
    [403, false],
    [429, true],
    [500, true],
    [503, true],
  ])("reports HTTP %i with retryable=%s", async (status, retryable) => {
    server.route(`/status/${status}`, (_req, res) => {
      res.writeHead(status, { "retry-after": "120", "cache-control": "no-store" }).end("nope");
    });
    expect(await fetchFeed(server.url(`/status/${status}`), {}, options())).toEqual({
      kind: "error",
      reason: "http_status",
      retryable,
      message: `HTTP ${status}`,
      url: server.url(`/status/${status}`),
      status,
      hints: { cacheControl: "no-store", retryAfter: "120" },
    });
  });

  it("reports a refused connection as a retryable network error", async () => {
    const port = await freePort();
    expect(await fetchFeed(`http://127.0.0.1:${port}/feed`, {}, options())).toMatchObject({
      kind: "error",
      reason: "network",
      retryable: true,
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("reports a connection dropped mid-body as a network error", async () => {
    server.route("/drop", (_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("<rss>");
      setImmediate(() => res.socket?.destroy());
    });
    expect(await fetchFeed(server.url("/drop"), {}, options())).toMatchObject({
      kind: "error",
      reason: "network",
    });
  });

  it("speaks TLS to https URLs (a plain HTTP server fails the handshake)", async () => {
    const result = await fetchFeed(`https://127.0.0.1:${server.port}/feed`, {}, options());
    expect(result).toMatchObject({ kind: "error", reason: "tls", retryable: true });
    expect(server.requests).toHaveLength(0);
  });

  it("reports a name that does not resolve as a DNS failure", async () => {
    const resolve = async () => {
      throw Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
    };
    expect(await fetchFeed("http://flaky.test/", {}, options({ resolve }))).toMatchObject({
      kind: "error",
      reason: "dns",
      retryable: true,
    });
  });

  it("stops when the caller aborts, before or during the fetch", async () => {
    server.route("/silent", () => {});
    const before = new AbortController();
    before.abort();
    expect(await fetchFeed(server.url("/silent"), {}, options({ signal: before.signal }))).toMatchObject({
      reason: "aborted",
    });
    const during = new AbortController();
    const pending = fetchFeed(server.url("/silent"), {}, options({ signal: during.signal }));
    while (server.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    during.abort();
    expect(await pending).toMatchObject({ kind: "error", reason: "aborted", retryable: true });
  });
});

describe("pinnedLookup", () => {
  const lookup = pinnedLookup([
    { address: "2001:4860::1", family: 6 },
    { address: "93.184.216.34", family: 4 },
  ]);
  const ask = (family?: number, all = false) =>
    new Promise<unknown[]>((resolve) => {
      lookup("ignored.test", { family, all }, (err, address, fam) =>
        resolve([err?.message ?? null, address, fam]),
      );
    });

  it("answers only with the checked addresses, whatever the name asked", async () => {
    expect(await ask(0, true)).toEqual([
      null,
      [
        { address: "2001:4860::1", family: 6 },
        { address: "93.184.216.34", family: 4 },
      ],
      undefined,
    ]);
    expect(await ask()).toEqual([null, "2001:4860::1", 6]);
    expect(await ask(4)).toEqual([null, "93.184.216.34", 4]);
    expect(await ask(6)).toEqual([null, "2001:4860::1", 6]);
  });

  it("fails when no checked address has the family asked for", async () => {
    const v4only = pinnedLookup([{ address: "93.184.216.34", family: 4 }]);
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      v4only("x", { family: 6 }, (e) => resolve(e));
    });
    expect(err?.code).toBe("ENOTFOUND");
  });
});
