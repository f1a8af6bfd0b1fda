/**
 * The Newsfeed app over an in-memory store and a table fetcher, driven with `app.request` only: the route
 * tests stay runtime-neutral, so they can grow into the contract suite run against Node and workerd.
 */
import { expect } from "vitest";
import { signToken } from "../../shared/auth.ts";
import { loadConfig } from "../../shared/config.ts";
import type { RateLimiter } from "../../shared/rate-limit.ts";
import type { ServiceApp } from "../../shared/service.ts";
import { silentLog } from "../../shared/testing/log.ts";
import { createNewsfeedApp } from "../app.ts";
import type { FetchResult } from "../feeds/fetch.ts";
import { FeedIngest } from "../ingest.ts";
import type { NewsfeedStore } from "../store.ts";
import { tableFetcher } from "./feeds.ts";
import { memoryStore } from "./fixtures.ts";

export const NOW = Date.parse("2026-11-27T12:00:00.000Z");
export const HOUR = 3_600_000;
export const hoursAgo = (h: number) => new Date(NOW - h * HOUR).toISOString();

export interface Sent {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in tests
  body: any;
}

export interface Harness {
  app: ServiceApp;
  store: NewsfeedStore;
  /** URL → document (or FetchResult) the app's fetcher answers with. */
  feeds: Map<string, string | FetchResult>;
  call(who: string | null, method: string, path: string, body?: unknown): Promise<Sent>;
  close(): void;
}

export async function newsfeedHarness(
  options: { limiter?: RateLimiter; rateLimit?: number } = {},
): Promise<Harness> {
  const config = loadConfig({
    AUTH_SECRET: "newsfeed-test-secret",
    LOG_LEVEL: "silent",
    RATE_LIMIT_NEWSFEED: String(options.rateLimit ?? 100),
  });
  const { store, close } = await memoryStore();
  const feeds = new Map<string, string | FetchResult>();
  const now = () => NOW;
  const ingest = new FeedIngest({ store, fetch: tableFetcher(feeds), log: silentLog, now });
  const app = createNewsfeedApp({
    config,
    store,
    ingest,
    log: silentLog,
    limiter: options.limiter,
    clientIp: (c) => c.req.header("x-test-ip") ?? "127.0.0.1",
    now,
  });
  const tokens = new Map<string, string>();
  return {
    app,
    store,
    feeds,
    close,
    /** One request as `who` (null: anonymous; "bad": an invalid token). Every 4xx has the one error shape. */
    async call(who, method, path, body) {
      const headers: Record<string, string> = {};
      if (who === "bad") headers.authorization = "Bearer not-a-token";
      else if (who !== null) {
        if (!tokens.has(who)) tokens.set(who, await signToken(who, config.AUTH_SECRET));
        headers.authorization = `Bearer ${tokens.get(who)}`;
      }
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await app.request(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const parsed = text ? JSON.parse(text) : null;
      if (res.status >= 400) {
        expect(parsed, `${method} ${path} → ${res.status}`).toEqual({
          error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
        });
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
  };
}
