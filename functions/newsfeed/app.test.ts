import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, newsfeedHarness } from "./testing/app-harness.ts";
import { subscribeStories, TITLES } from "./testing/stories.ts";

let h: Harness;
let ids: Record<string, string>;
let feedA: string;
let feedB: string;

beforeEach(async () => {
  h = await newsfeedHarness();
  ({ ids, feedA, feedB } = await subscribeStories(h));
});
afterEach(() => h.close());

const titles = (body: { items: { title: string }[] }) => body.items.map((i) => i.title);

describe("GET /api/newsfeed", () => {
  it("gives anonymous callers the global feed: gravity order, duplicates merged", async () => {
    const res = await h.call(null, "GET", "/api/newsfeed");
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
    expect(res.body.asOf).toBe("2026-11-27T12:00:00.000Z");
    expect(titles(res.body)).toEqual([TITLES.rust, TITLES.go, TITLES.garden, TITLES.db]);
    const [rust] = res.body.items;
    expect(rust).toMatchObject({
      id: ids.a1,
      duplicates: [ids.b1],
      sources: [feedA, feedB],
      feed: { id: feedA, title: "Site A", url: "https://a.example/feed.xml" },
      topics: ["rust"],
      likes: 0,
      liked: null,
      followedSource: false,
      followedTopic: null,
      publishedAt: "2026-11-27T10:00:00.000Z",
    });
    expect(rust.summary).toContain("compiler");
    expect(res.body.nextCursor).toBeNull();
  });

  it("pages with a cursor: every item once, in the same order", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const res = await h.call(null, "GET", `/api/newsfeed?limit=1${query}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      seen.push(res.body.items[0].title);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([TITLES.rust, TITLES.go, TITLES.garden, TITLES.db]);
  });

  it("reuses the anonymous first page until the pool changes, and a like here changes it", async () => {
    const first = await h.call(null, "GET", "/api/newsfeed");
    expect((await h.call(null, "GET", "/api/newsfeed")).body).toEqual(first.body);
    expect((await h.call("u1", "POST", `/api/like/${ids.a2}`)).status).toBe(200);
    const after = await h.call(null, "GET", "/api/newsfeed");
    const garden = after.body.items.find((i: { id: string }) => i.id === ids.a2);
    expect(garden.likes).toBe(1);
  });

  it("lifts liked stories", async () => {
    for (const user of ["u1", "u2", "u3"]) {
      expect((await h.call(user, "POST", `/api/like/${ids.a2}`)).status).toBe(200);
    }
    const res = await h.call(null, "GET", "/api/newsfeed");
    expect(titles(res.body)).toEqual([TITLES.garden, TITLES.rust, TITLES.go, TITLES.db]);
    expect(res.body.items[0].likes).toBe(3);
  });

  it("ranks a signed-in user's follows higher and says which of the items they liked", async () => {
    expect((await h.call("bob", "POST", "/api/follows", { topic: "Go" })).status).toBe(201);
    expect((await h.call("bob", "POST", `/api/like/${ids.a3}`)).status).toBe(200);
    const res = await h.call("bob", "GET", "/api/newsfeed");
    expect(res.body.user).toBe("bob");
    expect(titles(res.body)).toEqual([TITLES.go, TITLES.rust, TITLES.garden, TITLES.db]);
    expect(res.body.items[0]).toMatchObject({ followedTopic: "go", liked: false });
    expect(res.body.items[3]).toMatchObject({ liked: true, likes: 1 });

    // A followed source lifts its stories too.
    await h.call("carol", "POST", "/api/follows", { source: feedA });
    const carol = await h.call("carol", "GET", "/api/newsfeed");
    expect(titles(carol.body)).toEqual([TITLES.rust, TITLES.garden, TITLES.go, TITLES.db]);
    expect(carol.body.items.map((i: { followedSource: boolean }) => i.followedSource)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it("shows a user's public view with ?user=, without their likes", async () => {
    await h.call("bob", "POST", "/api/follows", { topic: "go" });
    await h.call("bob", "POST", `/api/like/${ids.a3}`);
    const res = await h.call(null, "GET", "/api/newsfeed?user=bob");
    expect(res.body.user).toBe("bob");
    expect(titles(res.body)[0]).toBe(TITLES.go);
    expect(res.body.items.every((i: { liked: unknown }) => i.liked === null)).toBe(true);
    // Someone else's token does not unlock bob's likes either.
    const other = await h.call("carol", "GET", "/api/newsfeed?user=bob");
    expect(other.body.items.every((i: { liked: unknown }) => i.liked === null)).toBe(true);
  });

  it("keeps only articles posted after `since`", async () => {
    const iso = await h.call(null, "GET", "/api/newsfeed?since=2026-11-27T08:00:00Z");
    expect(titles(iso.body)).toEqual([TITLES.rust, TITLES.go]);
    const ms = await h.call(null, "GET", `/api/newsfeed?since=${Date.parse("2026-11-27T10:30:00Z")}`);
    expect(titles(ms.body)).toEqual(["Rust 2.0 is out"]);
  });

  it("refuses bad cursors, since, limits and tokens", async () => {
    expect((await h.call(null, "GET", "/api/newsfeed?cursor=%%%")).body.error.code).toBe("invalid_cursor");
    expect((await h.call(null, "GET", "/api/newsfeed?cursor=e30")).status).toBe(400);
    expect((await h.call(null, "GET", "/api/newsfeed?since=yesterday")).status).toBe(400);
    expect((await h.call(null, "GET", "/api/newsfeed?limit=0")).status).toBe(400);
    expect((await h.call(null, "GET", "/api/newsfeed?limit=101")).status).toBe(400);
    expect((await h.call("bad", "GET", "/api/newsfeed")).status).toBe(401);
  });
});

describe("likes", () => {
  it("likes idempotently per user, unlikes, and returns counts", async () => {
    const like = (who: string) => h.call(who, "POST", `/api/like/${ids.a1}`);
    expect((await like("alice")).body).toEqual({ articleId: ids.a1, liked: true, likes: 1 });
    expect((await like("alice")).body).toEqual({ articleId: ids.a1, liked: true, likes: 1 });
    expect((await like("bob")).body).toEqual({ articleId: ids.a1, liked: true, likes: 2 });
    const unlike = await h.call("alice", "DELETE", `/api/like/${ids.a1}`);
    expect(unlike.body).toEqual({ articleId: ids.a1, liked: false, likes: 1 });
    expect((await h.call("alice", "DELETE", `/api/like/${ids.a1}`)).body.likes).toBe(1);
    const article = await h.call("bob", "GET", `/api/articles/${ids.a1}`);
    expect(article.body).toMatchObject({ likes: 1, liked: true, title: TITLES.rust });
  });

  it("needs a token, a numeric id and an existing article", async () => {
    expect((await h.call(null, "POST", `/api/like/${ids.a1}`)).status).toBe(401);
    expect((await h.call(null, "DELETE", `/api/like/${ids.a1}`)).status).toBe(401);
    expect((await h.call("alice", "POST", "/api/like/abc")).status).toBe(400);
    expect((await h.call("alice", "POST", "/api/like/0")).status).toBe(400);
    expect((await h.call("alice", "POST", "/api/like/999")).status).toBe(404);
    expect((await h.call("alice", "DELETE", "/api/like/999")).status).toBe(404);
  });
});

describe("GET /api/articles/{article_id}", () => {
  it("returns the article with its content, or 404", async () => {
    const res = await h.call(null, "GET", `/api/articles/${ids.b2}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids.b2, title: TITLES.go, liked: null, feed: { id: feedB } });
    expect(res.body).toHaveProperty("content");
    expect((await h.call(null, "GET", "/api/articles/12345")).status).toBe(404);
  });
});

describe("GET /api/recommendations/{user_id}", () => {
  beforeEach(async () => {
    for (const [user, article] of [
      ["alice", ids.a1],
      ["alice", ids.b2],
      ["bob", ids.a1],
      ["bob", ids.a2],
      ["carol", ids.a2],
    ] as const) {
      expect((await h.call(user, "POST", `/api/like/${article}`)).status).toBe(200);
    }
  });

  it("recommends what people with the same likes liked, with the reason, never what the user liked", async () => {
    const res = await h.call("alice", "GET", "/api/recommendations/alice");
    expect(res.status).toBe(200);
    expect(res.body.user).toBe("alice");
    const [first] = res.body.items;
    expect(first).toMatchObject({
      article: { id: ids.a2, title: TITLES.garden, liked: false },
      basis: "co-liked",
      reason: `liked by people who liked “${TITLES.rust}”`,
    });
    const recommended = res.body.items.map((i: { article: { id: string } }) => i.article.id);
    expect(recommended).not.toContain(ids.a1);
    expect(recommended).not.toContain(ids.b2);
    // Nor another source's copy of a story they liked.
    expect(recommended).not.toContain(ids.b1);
    expect(res.body.items.every((i: { reason: string }) => i.reason.length > 0)).toBe(true);
  });

  it("keeps likes private from everyone else", async () => {
    const res = await h.call(null, "GET", "/api/recommendations/alice");
    expect(res.body.items[0]).toMatchObject({
      article: { id: ids.a2, liked: null },
      reason: "liked by people with similar tastes",
    });
    const bob = await h.call("bob", "GET", "/api/recommendations/alice");
    expect(bob.body.items[0].reason).toBe("liked by people with similar tastes");
  });

  it("follows likes made after the index was built, and carries new users on popularity", async () => {
    const before = await h.call("dave", "GET", "/api/recommendations/dave?limit=2");
    expect(before.body.items).toHaveLength(2);
    expect(before.body.items[0].basis).toBe("trending");
    await h.call("dave", "POST", `/api/like/${ids.a2}`);
    const after = await h.call("dave", "GET", "/api/recommendations/dave");
    const recommended = after.body.items.map((i: { article: { id: string } }) => i.article.id);
    expect(recommended).not.toContain(ids.a2);
    expect(after.body.items[0]).toMatchObject({ basis: "co-liked", article: { id: ids.a1 } });
    await h.call("dave", "DELETE", `/api/like/${ids.a2}`);
    const undone = await h.call("dave", "GET", "/api/recommendations/dave");
    expect(undone.body.items[0].basis).toBe("trending");
  });

  it("validates the limit", async () => {
    expect((await h.call(null, "GET", "/api/recommendations/alice?limit=0")).status).toBe(400);
    expect((await h.call(null, "GET", "/api/recommendations/alice?limit=51")).status).toBe(400);
  });
});
