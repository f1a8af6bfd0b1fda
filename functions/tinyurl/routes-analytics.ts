/** `GET /api/analytics/{code}`: visits over time and by referrer, country, browser, OS and device. */
import { createRoute } from "@hono/zod-openapi";
import { badRequest, forbidden, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import { buildSeries, INTERVAL_MS, MAX_BUCKETS } from "./analytics.ts";
import type { TinyUrlDeps } from "./deps.ts";
import { Analytics, AnalyticsQuery, CodeParam, ErrorResponse, parseTime } from "./schemas.ts";

const DEFAULT_SPAN = { hour: 48, day: 30 } as const;

export function mountAnalyticsRoutes(app: ServiceApp, deps: TinyUrlDeps): void {
  const now = deps.now ?? Date.now;
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/analytics/{code}",
      summary: "Visit analytics of a link (public for anonymous links, owner-only for owned ones)",
      request: { params: CodeParam, query: AnalyticsQuery },
      responses: {
        200: { description: "Analytics", content: { "application/json": { schema: Analytics } } },
        400: { description: "Bad range", content: { "application/json": { schema: ErrorResponse } } },
        403: { description: "Not the owner", content: { "application/json": { schema: ErrorResponse } } },
        404: { description: "Unknown code", content: { "application/json": { schema: ErrorResponse } } },
      },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const query = c.req.valid("query");
      const link = await deps.store.get(code);
      if (!link) throw notFound(`No link with code ${code}`);
      if (link.owner !== null && link.owner !== c.var.userId) {
        throw forbidden("Analytics of an owned link are visible to its owner only");
      }
      const step = INTERVAL_MS[query.interval];
      const to = query.to === undefined ? now() : parseTime(query.to);
      if (to === undefined) throw badRequest("to: not a date");
      const from =
        query.from === undefined ? to - DEFAULT_SPAN[query.interval] * step : parseTime(query.from);
      if (from === undefined) throw badRequest("from: not a date");
      if (from > to) throw badRequest("from: must not be after to");
      if ((to - from) / step > MAX_BUCKETS) {
        throw badRequest(`range too long for interval=${query.interval} (at most ${MAX_BUCKETS} buckets)`);
      }
      const counts = await deps.store.analytics(code, from, to, query.interval);
      return c.json(
        {
          code,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          interval: query.interval,
          total: counts.total,
          humans: counts.humans,
          bots: counts.bots,
          uniqueVisitors: counts.uniqueVisitors,
          series: buildSeries(counts.series, from, to, query.interval),
          referrers: counts.referrers,
          countries: counts.countries,
          browsers: counts.browsers,
          os: counts.os,
          devices: counts.devices,
        },
        200,
      );
    },
  );
}
