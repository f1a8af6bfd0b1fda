/** `POST /api/feeds` (subscribe after one verifying fetch) and `GET /api/feeds` (each feed's status). */
import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../shared/auth.ts";
import { notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import type { FeedPool } from "./feed-pool.ts";
import { AddFeedBody, ErrorResponse, Feed, FeedIdParam, FeedList, FeedsQuery } from "./schemas.ts";
import { feedView } from "./views.ts";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });

export function mountFeedRoutes(app: ServiceApp, deps: NewsfeedDeps, pool: FeedPool): void {
  const { store } = deps;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/feeds",
      summary: "Add a feed by URL (bearer token); it is fetched once to check that it is a feed",
      request: { body: { required: true, ...json(AddFeedBody) } },
      responses: {
        201: { description: "Added, with its first entries stored", ...json(Feed) },
        200: {
          description: "Already there: the existing feed (re-enabled if it was disabled)",
          ...json(Feed),
        },
        400: { description: "Not an absolute http(s) URL", ...json(ErrorResponse) },
        401: { description: "A bearer token is required", ...json(ErrorResponse) },
        422: {
          description: "`feed_unreachable` (fetch failed or refused) or `not_a_feed`",
          ...json(ErrorResponse),
        },
      },
    }),
    async (c) => {
      const user = requireUser(c);
      // The WHATWG form, so `HTTP://Example.com` and `http://example.com/` are one feed.
      const url = new URL(c.req.valid("json").url).href;
      const { feed, created } = await deps.ingest.subscribe(url, user);
      if (created) pool.invalidate();
      const headers = { Location: `/api/feeds/${feed.id}` };
      return created ? c.json(feedView(feed), 201, headers) : c.json(feedView(feed), 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/feeds",
      summary: "Every feed with its status: last fetch, last error, next check, entry count",
      request: { query: FeedsQuery },
      responses: {
        200: { description: "Feeds in the order they were added", ...json(FeedList) },
        400: { description: "Invalid limit or after", ...json(ErrorResponse) },
      },
    }),
    async (c) => {
      const { limit, after } = c.req.valid("query");
      const feeds = await store.feeds.list(limit + 1, after);
      const page = feeds.slice(0, limit);
      return c.json(
        { feeds: page.map(feedView), nextAfter: feeds.length > limit ? page.at(-1)!.id : null },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/feeds/{feed_id}",
      summary: "One feed and its status",
      request: { params: FeedIdParam },
      responses: {
        200: { description: "The feed", ...json(Feed) },
        404: { description: "No such feed", ...json(ErrorResponse) },
      },
    }),
    async (c) => {
      const id = Number(c.req.valid("param").feed_id);
      const feed = await store.feeds.get(id);
      if (!feed) throw notFound(`No feed ${id}`);
      return c.json(feedView(feed), 200);
    },
  );
}
