import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEnv } from "./context.ts";
import { mountHealth, type ReadinessCheck } from "./health.ts";

function app(checks: Record<string, ReadinessCheck>) {
  const hono = new Hono<AppEnv>();
  mountHealth(hono, "svc", checks);
  return hono;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("health endpoints", () => {
  it("/healthz answers without consulting any dependency", async () => {
    const check = vi.fn(async () => {
      throw new Error("down");
    });
    const res = await app({ db: check }).request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", service: "svc" });
    expect(check).not.toHaveBeenCalled();
  });

  it("/readyz is 200 when every check passes", async () => {
    const res = await app({ db: async () => 1, redis: async () => "PONG" }).request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", service: "svc", checks: { db: "ok", redis: "ok" } });
  });

  it("/readyz is 200 with no checks at all", async () => {
    const res = await app({}).request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", service: "svc", checks: {} });
  });

  it("/readyz is 503 naming the failing check and why", async () => {
    const res = await app({
      db: async () => 1,
      redis: async () => {
        throw new Error("ECONNREFUSED 127.0.0.1:6379");
      },
    }).request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "not_ready",
      service: "svc",
      checks: { db: "ok", redis: "error: ECONNREFUSED 127.0.0.1:6379" },
    });
  });

  it("/readyz fails a check that does not answer within 2 s", async () => {
    vi.useFakeTimers();
    const pending = app({ db: async () => 1, slow: () => new Promise(() => {}) }).request("/readyz");
    await vi.advanceTimersByTimeAsync(1999);
    let settled = false;
    void Promise.resolve(pending).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { db: "ok", slow: "error: timed out after 2000 ms" } });
  });

  it("a fast check leaves no timer behind", async () => {
    vi.useFakeTimers();
    await app({ db: async () => 1 }).request("/readyz");
    expect(vi.getTimerCount()).toBe(0);
  });
});
