/** `GET /api/newsfeed` (the ranked, paginated feed) and `GET /api/articles/{article_id}`. */
import { createRoute } from "@hono/zod-openapi";
import { AppError, badRequest, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import { CursorError, decodeCursor, encodeCursor, type FeedCursor } from "./cursor.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { mergeDuplicates } from "./duplicates.ts";
import type { FeedPool } from "./feed-pool.ts";
import { rankFeed, rankStories } from "./ranking.ts";
import { ArticleDetail, ArticleIdParam, ErrorResponse, Newsfeed, NewsfeedQuery } from "./schemas.ts";
import { articleView, feedsById, feedsOf } from "./views.ts";

/** The newest articles of a user's follows considered besides the global pool. */
export const FOLLOWED_CANDIDATES = 100;

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
const errors = {
  400: { description: "Invalid request (bad cursor, since or limit)", ...json(ErrorResponse) },
  401: { description: "Bad bearer token", ...json(ErrorResponse) },
};

/** ISO 8601 or epoch milliseconds. */
export function parseInstant(value: string, name: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw badRequest(`${name}: not an ISO 8601 date or epoch milliseconds`);
  return ms;
}

export function mountNewsfeedRoutes(app: ServiceApp, deps: NewsfeedDeps, pool: FeedPool): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/newsfeed",
      summary:
        "Ranked feed: yours (bearer token), a user's public view (?user=, for demos), else the global popular feed",
      request: { query: NewsfeedQuery },
      responses: { 200: { description: "One page of the feed", ...json(Newsfeed) }, ...errors },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const viewer = c.var.userId ?? null;
      // `?user=` shows that user's follows-boosted feed to anyone; their likes stay private (liked: null).
      const subject = query.user ?? viewer;
      let cursor: FeedCursor | null = null;
      try {
        cursor = query.cursor ? decodeCursor(query.cursor) : null;
      } catch (err) {
        if (err instanceof CursorError) throw new AppError(400, "invalid_cursor", err.message);
        throw err;
      }
      const since = query.since === undefined ? undefined : parseInstant(query.since, "since");
      const asOf = cursor?.asOf ?? now();
      const [snapshot, follows] = await Promise.all([
        pool.snapshot(),
        subject ? store.people.follows(subject) : { sources: [], topics: [] },
      ]);
      const following = follows.sources.length + follows.topics.length > 0 ? follows : null;
      // What a user follows beyond the global pool (a quiet source's older posts) joins the candidates.
      const extra =
        subject && following
          ? (await store.followedCandidates(subject, FOLLOWED_CANDIDATES, since)).filter(
              (a) => !snapshot.byId.has(a.id),
            )
          : [];
      const ranking = { now: asOf, limit: query.limit, cursor, follows: following };
      // The pool's stories are merged once per reload; extras only among themselves (they are older than
      // the pool, so a copy in both is rare and would only show the story twice).
      const page =
        since === undefined
          ? rankStories([...snapshot.stories(), ...mergeDuplicates(extra)], ranking)
          : rankFeed([...snapshot.articles, ...extra], { ...ranking, since });
      const shownIds = page.items.map((item) => item.representative.id);
      const [records, liked, feeds] = await Promise.all([
        store.articles.getMany(shownIds),
        subject !== null && subject === viewer ? store.people.likedAmong(subject, shownIds) : undefined,
        feedsById(
          store,
          page.items.map((item) => item.representative.sourceId),
        ),
      ]);
      const byId = new Map(records.map((a) => [a.id, a]));
      return c.json(
        {
          user: subject,
          asOf: new Date(page.asOf).toISOString(),
          items: page.items.flatMap((item) => {
            const article = byId.get(item.representative.id);
            // Deleted since the pool was loaded: left out rather than shown half-empty.
            if (!article) return [];
            return [
              {
                ...articleView(article, feeds, liked ? liked.has(article.id) : null),
                likes: item.likes,
                score: item.score,
                duplicates: item.duplicateIds.map(String),
                sources: item.sourceIds.map(String),
                followedSource: item.followedSource,
                followedTopic: item.followedTopic,
              },
            ];
          }),
          nextCursor: page.next ? encodeCursor(page.next) : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/articles/{article_id}",
      summary: "One article with its content",
      request: { params: ArticleIdParam },
      responses: {
        200: { description: "The article", ...json(ArticleDetail) },
        404: { description: "No such article", ...json(ErrorResponse) },
        ...errors,
      },
    }),
    async (c) => {
      const id = Number(c.req.valid("param").article_id);
      const article = await store.articles.get(id);
      if (!article) throw notFound(`No article ${id}`);
      const viewer = c.var.userId;
      const [feeds, liked] = await Promise.all([
        feedsOf(store, [article]),
        viewer ? store.people.likedAmong(viewer, [id]) : undefined,
      ]);
      return c.json(
        { ...articleView(article, feeds, liked ? liked.has(id) : null), content: article.content },
        200,
      );
    },
  );
}
