/**
 * Property tests against the in-process app: arbitrary, often hostile, POST /shorten bodies and GET paths.
 * Invariants: never a 5xx; every 4xx has the error shape; every 201 is stored exactly as returned (the
 * redirect goes to the returned url); a taken slug is always a 409 and never overwrites.
 */
import type { Client } from "@libsql/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryCache } from "../shared/cache.ts";
import { loadConfig } from "../shared/config.ts";
import { MemoryRateLimiter } from "../shared/rate-limit.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { silentLog } from "../shared/testing/log.ts";
import { createTinyUrlApp } from "./app.ts";
import { LinkStore, SCHEMA } from "./store.ts";
import { BufferedVisitRecorder } from "./visits.ts";

const ORIGIN = "http://sho.rt";
const TAKEN = ["taken-one", "Taken_Two", "t3x"];
const ABSENT = Symbol("absent");

let app: ServiceApp;
let client: Client;
let visits: BufferedVisitRecorder;
const created = new Map<string, string>(); // code → url, for every 201 seen
const takenSlugs = new Set<string>();

beforeAll(async () => {
  const config = loadConfig({
    RATE_LIMIT_API: "1000000000",
    RATE_LIMIT_REDIRECT: "1000000000",
    TINYURL_BLOCKED_HOSTS: "blocked.example",
    LOG_LEVEL: "silent",
  });
  const opened = openLibsql("file::memory:");
  client = opened.client;
  await migrate(opened.db, SCHEMA);
  const store = new LinkStore(opened.db);
  visits = new BufferedVisitRecorder(store, "salt", silentLog, { flushMs: 60_000, batchSize: 200 });
  app = createTinyUrlApp({
    config,
    store,
    cache: memoryCache(),
    limiter: new MemoryRateLimiter(),
    visits,
    log: silentLog,
    clientIp: () => "127.0.0.1",
  });
  for (const slug of TAKEN) {
    const res = await shorten(JSON.stringify({ url: `https://example.com/${slug}`, slug }));
    expect(res.status).toBe(201);
    created.set(slug, `https://example.com/${slug}`);
    takenSlugs.add(slug);
  }
});

afterAll(async () => {
  await visits?.close();
  client?.close();
});

function shorten(body: string, contentType: string | null = "application/json", origin?: string) {
  const headers: Record<string, string> = {};
  if (contentType) headers["content-type"] = contentType;
  if (origin) headers.origin = origin;
  return app.request(`${ORIGIN}/shorten`, { method: "POST", headers, body });
}

async function expectErrorShape(res: Response): Promise<void> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${res.status} body is not JSON: ${text.slice(0, 200)}`);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  expect(typeof error?.code, text).toBe("string");
  expect(typeof error?.message, text).toBe("string");
}

/** `arb` with probability `p`, else the key is left out of the body. */
const maybe = <T>(arb: fc.Arbitrary<T>, p = 0.5) =>
  fc.oneof(
    { weight: Math.round((1 - p) * 100), arbitrary: fc.constant(ABSENT) },
    { weight: Math.round(p * 100), arbitrary: arb },
  );

const wrongType = fc.oneof(fc.jsonValue(), fc.constant(null), fc.boolean(), fc.double());
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    "ftp://example.com/",
    "http://",
    "//example.com/x",
    `${ORIGIN}/abc`,
    "https://user:pw@example.com/",
    "https://blocked.example/",
    "https://deep.sub.blocked.example/x",
    "http://[::1]:8080/x",
    "https://例え.テスト/パス?q=ü#frag",
    "https://example.com/\u202e\u0000\ud800",
    `https://example.com/${"a".repeat(2100)}`,
  ),
);
const url = fc.oneof(
  { weight: 5, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  {
    weight: 1,
    arbitrary: fc.webUrl({ authoritySettings: { withIPv4: true, withIPv6: true, withPort: true } }),
  },
  { weight: 4, arbitrary: hostile },
);
const slug = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{3,64}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...TAKEN, "api", "SHORTEN", "healthz", "ab", "a b", "../x", "ééé", "a/b"),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 70 }) },
);
const expiresAt = fc.oneof(
  fc.integer({ min: 1, max: 1000 }).map((days) => Date.now() + days * 86_400_000),
  fc.integer({ min: 1, max: 1000 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString()),
  fc.integer({ min: -1e12, max: Date.now() }),
  // Far beyond what a Date can print, as numbers and as text: must be a 400, never a 500 after the insert.
  fc.integer({ min: Date.now(), max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.constantFrom("2030-01-01", "2030-01-01T00:00:00", "+275760-09-13T00:00:00.000Z", "99999-01-01"),
  fc.string(),
);
const fields = fc.record({
  url: maybe(fc.oneof({ weight: 9, arbitrary: url }, { weight: 1, arbitrary: wrongType }), 0.95),
  slug: maybe(fc.oneof({ weight: 9, arbitrary: slug }, { weight: 1, arbitrary: wrongType }), 0.4),
  title: maybe(fc.oneof(fc.string({ maxLength: 320 }), fc.string({ unit: "grapheme" }), wrongType), 0.3),
  tags: maybe(fc.oneof(fc.array(fc.string({ maxLength: 55 }), { maxLength: 22 }), wrongType), 0.3),
  expiresAt: maybe(fc.oneof(expiresAt, wrongType), 0.2),
  maxVisits: maybe(fc.oneof(fc.integer({ min: -5, max: 1_000_000_001 }), fc.double(), wrongType), 0.2),
  redirectStatus: maybe(fc.oneof(fc.constantFrom(301, 302, 307, 308, 303, 200, 0), wrongType), 0.2),
  // Rare: hashing a password costs ~50 ms by design.
  password: maybe(fc.string({ maxLength: 300 }), 0.02),
  extra: maybe(fc.jsonValue(), 0.05),
});
/** Well-typed bodies with plausible values, so that many requests get through to the store. */
const plausible = fc.record({
  url: fc.oneof(
    { weight: 9, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    { weight: 1, arbitrary: hostile },
  ),
  slug: maybe(fc.stringMatching(/^[A-Za-z0-9_-]{3,64}$/), 0.4),
  title: maybe(fc.string({ unit: "grapheme", maxLength: 100 }), 0.3),
  tags: maybe(fc.array(fc.string({ minLength: 1, maxLength: 50 }), { maxLength: 20 }), 0.3),
  expiresAt: maybe(expiresAt, 0.2),
  maxVisits: maybe(fc.integer({ min: 1, max: 1_000_000_000 }), 0.2),
  redirectStatus: maybe(fc.constantFrom(301, 302, 307, 308), 0.3),
  password: maybe(fc.string({ minLength: 1, maxLength: 256 }), 0.02),
});
const withoutAbsent = (f: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ABSENT)));
const body = fc.oneof(
  { weight: 12, arbitrary: plausible.map(withoutAbsent) },
  { weight: 10, arbitrary: fields.map(withoutAbsent) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string() },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 16_000, max: 40_000 })
      .map((n) => JSON.stringify({ url: `https://x.org/${"a".repeat(n)}` })),
  },
);
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      null,
    ),
  },
);

describe("POST /shorten with arbitrary bodies", () => {
  it("never fails with a 5xx; 4xx has the error shape; every 201 redirects to exactly the returned url", async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.boolean(), async (text, type, sameOrigin) => {
        const sent = (() => {
          try {
            return JSON.parse(text) as { slug?: unknown };
          } catch {
            return undefined;
          }
        })();
        const requestedSlug = typeof sent?.slug === "string" ? sent.slug : undefined;
        const wasTaken = requestedSlug !== undefined && takenSlugs.has(requestedSlug);
        const res = await shorten(text, type, sameOrigin ? ORIGIN : undefined);
        expect(res.status, text.slice(0, 300)).toBeLessThan(500);
        if (res.status >= 400) {
          await expectErrorShape(res);
          if (res.status === 409) expect(wasTaken).toBe(true);
          return;
        }
        expect(res.status).toBe(201);
        expect(wasTaken, `taken slug ${requestedSlug} was accepted`).toBe(false);
        const link = (await res.json()) as {
          code: string;
          url: string;
          shortUrl: string;
          hasPassword: boolean;
          redirectStatus: number;
        };
        expect(link.shortUrl).toBe(`${ORIGIN}/${link.code}`);
        expect(res.headers.get("location")).toBe(link.shortUrl);
        if (requestedSlug !== undefined) {
          expect(link.code).toBe(requestedSlug);
          takenSlugs.add(requestedSlug);
        }
        expect(created.has(link.code)).toBe(false);
        created.set(link.code, link.url);
        const follow = await app.request(`${ORIGIN}/${encodeURIComponent(link.code)}`);
        if (link.hasPassword) {
          expect(follow.status).toBe(401);
        } else {
          expect(follow.status).toBe(link.redirectStatus);
          expect(follow.headers.get("location")).toBe(link.url);
        }
      }),
      { numRuns: 1300 },
    );
    const [row] = (await client.execute("SELECT COUNT(*) AS n FROM links")).rows;
    expect(Number(row?.n)).toBe(created.size);
  }, 180_000);

  it("a taken slug is always a 409 and leaves the first link alone", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TAKEN), fc.webUrl(), async (taken, target) => {
        const res = await shorten(JSON.stringify({ url: target, slug: taken }));
        expect(res.status).toBe(409);
        expect(await res.json()).toEqual({
          error: { code: "conflict", message: `slug: "${taken}" is already taken` },
        });
        const follow = await app.request(`${ORIGIN}/${taken}`);
        expect(follow.headers.get("location")).toBe(`https://example.com/${taken}`);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe("GET /{arbitrary path segment}", () => {
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/) },
    { weight: 1, arbitrary: fc.constantFrom(...TAKEN) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "%",
        "%zz",
        "%E0%A4%A",
        "..",
        ".",
        "%2e%2e",
        "a%00b",
        "%2F",
        "~",
        "%F0%9F%92%A9",
        "a".repeat(5000),
      ),
    },
  );

  it("never answers a 5xx; JSON callers get the error shape; redirects only go to stored urls", async () => {
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom("GET", "HEAD"), fc.boolean(), async (seg, method, json) => {
        const res = await app.request(`${ORIGIN}/${seg}`, {
          method,
          headers: json ? { accept: "application/json" } : { accept: "text/html" },
        });
        expect(res.status, seg).toBeLessThan(500);
        if (res.status >= 300 && res.status < 400) {
          expect([...created.values()]).toContain(res.headers.get("location"));
        }
        if (res.status >= 400 && json && method === "GET") await expectErrorShape(res);
      }),
      { numRuns: 600 },
    );
  }, 120_000);
});
