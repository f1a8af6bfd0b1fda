/** `GET /api/newsfeed` (the ranked, paginated feed) and `GET /api/articles/{article_id}`. */
import { createRoute, type z } from "@hono/zod-openapi";
import { AppError, badRequest, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import { CursorError, decodeCursor, encodeCursor, type FeedCursor } from "./cursor.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { mergeDuplicates, type Story } from "./duplicates.ts";
import type { FeedPool, PoolSnapshot } from "./feed-pool.ts";
import { rankFeed, rankStories } from "./ranking.ts";
import { ArticleDetail, ArticleIdParam, ErrorResponse, Newsfeed, NewsfeedQuery } from "./schemas.ts";
import type { Candidate } from "./store.ts";
import { articleView, feedsOf } from "./views.ts";

/**
 * A first page is ranked as of the current whole second, so requests within it share the scores of the
 * pool's stories (ranking.ts caches them per list and instant). Each reader's page is then reused for up to
 * 5 s (time decay is counted in hours) while nothing it was ranked from changed: the pool's version, their
 * follows, their extra candidates. Ages differ per reader, so pages do not all expire at once.
 */
const ASOF_STEP_MS = 1000;
const PAGE_REUSE_MS = 5000;
/** Readers whose first page is kept at most; past that the cache starts over. */
const MAX_PAGES = 20_000;
const NO_FOLLOWS = { sources: [], topics: [] };

interface CachedPage {
  version: number;
  asOf: number;
  follows: unknown;
  extra: unknown;
  json: string;
}

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

/** The candidates that are not in the pool already. */
const beyond = (extra: readonly Candidate[] | undefined, snapshot: PoolSnapshot) =>
  extra ? extra.filter((a) => !snapshot.byId.has(a.id)) : [];

export function mountNewsfeedRoutes(app: ServiceApp, deps: NewsfeedDeps, pool: FeedPool): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  /** First pages by reader (subject, whether it is their own view, limit). */
  const pages = new Map<string, CachedPage>();
  /**
   * A user's candidates beyond the pool, merged into stories: kept with their list (the pool reuses it for
   * 30 s) while the pool is the same and nothing was liked (a like moves `version`, and merged likes).
   */
  const merged = new WeakMap<
    readonly Candidate[],
    { version: number; byId: PoolSnapshot["byId"]; stories: Story<Candidate>[] }
  >();
  const extraStories = (extra: readonly Candidate[] | undefined, snapshot: PoolSnapshot, version: number) => {
    if (!extra) return [];
    const known = merged.get(extra);
    if (known && known.version === version && known.byId === snapshot.byId) return known.stories;
    const stories = mergeDuplicates(beyond(extra, snapshot));
    merged.set(extra, { version, byId: snapshot.byId, stories });
    return stories;
  };

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
      const first = cursor === null && since === undefined;
      const version = pool.version;
      // Later pages keep their cursor's instant, so pages do not drift apart.
      const asOf = cursor?.asOf ?? Math.floor(now() / ASOF_STEP_MS) * ASOF_STEP_MS;
      const follows = subject ? await pool.follows(subject) : NO_FOLLOWS;
      const following = follows.sources.length + follows.topics.length > 0 ? follows : null;
      // What a user follows beyond the global pool (a quiet source's older posts) joins the candidates.
      const extra =
        subject && following ? await pool.followedCandidates(subject, following, since) : undefined;
      const key = first ? `${subject ?? ""}\n${subject !== null && subject === viewer}\n${query.limit}` : "";
      const hit = first ? pages.get(key) : undefined;
      if (
        hit &&
        now() - hit.asOf < PAGE_REUSE_MS &&
        now() >= hit.asOf &&
        hit.version === version &&
        hit.follows === follows &&
        hit.extra === extra
      )
        return c.body(hit.json, 200, { "Content-Type": "application/json" }) as never;
      const snapshot = await pool.snapshot();
      const ranking = { now: asOf, limit: query.limit, cursor, follows: following };
      // The pool's stories are merged once per reload; extras only among themselves (they are older than
      // the pool, so a copy in both is rare and would only show the story twice).
      const page =
        since === undefined
          ? rankStories({ lists: [snapshot.stories(), extraStories(extra, snapshot, version)] }, ranking)
          : rankFeed([...snapshot.articles, ...beyond(extra, snapshot)], { ...ranking, since });
      const shownIds = page.items.map((item) => item.representative.id);
      const [byId, liked, feeds] = await Promise.all([
        pool.articles(shownIds),
        subject !== null && subject === viewer ? store.people.likedAmong(subject, shownIds) : undefined,
        pool.feedRefs(page.items.map((item) => item.representative.sourceId)),
      ]);
      const body: z.infer<typeof Newsfeed> = {
        user: subject,
        asOf: new Date(page.asOf).toISOString(),
        items: page.items.flatMap((item) => {
          const article = byId.get(item.representative.id);
          // Deleted since the pool was loaded: left out rather than shown half-empty.
          if (!article) return [];
          // The count as the pool knows it (current for this replica's likes): the record may be older.
          const view = articleView(article, feeds, liked ? liked.has(article.id) : null);
          return [
            {
              id: view.id,
              title: view.title,
              link: view.link,
              author: view.author,
              summary: view.summary,
              publishedAt: view.publishedAt,
              topics: view.topics,
              feed: view.feed,
              liked: view.liked,
              // The story's likes (every copy's), not the record's count, which may be 30 s old.
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
      };
      const text = JSON.stringify(body);
      if (first) {
        if (pages.size >= MAX_PAGES) pages.clear();
        pages.set(key, { version, asOf, follows, extra, json: text });
      }
      // The body is the Newsfeed schema already serialized (and kept); the typed c.json would write it again.
      return c.body(text, 200, { "Content-Type": "application/json" }) as never;
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
