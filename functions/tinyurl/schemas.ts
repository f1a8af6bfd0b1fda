/** TinyURL's request and response schemas: validation and the OpenAPI document come from these. */
import { z } from "@hono/zod-openapi";
import { MAX_URL_LENGTH } from "./links.ts";

const timestamp = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

export const ShortenBody = z
  .object({
    url: z
      .string()
      .max(MAX_URL_LENGTH * 2)
      .openapi({ example: "https://example.com/a/long/path" }),
    slug: z.string().max(64).optional().openapi({ description: "Custom code, [A-Za-z0-9_-]{3,64}" }),
    expiresAt: timestamp.optional().openapi({ description: "ISO 8601 or epoch milliseconds" }),
    maxVisits: z.number().int().positive().max(1_000_000_000).optional(),
    password: z.string().min(1).max(256).optional(),
    title: z.string().max(300).optional(),
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
    redirectStatus: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]).optional(),
  })
  .strict()
  .openapi("ShortenRequest");

export const PatchBody = z
  .object({
    url: z
      .string()
      .max(MAX_URL_LENGTH * 2)
      .optional(),
    expiresAt: timestamp.nullable().optional(),
    maxVisits: z.number().int().positive().max(1_000_000_000).nullable().optional(),
    title: z.string().max(300).nullable().optional(),
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  })
  .strict()
  .openapi("PatchLinkRequest");

export const Link = z
  .object({
    code: z.string(),
    shortUrl: z.string(),
    url: z.string().nullable().openapi({ description: "null for password links viewed by non-owners" }),
    title: z.string().nullable(),
    tags: z.array(z.string()),
    redirectStatus: z.number().int(),
    expiresAt: z.string().nullable(),
    maxVisits: z.number().int().nullable(),
    visitsUsed: z.number().int(),
    hasPassword: z.boolean(),
    owned: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Link");

export const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "code", in: "path" }, example: "abc2345" }),
});

export const AnalyticsQuery = z.object({
  from: z
    .string()
    .optional()
    .openapi({ description: "ISO 8601 or epoch ms; default: 30 days (day) or 48 hours (hour) before `to`" }),
  to: z.string().optional().openapi({ description: "ISO 8601 or epoch ms; default: now" }),
  interval: z.enum(["hour", "day"]).default("day"),
});

const Breakdown = z.array(z.object({ value: z.string(), visits: z.number().int() }));

export const Analytics = z
  .object({
    code: z.string(),
    from: z.string(),
    to: z.string(),
    interval: z.enum(["hour", "day"]),
    total: z.number().int(),
    humans: z.number().int(),
    bots: z.number().int(),
    uniqueVisitors: z.number().int(),
    series: z.array(z.object({ start: z.string(), visits: z.number().int(), humans: z.number().int() })),
    referrers: Breakdown,
    countries: Breakdown,
    browsers: Breakdown,
    os: Breakdown,
    devices: Breakdown,
  })
  .openapi("Analytics");

export const ErrorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("Error");

export const LinkList = z
  .object({ links: z.array(Link), nextCursor: z.string().nullable() })
  .openapi("LinkList");

/** Parses ISO 8601 or epoch milliseconds. */
export function parseTime(value: string | number): number | undefined {
  if (typeof value === "number") return value;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
