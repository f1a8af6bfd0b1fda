/**
 * TinyURL's HTTP contract, written once and run against every runtime: the Node server
 * (app.contract.test.ts) and the Worker on workerd (worker.contract.worker.test.ts). It speaks only HTTP,
 * so any difference between the runtimes fails here.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { accessContract } from "./contract-access.ts";
import {
  type ContractOptions,
  contractClient,
  expectError,
  expectRedirect,
  type Fetcher,
  unique,
} from "./contract-client.ts";
import { platformContract } from "./contract-platform.ts";

export type { ContractOptions, Fetcher } from "./contract-client.ts";

const CODE = /^[2-9A-HJ-NP-Za-km-np-z]{7}$/;

export function tinyUrlContract(fetcher: Fetcher, options: ContractOptions): void {
  const api = contractClient(fetcher, options);
  beforeEach(() => {
    api.newClientIp();
  });

  describe("POST /shorten", () => {
    it("creates a link: 201, its fields and a Location header", async () => {
      const res = await api.send("/shorten", { json: { url: "https://Example.com/a/long/path?q=1" } });
      expect(res.status).toBe(201);
      const link = (await res.json()) as Record<string, unknown>;
      expect(link).toMatchObject({
        code: expect.stringMatching(CODE),
        url: "https://example.com/a/long/path?q=1",
        redirectStatus: 302,
        expiresAt: null,
        maxVisits: null,
        visitsUsed: 0,
        hasPassword: false,
        owned: false,
      });
      expect(link.shortUrl).toBe(api.url(`/${link.code}`));
      expect(res.headers.get("location")).toBe(link.shortUrl);
      expect(Date.parse(link.createdAt as string)).not.toBeNaN();
    });

    it.each([
      ["javascript:alert(1)", "a javascript: URL"],
      ["data:text/html,<script>alert(1)</script>", "a data: URL"],
      ["ftp://example.com/file", "an ftp URL"],
      ["/relative/path", "a relative URL"],
      [`https://example.com/${"a".repeat(2100)}`, "a URL over 2048 characters"],
      ["https://user:pw@example.com/", "a URL with credentials"],
    ])("refuses %s (%s) with 400", async (url) => {
      await expectError(await api.send("/shorten", { json: { url } }), 400, "invalid_request");
    });

    it("refuses a link to the shortener itself", async () => {
      const res = await api.send("/shorten", { json: { url: api.url("/abc1234") } });
      await expectError(res, 400, "invalid_request");
    });

    it.each([
      ["an unknown field", { url: "https://example.com", colour: "red" }],
      ["a missing url", { slug: "no-url-here" }],
      ["an unsupported redirect status", { url: "https://example.com", redirectStatus: 303 }],
      ["zero maxVisits", { url: "https://example.com", maxVisits: 0 }],
      ["an expiry in the past", { url: "https://example.com", expiresAt: "2001-01-01T00:00:00Z" }],
      ["a malformed slug", { url: "https://example.com", slug: "a b" }],
    ])("refuses %s with 400", async (_what, body) => {
      await expectError(await api.send("/shorten", { json: body }), 400, "invalid_request");
    });

    it("takes a date-only expiry, and refuses one past year 9999 with 400", async () => {
      const link = await api.shorten({ url: "https://example.com/dated", expiresAt: "2999-01-01" });
      expect(link.expiresAt).toBe("2999-01-01T00:00:00.000Z");
      for (const expiresAt of [9_000_000_000_000_000, "99999-01-01", "next tuesday"]) {
        const res = await api.send("/shorten", { json: { url: "https://example.com/far", expiresAt } });
        await expectError(res, 400, "invalid_request");
      }
    });

    it("uses a custom slug as the code", async () => {
      const slug = unique("launch");
      const link = await api.shorten({ url: "https://example.com/launch", slug });
      expect(link.code).toBe(slug);
      await expectRedirect(await api.follow(slug), 302, "https://example.com/launch");
    });

    it.each(["api", "shorten", "healthz", "openapi.json"])(
      "refuses the reserved slug %s with 400",
      async (slug) => {
        await expectError(
          await api.send("/shorten", { json: { url: "https://example.com", slug } }),
          400,
          "invalid_request",
        );
      },
    );

    it("refuses a taken slug with 409", async () => {
      const slug = unique("taken");
      await api.shorten({ url: "https://example.com/first", slug });
      const res = await api.send("/shorten", { json: { url: "https://example.com/second", slug } });
      await expectError(res, 409, "conflict");
      await expectRedirect(await api.follow(slug), 302, "https://example.com/first");
    });

    it("refuses malformed JSON with 400, not 500", async () => {
      const res = await api.send("/shorten", {
        body: "{not json",
        headers: { "content-type": "application/json" },
      });
      await expectError(res, 400, "invalid_request");
    });

    it("refuses a body over the limit with 413", async () => {
      const res = await api.send("/shorten", {
        json: { url: `https://example.com/?q=${"a".repeat(20_000)}` },
      });
      await expectError(res, 413, "payload_too_large");
    });
  });

  describe("GET /{code}", () => {
    it("redirects with 302 and the target in Location", async () => {
      const link = await api.shorten({ url: "https://example.com/target" });
      const res = await api.follow(link.code);
      await expectRedirect(res, 302, "https://example.com/target");
      expect(res.headers.get("cache-control")).toContain("max-age=0");
    });

    it.each([301, 307, 308])("honours redirectStatus %i", async (status) => {
      const link = await api.shorten({ url: `https://example.com/${status}`, redirectStatus: status });
      expect(link.redirectStatus).toBe(status);
      await expectRedirect(await api.follow(link.code), status, `https://example.com/${status}`);
      await expectRedirect(await api.follow(link.code, "HEAD"), status, `https://example.com/${status}`);
    });

    it("answers HEAD like GET", async () => {
      const link = await api.shorten({ url: "https://example.com/head" });
      await expectRedirect(await api.follow(link.code, "HEAD"), 302, "https://example.com/head");
    });

    it("answers an unknown code with 404: a page for browsers, the error shape for API clients", async () => {
      const code = unique("missing");
      const page = await api.follow(code);
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      await page.body?.cancel();
      await expectError(
        await api.send(`/${code}`, { headers: { accept: "application/json" } }),
        404,
        "not_found",
      );
    });

    it("answers 410 once the link has expired", async () => {
      const expiresAt = Date.now() + 1500;
      const link = await api.shorten({
        url: "https://example.com/soon",
        expiresAt: new Date(expiresAt).toISOString(),
      });
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/soon");
      // Waiting for the clock, not for work to finish: the link is defined to expire at this instant.
      await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 100));
      const res = await api.send(`/${link.code}`, { headers: { accept: "application/json" } });
      await expectError(res, 410, "gone");
    });

    it("keeps HEAD and POST in step with GET once a link is spent or expired", async () => {
      const once = await api.shorten({ url: "https://example.com/last", maxVisits: 1 });
      await expectRedirect(await api.follow(once.code), 302, "https://example.com/last");
      const head = await api.follow(once.code, "HEAD");
      expect(head.status).toBe(410);
      await head.body?.cancel();
      const post = await api.send(`/${once.code}`, { json: {}, headers: { accept: "application/json" } });
      await expectError(post, 410, "gone");
    });

    it("answers 410 once maxVisits are spent (HEAD spends none)", async () => {
      const link = await api.shorten({ url: "https://example.com/once", maxVisits: 1 });
      await expectRedirect(await api.follow(link.code, "HEAD"), 302, "https://example.com/once");
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/once");
      const again = await api.follow(link.code);
      expect(again.status).toBe(410);
      expect(again.headers.get("location")).toBeNull();
      await again.body?.cancel();
      await expectError(
        await api.send(`/${link.code}`, { headers: { accept: "application/json" } }),
        410,
        "gone",
      );
    });
  });

  accessContract(api, options);
  platformContract(api, options);
}
