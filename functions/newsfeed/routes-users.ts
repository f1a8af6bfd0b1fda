/**
 * Follows: `GET /api/follows`, `POST /api/follows {source | topic}`, `DELETE /api/follows {source | topic}`
 * (or `?source=` / `?topic=` for clients that cannot send a body with DELETE). A source is a feed id, a
 * topic any category name (compared as ranking.ts' `normalizeTopic` makes it: `#Machine Learning` is
 * `machine-learning`). Following lifts matching stories in the user's feed; it never hides the rest.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../shared/auth.ts";
import { AppError, badRequest, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import { topicOf } from "./article-fields.ts";
import type { NewsfeedDeps } from "./deps.ts";
import type { FeedPool } from "./feed-pool.ts";
import { ErrorResponse, FollowBody, FollowList } from "./schemas.ts";
import { MAX_FOLLOWS } from "./store-people.ts";
import { feedRef } from "./views.ts";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
const errors = {
  400: { description: "Not exactly one of source or topic, or an empty topic", ...json(ErrorResponse) },
  401: { description: "A bearer token is required", ...json(ErrorResponse) },
};

type Follow = { kind: "source"; feedId: number } | { kind: "topic"; topic: string };

function followOf(body: { source?: number | string; topic?: string }): Follow {
  if (body.source !== undefined && body.topic === undefined)
    return { kind: "source", feedId: Number(body.source) };
  if (body.topic !== undefined && body.source === undefined) {
    const topic = topicOf(body.topic);
    if (!topic) throw badRequest("topic: must have 1 to 100 characters after normalisation");
    return { kind: "topic", topic };
  }
  throw badRequest("give exactly one of source or topic");
}

const DeleteQuery = z.object({
  source: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, "source is a feed id")
    .optional(),
  topic: z.string().max(100).optional(),
});

export function mountFollowRoutes(app: ServiceApp, deps: NewsfeedDeps, pool: FeedPool): void {
  const now = deps.now ?? Date.now;
  const { store } = deps;

  const listOf = async (userId: string) => {
    const follows = await store.people.follows(userId);
    const feeds = new Map((await store.feeds.getMany(follows.sources)).map((f) => [f.id, f]));
    return {
      sources: follows.sources.flatMap((id) => {
        const ref = feedRef(feeds.get(id));
        return ref ? [ref] : [];
      }),
      topics: follows.topics,
    };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/follows",
      summary: "The sources (feeds) and topics you follow",
      responses: { 200: { description: "Your follows", ...json(FollowList) }, ...errors },
    }),
    async (c) => c.json(await listOf(requireUser(c)), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/follows",
      summary: "Follow a source (`{source: feedId}`) or a topic (`{topic}`); idempotent",
      request: { body: { required: true, ...json(FollowBody) } },
      responses: {
        201: { description: "Now followed: your follows", ...json(FollowList) },
        200: { description: "Already followed: your follows", ...json(FollowList) },
        404: { description: "No such feed", ...json(ErrorResponse) },
        409: { description: `More than ${MAX_FOLLOWS} follows`, ...json(ErrorResponse) },
        ...errors,
      },
    }),
    async (c) => {
      const userId = requireUser(c);
      const follow = followOf(c.req.valid("json"));
      if ((await store.people.followCount(userId)) >= MAX_FOLLOWS) {
        throw new AppError(
          409,
          "too_many_follows",
          `At most ${MAX_FOLLOWS} sources and topics can be followed`,
        );
      }
      let added: boolean;
      if (follow.kind === "source") {
        if (!(await store.feeds.get(follow.feedId))) throw notFound(`No feed ${follow.feedId}`);
        added = await store.people.followSource(userId, follow.feedId, now());
      } else {
        added = await store.people.followTopic(userId, follow.topic, now());
      }
      pool.followsChanged(userId);
      const list = await listOf(userId);
      return added ? c.json(list, 201) : c.json(list, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/follows",
      summary: "Stop following a source or topic (JSON body, or ?source= / ?topic=); idempotent",
      request: { query: DeleteQuery, body: { required: false, ...json(FollowBody) } },
      responses: { 200: { description: "Your follows", ...json(FollowList) }, ...errors },
    }),
    async (c) => {
      const userId = requireUser(c);
      const query = c.req.valid("query");
      const body = (c.req.valid("json") as z.infer<typeof FollowBody> | undefined) ?? {};
      const fromQuery = query.source !== undefined || query.topic !== undefined;
      const follow = followOf(fromQuery && Object.keys(body).length === 0 ? query : body);
      if (follow.kind === "source") await store.people.unfollowSource(userId, follow.feedId);
      else await store.people.unfollowTopic(userId, follow.topic);
      pool.followsChanged(userId);
      return c.json(await listOf(userId), 200);
    },
  );
}
