import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { memoryCache } from "../shared/cache.ts";
import { loadConfig } from "../shared/config.ts";
import { MemoryRateLimiter } from "../shared/rate-limit.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { silentLog } from "../shared/testing/log.ts";
import { createTinyUrlApp } from "./app.ts";
import { LinkStore, SCHEMA } from "./store.ts";
import type { VisitRecorder } from "./visits.ts";

const config = loadConfig({ AUTH_SECRET: "paging-secret", LOG_LEVEL: "silent" });
const { db, client } = openLibsql("file::memory:");
const noVisits: VisitRecorder = {
  needsWaitUntil: false,
  record() {},
  flush: async () => {},
  close: async () => {},
};
let app: ServiceApp;
let auth: Record<string, string>;

beforeAll(async () => {
  await migrate(db, SCHEMA);
  app = createTinyUrlApp({
    config,
    store: new LinkStore(db),
    cache: memoryCache(),
    limiter: new MemoryRateLimiter(),
    visits: noVisits,
    log: silentLog,
    clientIp: () => "127.0.0.1",
    now: () => Date.UTC(2030, 0, 1), // every link is created in the same millisecond
  });
  auth = { authorization: `Bearer ${await signToken("alice", config.AUTH_SECRET)}` };
});
afterAll(() => client.close());

describe("GET /api/links", () => {
  it("pages through links created in the same millisecond without skipping or repeating any", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await app.request("/shorten", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ url: `https://example.com/${i}` }),
      });
      expect(res.status).toBe(201);
      codes.push(((await res.json()) as { code: string }).code);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await app.request(`/api/links?limit=3${query}`, { headers: auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { links: { code: string }[]; nextCursor: string | null };
      seen.push(...body.links.map((l) => l.code));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...codes].sort());
  });

  it.each(["123", "abc", "1.", "1.a b", "1.a.b"])(
    "refuses the malformed cursor %j with the error shape",
    async (cursor) => {
      const res = await app.request(`/api/links?cursor=${encodeURIComponent(cursor)}`, { headers: auth });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_request" } });
    },
  );

  it("needs a token", async () => {
    expect((await app.request("/api/links")).status).toBe(401);
  });
});
