import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../shared/rate-limit.ts";
import { type Harness, NOW, newsfeedHarness } from "./testing/app-harness.ts";
import { errorResult, rssFeed } from "./testing/feeds.ts";
import { FEED_A, FEED_B, storyFeeds, subscribeStories, TITLES } from "./testing/stories.ts";

let h: Harness;
beforeEach(async () => {
  h = await newsfeedHarness();
});
afterEach(() => h.close());

describe("POST /api/feeds", () => {
  it("fetches the URL once, stores the feed and its entries, and answers 201", async () => {
    storyFeeds(h.feeds);
    const res = await h.call("alice", "POST", "/api/feeds", { url: FEED_A });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/feeds/${res.body.id}`);
    expect(res.body).toMatchObject({
      url: FEED_A,
      title: "Site A",
      siteLink: "https://a.example/",
      format: "rss2",
      status: "active",
      lastFetchAt: new Date(NOW).toISOString(),
      lastSuccessAt: new Date(NOW).toISOString(),
      lastError: null,
      consecutiveFailures: 0,
      entryCount: 3,
    });
    expect(Date.parse(res.body.nextCheckAt)).toBeGreaterThan(NOW);
  });

  it("returns the existing feed for a URL added before, in any spelling, without fetching again", async () => {
    storyFeeds(h.feeds);
    const first = await h.call("alice", "POST", "/api/feeds", { url: FEED_A });
    const again = await h.call("bob", "POST", "/api/feeds", { url: "HTTPS://A.EXAMPLE/feed.xml" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it("refuses what is not a feed (422) or cannot be fetched (422), and bad input (400, 401)", async () => {
    h.feeds.set("https://c.example/page", "<html><body>hello</body></html>");
    h.feeds.set("https://c.example/gone", errorResult("https://c.example/gone", "HTTP 410"));
    const notFeed = await h.call("alice", "POST", "/api/feeds", { url: "https://c.example/page" });
    expect(notFeed.status).toBe(422);
    expect(notFeed.body.error.code).toBe("not_a_feed");
    const gone = await h.call("alice", "POST", "/api/feeds", { url: "https://c.example/gone" });
    expect(gone.status).toBe(422);
    expect(gone.body.error).toMatchObject({
      code: "feed_unreachable",
      message: expect.stringContaining("HTTP 410"),
    });
    expect((await h.call("alice", "GET", "/api/feeds")).body.feeds).toEqual([]);

    for (const url of ["ftp://c.example/feed", "not a url", "", `https://c.example/${"x".repeat(2100)}`]) {
      expect((await h.call("alice", "POST", "/api/feeds", { url })).status, url).toBe(400);
    }
    expect((await h.call("alice", "POST", "/api/feeds", { url: FEED_A, extra: 1 })).status).toBe(400);
    expect((await h.call("alice", "POST", "/api/feeds", {})).status).toBe(400);
    expect((await h.call(null, "POST", "/api/feeds", { url: FEED_A })).status).toBe(401);
  });
});

describe("GET /api/feeds", () => {
  it("lists feeds with their status, a page at a time", async () => {
    const { feedA, feedB } = await subscribeStories(h);
    const all = await h.call(null, "GET", "/api/feeds");
    expect(all.body.feeds.map((f: { id: string }) => f.id)).toEqual([feedA, feedB]);
    expect(all.body.nextAfter).toBeNull();
    const first = await h.call(null, "GET", "/api/feeds?limit=1");
    expect(first.body.feeds.map((f: { url: string }) => f.url)).toEqual([FEED_A]);
    const second = await h.call(null, "GET", `/api/feeds?limit=1&after=${first.body.nextAfter}`);
    expect(second.body.feeds.map((f: { url: string }) => f.url)).toEqual([FEED_B]);
    expect((await h.call(null, "GET", `/api/feeds/${feedB}`)).body).toMatchObject({
      url: FEED_B,
      entryCount: 2,
    });
    expect((await h.call(null, "GET", "/api/feeds/999")).status).toBe(404);
    expect((await h.call(null, "GET", "/api/feeds?limit=500")).status).toBe(400);
  });
});

describe("follows", () => {
  it("follows sources and topics idempotently, lists them and unfollows by body or query", async () => {
    const { feedA, feedB } = await subscribeStories(h);
    expect((await h.call("bob", "POST", "/api/follows", { source: feedB })).status).toBe(201);
    expect((await h.call("bob", "POST", "/api/follows", { source: Number(feedB) })).status).toBe(200);
    const topic = await h.call("bob", "POST", "/api/follows", { topic: " #Machine Learning " });
    expect(topic.status).toBe(201);
    expect(topic.body).toEqual({
      sources: [{ id: feedB, title: "Site B", url: FEED_B }],
      topics: ["machine-learning"],
    });
    await h.call("bob", "POST", "/api/follows", { source: feedA });
    expect(
      (await h.call("bob", "GET", "/api/follows")).body.sources.map((s: { id: string }) => s.id),
    ).toEqual([feedB, feedA]);

    const byBody = await h.call("bob", "DELETE", "/api/follows", { topic: "machine learning" });
    expect(byBody.body.topics).toEqual([]);
    const byQuery = await h.call("bob", "DELETE", `/api/follows?source=${feedB}`);
    expect(byQuery.body.sources.map((s: { id: string }) => s.id)).toEqual([feedA]);
    expect((await h.call("bob", "DELETE", `/api/follows?source=${feedB}`)).status).toBe(200);
    expect((await h.call("bob", "DELETE", "/api/follows?topic=rust")).body).toMatchObject({ topics: [] });
  });

  it("refuses unknown feeds, ambiguous or empty requests, and anonymous callers", async () => {
    expect((await h.call("bob", "POST", "/api/follows", { source: "999" })).status).toBe(404);
    expect((await h.call("bob", "POST", "/api/follows", { source: "1", topic: "go" })).status).toBe(400);
    expect((await h.call("bob", "POST", "/api/follows", {})).status).toBe(400);
    expect((await h.call("bob", "POST", "/api/follows", { topic: "  #  " })).status).toBe(400);
    expect((await h.call("bob", "POST", "/api/follows", { source: "x1" })).status).toBe(400);
    expect((await h.call("bob", "DELETE", "/api/follows")).status).toBe(400);
    expect((await h.call("bob", "DELETE", "/api/follows?source=1&topic=go")).status).toBe(400);
    for (const method of ["GET", "POST", "DELETE"]) {
      expect(
        (await h.call(null, method, "/api/follows", method === "GET" ? undefined : { topic: "go" })).status,
      ).toBe(401);
    }
  });
});

describe("GET /api/search", () => {
  beforeEach(async () => {
    await subscribeStories(h);
  });

  it("finds words in titles and summaries, with an escaped, marked snippet", async () => {
    const res = await h.call(null, "GET", "/api/search?q=rust");
    expect(res.status).toBe(200);
    expect(res.body.query).toBe('"rust"');
    expect(res.body.items.map((i: { title: string }) => i.title).sort()).toEqual([
      "Rust 2.0 is out",
      TITLES.rust,
    ]);
    const types = await h.call(null, "GET", "/api/search?q=parameters");
    expect(types.body.items[0]).toMatchObject({ title: TITLES.go, liked: null });
    expect(types.body.items[0].snippet).toBe("Type <mark>parameters</mark>, a &lt; b");
    expect((await h.call(null, "GET", '/api/search?q="generics explained"')).body.items).toHaveLength(1);
    expect((await h.call(null, "GET", "/api/search?q=garden*")).body.items).toHaveLength(1);
  });

  it("pages with offset", async () => {
    const first = await h.call(null, "GET", "/api/search?q=rust&limit=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextOffset).toBe(1);
    const second = await h.call(null, "GET", "/api/search?q=rust&limit=1&offset=1");
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.nextOffset).toBeNull();
  });

  it("never turns input into FTS5 syntax: operators are words, nothing searchable is a 400", async () => {
    for (const q of ["AND (", '"unclosed', "title:rust", "NEAR(a b)", "-rust", "rust OR", "rust*)"]) {
      const res = await h.call(null, "GET", `/api/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    expect((await h.call(null, "GET", "/api/search?q=title%3Arust")).body.items).toHaveLength(0);
    for (const q of ["", "***", '""', "()"]) {
      const res = await h.call(null, "GET", `/api/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(400);
    }
    expect((await h.call(null, "GET", "/api/search")).status).toBe(400);
    expect((await h.call(null, "GET", "/api/search?q=rust&offset=1001")).status).toBe(400);
  });

  it("tells a signed-in caller which results they liked", async () => {
    const [hit] = (await h.call(null, "GET", "/api/search?q=gardening")).body.items;
    await h.call("alice", "POST", `/api/like/${hit.id}`);
    const mine = await h.call("alice", "GET", "/api/search?q=gardening");
    expect(mine.body.items[0]).toMatchObject({ liked: true, likes: 1 });
  });
});

describe("the service skeleton", () => {
  it("limits API calls per user, or per IP when anonymous", async () => {
    const limited = await newsfeedHarness({ limiter: new MemoryRateLimiter(), rateLimit: 2 });
    try {
      expect((await limited.call("alice", "GET", "/api/feeds")).status).toBe(200);
      expect((await limited.call("alice", "GET", "/api/feeds")).status).toBe(200);
      const refused = await limited.call("alice", "GET", "/api/feeds");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      // Another user, and an anonymous caller, have budgets of their own.
      expect((await limited.call("bob", "GET", "/api/feeds")).status).toBe(200);
      expect((await limited.call(null, "GET", "/api/feeds")).status).toBe(200);
    } finally {
      limited.close();
    }
  });

  it("describes every route in /openapi.json and answers health checks", async () => {
    const doc = await h.call(null, "GET", "/openapi.json");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/newsfeed",
        "/api/like/{article_id}",
        "/api/recommendations/{user_id}",
        "/api/search",
        "/api/feeds",
        "/api/feeds/{feed_id}",
        "/api/follows",
        "/api/articles/{article_id}",
      ]),
    );
    expect((await h.call(null, "GET", "/readyz")).status).toBe(200);
    expect((await h.call(null, "GET", "/healthz")).status).toBe(200);
  });

  it("answers a feed document with a bad item without losing the good ones", async () => {
    h.feeds.set(
      "https://d.example/rss",
      rssFeed({
        title: "D",
        link: "https://d.example/",
        items: [{ title: "Only a title" }, { guid: "x", title: "Ok" }],
      }),
    );
    const res = await h.call("alice", "POST", "/api/feeds", { url: "https://d.example/rss" });
    expect(res.body.entryCount).toBe(2);
  });
});
