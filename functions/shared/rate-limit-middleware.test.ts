import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "./context.ts";
import { handleError, notFound } from "./errors.ts";
import { MemoryRateLimiter, type RateLimiter, type RateLimitRule } from "./rate-limit.ts";
import { rateLimit } from "./rate-limit-middleware.ts";
import { requestContext } from "./request-id.ts";
import { captureLog } from "./testing/log.ts";

const rule: RateLimitRule = { limit: 2, windowSeconds: 60, algorithm: "fixed" };

function app(limiter: RateLimiter) {
  const { log, lines } = captureLog();
  const hono = new Hono<AppEnv>();
  hono.onError(handleError);
  hono.use(requestContext(log));
  const key = (c: { req: { header(name: string): string | undefined } }) =>
    c.req.header("x-client") ?? "anon";
  hono.use("/api/*", rateLimit({ limiter, rule, name: "api", key }));
  hono.use("/other/*", rateLimit({ limiter, rule, name: "other", key }));
  hono.get("/api/ok", (c) => c.json({ ok: true }));
  hono.get("/api/missing", () => {
    throw notFound();
  });
  hono.get("/other/ok", (c) => c.json({ ok: true }));
  return { hono, lines };
}

const get = (hono: Hono<AppEnv>, path: string, client = "c1") =>
  hono.request(path, { headers: { "x-client": client } });

describe("rateLimit middleware", () => {
  it("sets the RateLimit headers on allowed answers", async () => {
    const { hono } = app(new MemoryRateLimiter(() => 15_000));
    const res = await get(hono, "/api/ok");
    expect(res.status).toBe(200);
    expect(Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("ratelimit")))).toEqual({
      "ratelimit-policy": "2;w=60",
      "ratelimit-limit": "2",
      "ratelimit-remaining": "1",
      "ratelimit-reset": "45",
    });
    expect(res.headers.get("Retry-After")).toBeNull();
  });

  it("refuses with 429, Retry-After and the error shape once the budget is spent", async () => {
    const { hono } = app(new MemoryRateLimiter(() => 15_000));
    await get(hono, "/api/ok");
    await get(hono, "/api/ok");
    const res = await get(hono, "/api/ok");
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("45");
    expect(res.headers.get("RateLimit-Remaining")).toBe("0");
    expect(res.headers.get("RateLimit-Policy")).toBe("2;w=60");
    expect(await res.json()).toEqual({
      error: { code: "rate_limited", message: "Too many requests: at most 2 per 60s. Retry in 45s." },
    });
  });

  it("counts per key and per named limit", async () => {
    const { hono } = app(new MemoryRateLimiter(() => 0));
    await get(hono, "/api/ok");
    await get(hono, "/api/ok");
    expect((await get(hono, "/api/ok")).status).toBe(429);
    expect((await get(hono, "/api/ok", "c2")).status).toBe(200);
    expect((await get(hono, "/other/ok")).status).toBe(200);
  });

  it("counts requests whose handler fails, and still sets the headers", async () => {
    const { hono } = app(new MemoryRateLimiter(() => 0));
    const res = await get(hono, "/api/missing");
    expect(res.status).toBe(404);
    expect(res.headers.get("RateLimit-Remaining")).toBe("1");
  });

  it("fails open, logging a warning, when the limiter is unavailable", async () => {
    const broken: RateLimiter = {
      hit: async () => {
        throw new Error("redis down");
      },
    };
    const { hono, lines } = app(broken);
    for (let i = 0; i < 5; i++) {
      const res = await get(hono, "/api/ok");
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Limit")).toBeNull();
    }
    const warnings = lines.filter((l) => l.msg === "rate limiter unavailable; allowing request");
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatchObject({ level: "warn", limit: "api", err: "Error: redis down" });
  });
});
