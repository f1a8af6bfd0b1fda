/** `GET /api/search?q=`: full text over titles and summaries (SQLite FTS5 on both runtimes). */
import { createRoute } from "@hono/zod-openapi";
import { badRequest } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { ErrorResponse, MAX_SEARCH_OFFSET, SearchQuery, SearchResults } from "./schemas.ts";
import { ftsQuery, searchTerms } from "./search-query.ts";
import { MARK_END, MARK_START } from "./store.ts";
import { articleView, feedsOf, snippetHtml } from "./views.ts";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });

export function mountSearchRoutes(app: ServiceApp, deps: NewsfeedDeps): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/search",
      summary: 'Search titles and summaries: every word must match; "a phrase"; prefix*',
      request: { query: SearchQuery },
      responses: {
        200: { description: "Best matches first", ...json(SearchResults) },
        400: { description: "No searchable words, or a bad limit/offset", ...json(ErrorResponse) },
        401: { description: "Bad bearer token", ...json(ErrorResponse) },
      },
    }),
    async (c) => {
      const { q, limit, offset } = c.req.valid("query");
      const terms = searchTerms(q);
      if (terms.length === 0) throw badRequest("q: give at least one word (letters or digits)");
      // One more than a page tells whether there is a next one.
      const hits = await store.search(terms, limit + 1, offset);
      const page = hits.slice(0, limit);
      const articles = page.map((h) => h.article);
      const viewer = c.var.userId;
      const [feeds, liked] = await Promise.all([
        feedsOf(store, articles),
        viewer
          ? store.people.likedAmong(
              viewer,
              articles.map((a) => a.id),
            )
          : undefined,
      ]);
      return c.json(
        {
          query: ftsQuery(terms),
          items: page.map((hit) => ({
            ...articleView(hit.article, feeds, liked ? liked.has(hit.article.id) : null),
            snippet: snippetHtml(hit.snippet, MARK_START, MARK_END),
          })),
          nextOffset: hits.length > limit && offset + limit <= MAX_SEARCH_OFFSET ? offset + limit : null,
        },
        200,
      );
    },
  );
}
