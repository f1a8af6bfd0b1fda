/** Newsfeed's request and response schemas: validation and the OpenAPI document come from these. */
import { z } from "@hono/zod-openapi";

export const ErrorResponse = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("Error");

/** Longest feed URL accepted. */
export const MAX_FEED_URL_LENGTH = 2048;

const UserId = z.string().trim().min(1).max(200);
const numericId = (name: string, example: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, `${name} is a positive integer`)
    .openapi({ param: { name, in: "path" }, example });

export const ArticleIdParam = z.object({ article_id: numericId("article_id", "42") });
export const FeedIdParam = z.object({ feed_id: numericId("feed_id", "3") });
export const UserIdParam = z.object({
  user_id: UserId.openapi({ param: { name: "user_id", in: "path" }, example: "alice" }),
});

const limit = (max: number, def: number) => z.coerce.number().int().min(1).max(max).default(def);

export const NewsfeedQuery = z.object({
  user: UserId.optional().openapi({
    description: "Whose feed, without a token (demos): that user's follows, never their likes",
  }),
  cursor: z.string().max(1024).optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: limit(100, 20),
  since: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: "Only articles posted after this instant (ISO 8601 or epoch ms)" }),
});

/** Search pages go this deep: past it, refine the words. */
export const MAX_SEARCH_OFFSET = 1000;

export const SearchQuery = z.object({
  q: z.string().max(500).openapi({ description: 'Words (all must match), `"a phrase"`, `prefix*`' }),
  limit: limit(50, 20),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_OFFSET).default(0),
});

export const RecommendationsQuery = z.object({ limit: limit(50, 20) });

export const FeedsQuery = z.object({
  limit: limit(200, 50),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .openapi({ description: "`nextAfter` of the previous page" }),
});

export const AddFeedBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "url must be an absolute http(s) URL" })
      .max(MAX_FEED_URL_LENGTH)
      .openapi({ example: "https://blog.rust-lang.org/feed.xml" }),
  })
  .strict()
  .openapi("AddFeedRequest");

export const FollowBody = z
  .object({
    source: z
      .union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,14}$/)])
      .optional()
      .openapi({ description: "A feed id (from GET /api/feeds)", example: "3" }),
    topic: z.string().max(100).optional().openapi({ example: "rust" }),
  })
  .strict()
  .refine((b) => (b.source === undefined) !== (b.topic === undefined), {
    message: "give exactly one of source or topic",
  })
  .openapi("FollowRequest");

export const Feed = z
  .object({
    id: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    siteLink: z.string().nullable(),
    format: z.string().nullable(),
    status: z.enum(["active", "disabled"]),
    lastFetchAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    nextCheckAt: z.string().nullable().openapi({ description: "null while disabled" }),
    consecutiveFailures: z.number().int(),
    entryCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Feed");

export const FeedList = z
  .object({ feeds: z.array(Feed), nextAfter: z.number().int().nullable() })
  .openapi("FeedList");

const FeedRef = z.object({ id: z.string(), title: z.string().nullable(), url: z.string() });

export const Article = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    link: z.string().nullable(),
    author: z.string().nullable(),
    summary: z.string().nullable().openapi({ description: "Sanitised HTML" }),
    publishedAt: z.string(),
    topics: z.array(z.string()),
    feed: FeedRef.nullable(),
    likes: z.number().int(),
    liked: z.boolean().nullable().openapi({ description: "null when the caller is not the feed's user" }),
  })
  .openapi("Article");

export const FeedItem = Article.extend({
  score: z.number(),
  duplicates: z.array(z.string()).openapi({ description: "Ids of the same story from other sources" }),
  sources: z.array(z.string()).openapi({ description: "Feed ids carrying the story" }),
  followedSource: z.boolean(),
  followedTopic: z.string().nullable(),
}).openapi("FeedItem");

export const Newsfeed = z
  .object({
    user: z.string().nullable(),
    asOf: z.string(),
    items: z.array(FeedItem),
    nextCursor: z.string().nullable(),
  })
  .openapi("Newsfeed");

export const ArticleDetail = Article.extend({
  content: z.string().nullable().openapi({ description: "Sanitised HTML" }),
}).openapi("ArticleDetail");

export const LikeResult = z
  .object({ articleId: z.string(), liked: z.boolean(), likes: z.number().int() })
  .openapi("LikeResult");

export const Recommendations = z
  .object({
    user: z.string(),
    items: z.array(
      z.object({
        article: Article,
        score: z.number(),
        reason: z.string(),
        basis: z.enum(["co-liked", "topic", "trending"]),
      }),
    ),
  })
  .openapi("Recommendations");

export const SearchResults = z
  .object({
    query: z.string().openapi({ description: "The FTS5 query the words became" }),
    items: z.array(
      Article.extend({
        snippet: z.string().openapi({ description: "HTML: escaped text with <mark> matches" }),
      }),
    ),
    nextOffset: z.number().int().nullable(),
  })
  .openapi("SearchResults");

export const FollowList = z
  .object({ sources: z.array(FeedRef), topics: z.array(z.string()) })
  .openapi("Follows");
