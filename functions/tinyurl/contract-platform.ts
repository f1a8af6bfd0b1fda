/** The contract every service shares: health, OpenAPI, request ids, security headers, errors, rate limits. */
import { describe, expect, it } from "vitest";
import { type ContractClient, type ContractOptions, expectError } from "./contract-client.ts";

export function platformContract(api: ContractClient, options: ContractOptions): void {
  describe("service endpoints", () => {
    it("GET /healthz says the process is up", async () => {
      const res = await api.send("/healthz");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok", service: "tinyurl" });
    });

    it("GET /readyz says the store answers", async () => {
      const res = await api.send("/readyz");
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ready", checks: { store: "ok" } });
    });

    it("GET /openapi.json documents the seed paths", async () => {
      const res = await api.send("/openapi.json");
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(["/shorten", "/{code}", "/api/analytics/{code}", "/api/links"]),
      );
    });

    it("draws a QR code of the short URL as SVG", async () => {
      const link = await api.shorten({ url: "https://example.com/qr" });
      const res = await api.send(`/api/links/${link.code}/qr.svg`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("image/svg+xml");
      const svg = await res.text();
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(svg.length).toBeGreaterThan(500); // modules drawn, not an empty frame
      await expectError(await api.send("/api/links/nope-none/qr.svg"), 404, "not_found");
    });

    it("answers an unknown API route with the error shape", async () => {
      await expectError(await api.send("/api/nothing/here"), 404, "not_found");
    });
  });

  describe("request ids and headers", () => {
    it("echoes a sane X-Request-Id and replaces an unsafe one", async () => {
      const echoed = await api.send("/healthz", { headers: { "x-request-id": "contract-req-42" } });
      expect(echoed.headers.get("x-request-id")).toBe("contract-req-42");
      const replaced = await api.send("/healthz", { headers: { "x-request-id": "no spaces <allowed>" } });
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const fresh = await api.send("/healthz");
      expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("carries the caller's trace in traceparent", async () => {
      const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
      const res = await api.send("/healthz", { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } });
      expect(res.headers.get("traceparent")).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    });

    it("sends security headers on pages, API answers, errors and redirects", async () => {
      const link = await api.shorten({ url: "https://example.com/headers" });
      for (const res of [
        await api.send("/"),
        await api.send("/healthz"),
        await api.send("/api/nothing"),
        await api.follow(link.code),
      ]) {
        await res.body?.cancel();
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("x-frame-options")).toBe("DENY");
        expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
        expect(res.headers.get("strict-transport-security")).toContain("max-age=");
        expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      }
    });
  });

  describe("rate limits", () => {
    it(`allows ${options.apiLimit} API requests per window, then 429 with Retry-After`, async () => {
      const path = "/api/links/no-such-link";
      for (let i = 1; i <= options.apiLimit; i++) {
        const res = await api.send(path);
        expect(res.status).toBe(404);
        expect(res.headers.get("ratelimit-limit")).toBe(String(options.apiLimit));
        expect(res.headers.get("ratelimit-remaining")).toBe(String(options.apiLimit - i));
        await res.body?.cancel();
      }
      const limited = await api.send(path);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("ratelimit-remaining")).toBe("0");
      expect(limited.headers.get("ratelimit-policy")).toMatch(new RegExp(`^${options.apiLimit};w=\\d+$`));
      await expectError(limited, 429, "rate_limited");
      // Another client still has its own budget.
      api.newClientIp();
      expect((await api.send("/healthz")).status).toBe(200);
      await expectError(await api.send(path), 404, "not_found");
    });
  });
}
