/**
 * Two TinyURL replicas, as in production: one database, one Redis. They must share rate limits, and a
 * change made through one must reach the other's in-process cache through Redis pub/sub.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { startTinyUrl } from "./node.ts";

describe.skipIf(skipWithoutRedis("TinyURL replicas over Redis"))(
  "TinyURL: two replicas sharing Redis",
  () => {
    const redis = useRedisServer();
    let dir: string;
    let config: Config;
    let a: RunningService;
    let b: RunningService;
    let token: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "canary-replicas-"));
      config = loadConfig({
        HOST: "127.0.0.1",
        TINYURL_PORT: "0",
        DATA_DIR: join(dir, "unused"),
        DATABASE_URL: `file:${join(dir, "shared.db")}`,
        REDIS_URL: redis.url,
        RATE_LIMIT_API: "5",
        RATE_LIMIT_WINDOW_SECONDS: "3600", // no window boundary inside the test
        // Each test speaks for its own client IP, so their API budgets do not mix.
        TRUST_PROXY: "true",
        AUTH_SECRET: "replica-test-secret",
        LOG_LEVEL: "silent",
      });
      a = await startTinyUrl(config, silentLog);
      b = await startTinyUrl(config, silentLog);
      token = await signToken("alice", config.AUTH_SECRET);
    });

    afterAll(async () => {
      await Promise.allSettled([a?.close(), b?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const call = (
      replica: RunningService,
      path: string,
      ip: string,
      init: { method?: string; body?: unknown; auth?: boolean } = {},
    ) =>
      fetch(replica.url + path, {
        method: init.method ?? "GET",
        redirect: "manual",
        headers: {
          "x-forwarded-for": ip,
          accept: "application/json",
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...(init.auth ? { authorization: `Bearer ${token}` } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });

    it("both replicas are ready, Redis included", async () => {
      for (const replica of [a, b]) {
        const res = await fetch(`${replica.url}/readyz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ checks: { store: "ok", redis: "ok" } });
      }
      expect(a.url).not.toBe(b.url);
    });

    it("requests alternating between the replicas share one API rate limit", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await call(i % 2 === 0 ? a : b, "/shorten", "198.51.100.1", {
          method: "POST",
          body: { url: `https://example.com/limited/${i}` },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
          expect(await res.json()).toMatchObject({ error: { code: "rate_limited" } });
        } else {
          expect(res.headers.get("ratelimit-remaining")).toBe(String(4 - i));
        }
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
      // Another client still has its whole budget on either replica.
      const other = await call(b, "/shorten", "198.51.100.2", {
        method: "POST",
        body: { url: "https://example.com/x" },
      });
      expect(other.status).toBe(201);
    });

    it("an edit through A reaches B's cache, and a delete through A makes B answer 404", async () => {
      const ip = "198.51.100.3";
      const created = await call(a, "/shorten", ip, {
        method: "POST",
        auth: true,
        body: { url: "https://one.example/" },
      });
      expect(created.status).toBe(201);
      const { code } = (await created.json()) as { code: string };

      // B caches the link (in its LRU and in Redis) by serving it once.
      const first = await call(b, `/${code}`, ip);
      expect(first.status).toBe(302);
      expect(first.headers.get("location")).toBe("https://one.example/");

      const patched = await call(a, `/api/links/${code}`, ip, {
        method: "PATCH",
        auth: true,
        body: { url: "https://two.example/" },
      });
      expect(patched.status).toBe(200);
      await eventually(
        async () => (await call(b, `/${code}`, ip)).headers.get("location"),
        (location) => location === "https://two.example/",
        { what: "B to redirect to the new target" },
      );

      const deleted = await call(a, `/api/links/${code}`, ip, { method: "DELETE", auth: true });
      expect(deleted.status).toBe(204);
      await eventually(
        async () => (await call(b, `/${code}`, ip)).status,
        (status) => status === 404,
        { what: "B to forget the deleted link" },
      );
      const body = (await (await call(b, `/${code}`, ip)).json()) as { error: { code: string } };
      expect(body.error.code).toBe("not_found");
    });

    it("a link created through A is found at once through B, even after B cached its absence", async () => {
      const ip = "198.51.100.4";
      const miss = await call(b, "/replica-slug", ip);
      expect(miss.status).toBe(404); // B now caches "unknown" for this code
      const created = await call(a, "/shorten", ip, {
        method: "POST",
        body: { url: "https://three.example/", slug: "replica-slug" },
      });
      expect(created.status).toBe(201);
      await eventually(
        async () => (await call(b, "/replica-slug", ip)).headers.get("location"),
        (location) => location === "https://three.example/",
        { what: "B to drop its cached miss" },
      );
    });
  },
);
