/** Likes (`POST`/`DELETE /api/like/{article_id}`) and the recommendations built on them. */
import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../shared/auth.ts";
import { notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import type { FeedPool } from "./feed-pool.ts";
import type { RecommendationPage, Recommender } from "./recommender.ts";
import {
  ArticleIdParam,
  ErrorResponse,
  LikeResult,
  Recommendations,
  RecommendationsQuery,
  UserIdParam,
} from "./schemas.ts";
import { articleView } from "./views.ts";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
const likeResponses = {
  200: { description: "The article's like state and count", ...json(LikeResult) },
  400: { description: "Invalid article id", ...json(ErrorResponse) },
  401: { description: "A bearer token is required", ...json(ErrorResponse) },
  404: { description: "No such article", ...json(ErrorResponse) },
};

/** What a reason says to anyone but the user it is for: it must not name what they liked. */
const PRIVATE_CO_LIKED_REASON = "liked by people with similar tastes";

export function mountLikeRoutes(
  app: ServiceApp,
  deps: NewsfeedDeps,
  recommender: Recommender,
  pool: FeedPool,
): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const bodies = new WeakMap<RecommendationPage, { own?: string; others?: string }>();

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/like/{article_id}",
      summary: "Like an article (idempotent: liking twice counts once)",
      request: { params: ArticleIdParam },
      responses: likeResponses,
    }),
    async (c) => {
      const userId = requireUser(c);
      const articleId = Number(c.req.valid("param").article_id);
      const result = await store.people.like(userId, articleId, now());
      if (!result) throw notFound(`No article ${articleId}`);
      pool.liked(articleId, result.likes);
      if (result.changed) await recommender.liked({ op: "like", userId, articleId });
      return c.json({ articleId: String(articleId), liked: true, likes: result.likes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/like/{article_id}",
      summary: "Take a like back (idempotent)",
      request: { params: ArticleIdParam },
      responses: likeResponses,
    }),
    async (c) => {
      const userId = requireUser(c);
      const articleId = Number(c.req.valid("param").article_id);
      const result = await store.people.unlike(userId, articleId);
      if (!result) throw notFound(`No article ${articleId}`);
      pool.liked(articleId, result.likes);
      if (result.changed) await recommender.liked({ op: "unlike", userId, articleId });
      return c.json({ articleId: String(articleId), liked: false, likes: result.likes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/recommendations/{user_id}",
      summary:
        "Articles for a user: co-liked with their likes, their topics, popular; each with a reason (full reasons for the user's own token)",
      request: { params: UserIdParam, query: RecommendationsQuery },
      responses: {
        200: { description: "Recommendations, best first", ...json(Recommendations) },
        400: { description: "Invalid request", ...json(ErrorResponse) },
        401: { description: "Bad bearer token", ...json(ErrorResponse) },
      },
    }),
    async (c) => {
      const { user_id: userId } = c.req.valid("param");
      const { limit } = c.req.valid("query");
      const own = c.var.userId === userId;
      // One cached read per user (dropped on their own like or unlike; see recommender.ts), and its JSON
      // written once per audience while that answer lasts.
      const page = await recommender.page(userId, limit);
      const written = bodies.get(page) ?? {};
      bodies.set(page, written);
      const audience = own ? "own" : "others";
      written[audience] ??= JSON.stringify(recommendationsBody(userId, page, own));
      // The body is the Recommendations schema already serialized; the typed c.json would write it again.
      return c.body(written[audience], 200, { "Content-Type": "application/json" }) as never;
    },
  );
}

/** The response: each recommendation with its article as the feed shows it. */
function recommendationsBody(userId: string, page: RecommendationPage, own: boolean) {
  const { recommendations, articles, feeds } = page;
  const items = recommendations.flatMap((r) => {
    const article = articles.get(Number(r.itemId));
    if (!article) return [];
    const reason = own || r.basis.kind !== "co-liked" ? r.reason : PRIVATE_CO_LIKED_REASON;
    // Recommendations never include what the user liked: `liked` is false for them, unknown to others.
    const view = articleView(article, feeds, own ? false : null);
    return [{ article: view, score: r.score, reason, basis: r.basis.kind }];
  });
  return { user: userId, items };
}
