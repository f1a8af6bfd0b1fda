/** TinyURL's request and response schemas: validation and the OpenAPI document come from these. */
import { z } from "@hono/zod-openapi";
import { MAX_URL_LENGTH } from "./links.ts";

/** The last instant a Date can print (year 9999); later values would fail when rendered as ISO 8601. */
export const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** ISO 8601 (date or date-time; without an offset it is UTC) or epoch milliseconds, up to year 9999. */
const timestamp = z.union([z.string().max(64), z.number().int().nonnegative().max(MAX_TIME)]);

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

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses ISO 8601 (a date-time without an offset is taken as UTC) or epoch milliseconds. Anything else,
 * and anything outside year 0 (1970) … 9999, is undefined: callers answer 400.
 */
export function parseTime(value: string | number): number | undefined {
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (/^\d{1,16}$/.test(value)) ms = Number(value);
  else if (ISO_8601.test(value)) {
    const utc =
      /[T ]\d{2}:\d{2}/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? `${value}Z` : value;
    ms = Date.parse(utc.replace(" ", "T"));
  } else return undefined;
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_TIME ? ms : undefined;
}
