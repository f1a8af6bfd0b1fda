import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { type FetchOptions, type FetchResult, fetchFeed } from "./fetch.ts";
import { EMPTY_ALLOWLIST, parseAllowlist, type Resolver } from "./ssrf.ts";
import { redirectTo, serveFeed, useFixtureServer } from "./testing/fixture-server.ts";

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Fixture</title></channel></rss>`;
const LOCAL = parseAllowlist(["127.0.0.1"]);
const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({
  allowlist: LOCAL,
  maxBytes: 1024 * 1024,
  timeoutMs: 5_000,
  ...extra,
});
const text = (result: FetchResult) => (result.kind === "ok" ? new TextDecoder().decode(result.body) : null);

/** DNS for made-up names, all pointing at the fixture server's address; counts questions. */
function fakeDns(table: Record<string, string>) {
  const asked: string[] = [];
  const resolve: Resolver = async (hostname) => {
    asked.push(hostname);
    const address = table[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return [{ address, family: 4 }];
  };
  return { resolve, asked };
}

describe("fetchFeed", () => {
  const server = useFixtureServer();
  beforeEach(() => server.reset());

  it("returns the body, its content type, validators and URL, asking for feeds", async () => {
    server.route(
      "/feed.xml",
      serveFeed({
        body: RSS,
        etag: '"v1"',
        lastModified: "Wed, 01 May 2024 10:00:00 GMT",
        contentType: "application/rss+xml; charset=utf-8",
      }),
    );
    const result = await fetchFeed(server.url("/feed.xml?x=1"), {}, options({ userAgent: "test-agent/1" }));
    expect(result).toMatchObject({
      kind: "ok",
      status: 200,
      url: server.url("/feed.xml?x=1"),
      contentType: "application/rss+xml; charset=utf-8",
      validators: { etag: '"v1"', lastModified: "Wed, 01 May 2024 10:00:00 GMT" },
      hints: { cacheControl: null, retryAfter: null },
    });
    expect(text(result)).toBe(RSS);
    const sent = server.requests[0]!.headers;
    expect(sent["user-agent"]).toBe("test-agent/1");
    expect(sent.accept).toContain("application/rss+xml");
    expect(sent["accept-encoding"]).toBe("gzip, deflate, br");
    expect(sent["if-none-match"]).toBeUndefined();
  });

  describe("conditional GET", () => {
    it("sends the stored ETag and gets not_modified on 304", async () => {
      server.route(
        "/etag.xml",
        serveFeed({ body: RSS, etag: '"abc"', headers: { "cache-control": "max-age=900" } }),
      );
      const first = await fetchFeed(server.url("/etag.xml"), {}, options());
      expect(first).toMatchObject({ kind: "ok", validators: { etag: '"abc"', lastModified: null } });
      const second = await fetchFeed(server.url("/etag.xml"), { etag: '"abc"' }, options());
      expect(second).toEqual({
        kind: "not_modified",
        url: server.url("/etag.xml"),
        validators: { etag: '"abc"', lastModified: null },
        hints: { cacheControl: "max-age=900", retryAfter: null },
      });
      expect(server.requests[1]!.headers["if-none-match"]).toBe('"abc"');
      // A stale ETag gets the body again.
      expect(await fetchFeed(server.url("/etag.xml"), { etag: '"old"' }, options())).toMatchObject({
        kind: "ok",
      });
    });

    it("sends the stored Last-Modified and gets not_modified on 304", async () => {
      const lastModified = "Tue, 30 Apr 2024 08:00:00 GMT";
      server.route("/lm.xml", serveFeed({ body: RSS, lastModified }));
      const first = await fetchFeed(server.url("/lm.xml"), {}, options());
      expect(first).toMatchObject({ kind: "ok", validators: { etag: null, lastModified } });
      const second = await fetchFeed(server.url("/lm.xml"), { lastModified }, options());
      expect(second).toMatchObject({ kind: "not_modified", validators: { etag: null, lastModified } });
      expect(server.requests[1]!.headers["if-modified-since"]).toBe(lastModified);
    });

    it("keeps the caller's validators when the 304 repeats none", async () => {
      server.route("/bare304", (_req, res) => {
        res.writeHead(304).end();
      });
      const result = await fetchFeed(server.url("/bare304"), { etag: '"e"', lastModified: "lm" }, options());
      expect(result).toMatchObject({ kind: "not_modified", validators: { etag: '"e"', lastModified: "lm" } });
    });
  });

  describe("redirects", () => {
    const chain = (name: string, hops: number) => {
      for (let i = 0; i < hops; i++)
        server.route(`/${name}/${i}`, redirectTo(`/${name}/${i + 1}`, 301 + (i % 2)));
      server.route(`/${name}/${hops}`, serveFeed({ body: RSS }));
    };

    it("follows up to five, reporting the final URL", async () => {
      chain("five", 5);
      const result = await fetchFeed(server.url("/five/0"), {}, options());
      expect(result).toMatchObject({ kind: "ok", url: server.url("/five/5") });
      expect(server.requests).toHaveLength(6);
    });

    it("refuses a sixth", async () => {
      chain("six", 6);
      const result = await fetchFeed(server.url("/six/0"), {}, options());
      expect(result).toMatchObject({
        kind: "error",
        reason: "too_many_redirects",
        retryable: false,
        url: server.url("/six/5"),
      });
      expect(server.requests.map((r) => r.path)).not.toContain("/six/6");
    });

    it("honours a lower maxRedirects", async () => {
      chain("one", 2);
      expect(await fetchFeed(server.url("/one/0"), {}, options({ maxRedirects: 1 }))).toMatchObject({
        reason: "too_many_redirects",
      });
    });

    it("refuses a redirect without a Location, or to another scheme", async () => {
      server.route("/nowhere", (_req, res) => {
        res.writeHead(302).end();
      });
      server.route("/to-file", redirectTo("file:///etc/passwd"));
      expect(await fetchFeed(server.url("/nowhere"), {}, options())).toMatchObject({
        kind: "error",
        reason: "bad_redirect",
      });
      expect(await fetchFeed(server.url("/to-file"), {}, options())).toMatchObject({
        kind: "error",
        reason: "unsupported_scheme",
      });
    });

    it("checks every hop: an allowlisted name may not redirect to an address that is not", async () => {
      const dns = fakeDns({ "feeds.test": "127.0.0.1" });
      const allowlist = parseAllowlist(["feeds.test"]);
      server.route("/feed", serveFeed({ body: RSS }));
      server.route("/to-loopback", redirectTo(server.url("/feed")));
      server.route("/to-localhost", redirectTo(`http://localhost:${server.port}/feed`));
      server.route("/to-self", redirectTo(`http://feeds.test:${server.port}/feed`));
      const start = (path: string) => `http://feeds.test:${server.port}${path}`;

      const toLoopback = await fetchFeed(
        start("/to-loopback"),
        {},
        options({ allowlist, resolve: dns.resolve }),
      );
      expect(toLoopback).toMatchObject({
        kind: "error",
        reason: "blocked_address",
        url: server.url("/feed"),
      });
      const toLocalhost = await fetchFeed(
        start("/to-localhost"),
        {},
        options({ allowlist, resolve: dns.resolve }),
      );
      expect(toLocalhost).toMatchObject({ kind: "error", reason: "blocked_address" });
      expect(server.requests.map((r) => r.path)).toEqual(["/to-loopback", "/to-localhost"]);

      // The same name again is fine, and DNS is asked once per hop (the connection reuses the answer).
      dns.asked.length = 0;
      const toSelf = await fetchFeed(start("/to-self"), {}, options({ allowlist, resolve: dns.resolve }));
      expect(toSelf).toMatchObject({ kind: "ok", url: start("/feed") });
      expect(dns.asked).toEqual(["feeds.test", "feeds.test"]);
    });
  });

  it("connects to the address it checked, keeping the name in the Host header", async () => {
    server.route("/pinned", serveFeed({ body: RSS }));
    // The system resolver has never heard of this name: only the checked answer can have been used.
    const dns = fakeDns({ "pinned.invalid": "127.0.0.1" });
    const result = await fetchFeed(
      `http://pinned.invalid:${server.port}/pinned`,
      {},
      options({ resolve: dns.resolve }),
    );
    expect(result).toMatchObject({ kind: "ok" });
    expect(server.requests[0]!.headers.host).toBe(`pinned.invalid:${server.port}`);
  });

  describe("SSRF", () => {
    it.each([
      ["127.0.0.1", (port: number) => `http://127.0.0.1:${port}/feed`],
      ["10.x", () => "http://10.0.0.1/feed"],
      ["169.254.x", () => "http://169.254.169.254/latest/meta-data/"],
      ["[::1]", (port: number) => `http://[::1]:${port}/feed`],
      ["localhost", (port: number) => `http://localhost:${port}/feed`],
      ["a name resolving to a private address", () => "http://intranet.test/feed"],
    ])("refuses %s without the allowlist, before connecting", async (_what, url) => {
      server.route("/feed", serveFeed({ body: RSS }));
      const resolve = fakeDns({ "intranet.test": "192.168.1.10" }).resolve;
      const result = await fetchFeed(url(server.port), {}, options({ allowlist: EMPTY_ALLOWLIST, resolve }));
      expect(result).toMatchObject({ kind: "error", reason: "blocked_address", retryable: false });
      expect(server.requests).toHaveLength(0);
    });

    it.each([["127.0.0.1"], ["127.0.0.0/8"], ["localhost"]])(
      "accepts the fixture server once %s is allowlisted",
      async (entry) => {
        server.route("/feed", serveFeed({ body: RSS }));
        const host = entry === "localhost" ? "localhost" : "127.0.0.1";
        const result = await fetchFeed(
          `http://${host}:${server.port}/feed`,
          {},
          options({ allowlist: parseAllowlist([entry]) }),
        );
        expect(result).toMatchObject({ kind: "ok" });
      },
    );

    it.each(["ftp://127.0.0.1/feed", "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:70/"])(
      "refuses the non-http URL %s",
      async (url) => {
        expect(await fetchFeed(url, {}, options())).toMatchObject({
          kind: "error",
          reason: "unsupported_scheme",
          retryable: false,
        });
      },
    );

    it("refuses what is not a URL", async () => {
      expect(await fetchFeed("::not a url::", {}, options())).toMatchObject({
        kind: "error",
        reason: "invalid_url",
      });
    });
  });

  describe("limits", () => {
    it("refuses a body whose Content-Length is over the limit without reading it", async () => {
      server.route("/big", serveFeed({ body: "x".repeat(5000) }));
      const result = await fetchFeed(server.url("/big"), {}, options({ maxBytes: 4999 }));
      expect(result).toMatchObject({ kind: "error", reason: "too_large", retryable: false });
      expect(await fetchFeed(server.url("/big"), {}, options({ maxBytes: 5000 }))).toMatchObject({
        kind: "ok",
      });
    });

    it("stops reading a streamed body once it passes the limit", async () => {
      server.route("/endless", (_req, res) => {
        res.writeHead(200, { "content-type": "application/xml" });
        const chunk = "y".repeat(16 * 1024);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
      });
      const result = await fetchFeed(server.url("/endless"), {}, options({ maxBytes: 100_000 }));
      expect(result).toMatchObject({ kind: "error", reason: "too_large" });
    });

    it("counts decompressed bytes, so a gzip bomb is too large", async () => {
      const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(64 * 1024);
      server.route("/bomb", (_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip" }).end(bomb);
      });
      expect(await fetchFeed(server.url("/bomb"), {}, options({ maxBytes: 1024 * 1024 }))).toMatchObject({
        kind: "error",
        reason: "too_large",
      });
    });

    it("times out on a server that never answers", async () => {
      server.route("/silent", () => {});
      const result = await fetchFeed(server.url("/silent"), {}, options({ timeoutMs: 150 }));
      expect(result).toMatchObject({ kind: "error", reason: "timeout", retryable: true });
    });

    it("times out on a body that stops halfway", async () => {
      server.route("/stalls", (_req, res) => {
        res.writeHead(200, { "content-type": "application/xml" });
        res.write("<rss>");
      });
      expect(await fetchFeed(server.url("/stalls"), {}, options({ timeoutMs: 150 }))).toMatchObject({
        kind: "error",
        reason: "timeout",
      });
    });

    it("times out on DNS that never answers", async () => {
      const resolve: Resolver = () => new Promise(() => {});
      expect(
        await fetchFeed("http://slow-dns.test/", {}, options({ timeoutMs: 100, resolve })),
      ).toMatchObject({
        reason: "timeout",
      });
    });
  });
});
