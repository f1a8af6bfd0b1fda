/** Newsfeed's contract, continued (see contract.ts): search, feeds, follows, auth and rate-limit headers. */
import { describe, expect, it } from "vitest";
import {
  type ArticleJson,
  expectError,
  type NewsfeedClient,
  type NewsfeedContractOptions,
  type Seeded,
} from "./contract-client.ts";

type FeedJson = {
  id: string;
  url: string;
  title: string | null;
  status: string;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextCheckAt: string | null;
  consecutiveFailures: number;
  entryCount: number;
};

export function apiContract(
  api: NewsfeedClient,
  options: NewsfeedContractOptions,
  seeded: () => Seeded,
): void {
  describe("search", () => {
    type Results = { query: string; items: (ArticleJson & { snippet: string })[]; nextOffset: number | null };

    it("finds articles by title and summary words, with highlighted snippets", async () => {
      const s = seeded();
      const who = api.user("searcher");
      const res = await api.ok<Results>(`/api/search?q=${encodeURIComponent(`generics ${api.run}`)}`, {
        as: who,
      });
      expect(res.items.map((i) => i.id)).toEqual([s.ids.go]);
      expect(res.items[0]!.snippet).toContain("<mark>");
      const prefix = await api.ok<Results>(`/api/search?q=${encodeURIComponent(`garden* ${api.run}`)}`, {
        as: who,
      });
      expect(prefix.items.map((i) => i.id)).toEqual([s.ids.garden]);
      const paged = await api.ok<Results>(`/api/search?q=${api.run}&limit=2`, { as: who });
      expect(paged.items).toHaveLength(2);
      expect(paged.nextOffset).toBe(2);
    });

    it.each([
      ['"', "an unbalanced quote"],
      ["AND OR NOT", "bare operators"],
      ["title:rust", "a column filter"],
      ["NEAR(rust go)", "NEAR"],
      ["rust^ -go (", "stray syntax"],
      ["*", "a lone star"],
      ["'; DROP TABLE articles; --", "SQL"],
    ])("answers %j (%s) with results or 400, never a server error", async (q) => {
      const res = await api.send(`/api/search?q=${encodeURIComponent(q)}`, { as: api.user("hostile") });
      expect([200, 400]).toContain(res.status);
      const body = (await res.json()) as { items?: unknown[]; error?: { code: string } };
      if (res.status === 200) expect(Array.isArray(body.items)).toBe(true);
      else expect(body.error?.code).toBeTruthy();
    });

    it("refuses an empty query with 400", async () => {
      await expectError(await api.send("/api/search?q=", { as: api.user("searcher") }), 400);
      await expectError(await api.send("/api/search", { as: api.user("searcher") }), 400);
    });
  });

  describe("feeds", () => {
    it("lists every feed with its status fields", async () => {
      const s = seeded();
      const { feeds } = await api.ok<{ feeds: FeedJson[]; nextAfter: number | null }>("/api/feeds?limit=200");
      const a = feeds.find((f) => f.id === s.feedA);
      expect(a).toMatchObject({
        title: `Site A ${api.run}`,
        status: "active",
        lastError: null,
        consecutiveFailures: 0,
        entryCount: 3,
      });
      for (const field of ["lastFetchAt", "lastSuccessAt", "nextCheckAt"] as const)
        expect(Date.parse(a![field] ?? "")).not.toBeNaN();
      expect(await api.ok<FeedJson>(`/api/feeds/${s.feedB}`)).toMatchObject({ id: s.feedB, entryCount: 2 });
      await expectError(await api.send("/api/feeds/999999999"), 404, "not_found");
    });

    it("answers a feed added again with 200 and the same feed", async () => {
      const s = seeded();
      const a = await api.ok<FeedJson>(`/api/feeds/${s.feedA}`);
      const again = await api.ok<FeedJson>(
        "/api/feeds",
        { as: api.user("other"), json: { url: a.url } },
        200,
      );
      expect(again.id).toBe(s.feedA);
    });

    it.each([
      ["not a URL", "not a url"],
      ["another scheme", "ftp://feeds.example/rss"],
      ["no URL", undefined],
    ])("refuses %s with 400", async (_what, url) => {
      const json = url === undefined ? {} : { url };
      await expectError(await api.send("/api/feeds", { as: api.user("adder"), json }), 400);
    });

    it.each([
      ["the metadata address", "http://169.254.169.254/latest/meta-data/"],
      ["a private address", "http://10.0.0.1/feed.xml"],
      ["a localhost name", "http://localhost/feed.xml"],
    ])("refuses %s (SSRF) with 422, adding nothing", async (_what, url) => {
      await expectError(
        await api.send("/api/feeds", { as: api.user("adder"), json: { url } }),
        422,
        "feed_unreachable",
      );
      const { feeds } = await api.ok<{ feeds: FeedJson[] }>("/api/feeds?limit=200", {
        as: api.user("adder"),
      });
      expect(feeds.map((f) => f.url)).not.toContain(url);
    });

    it("refuses a page that is not a feed with 422 not_a_feed", async () => {
      const url = await options.serveFeed(`page-${api.run}.html`, "<!doctype html><p>hello</p>", "text/html");
      await expectError(
        await api.send("/api/feeds", { as: api.user("adder"), json: { url } }),
        422,
        "not_a_feed",
      );
    });

    it("needs a token to add a feed (401)", async () => {
      await expectError(
        await api.send("/api/feeds", { json: { url: "https://feeds.example/x" } }),
        401,
        "unauthorized",
      );
    });
  });

  describe("follows", () => {
    type Follows = { sources: { id: string; title: string | null; url: string }[]; topics: string[] };

    it("follows and unfollows sources and topics idempotently", async () => {
      const s = seeded();
      const who = api.user("follows");
      expect(await api.ok<Follows>("/api/follows", { as: who })).toEqual({ sources: [], topics: [] });
      await api.ok("/api/follows", { as: who, json: { topic: "#Machine Learning" } }, 201);
      await api.ok("/api/follows", { as: who, json: { topic: "machine learning" } }, 200);
      const after = await api.ok<Follows>("/api/follows", { as: who, json: { source: s.feedA } }, 201);
      expect(after.topics).toEqual(["machine-learning"]);
      expect(after.sources).toEqual([expect.objectContaining({ id: s.feedA, title: `Site A ${api.run}` })]);
      const removed = await api.ok<Follows>(`/api/follows?source=${s.feedA}`, { as: who, method: "DELETE" });
      expect(removed.sources).toEqual([]);
      const none = await api.ok<Follows>("/api/follows", {
        as: who,
        method: "DELETE",
        json: { topic: "Machine Learning" },
      });
      expect(none).toEqual({ sources: [], topics: [] });
    });

    it("refuses an unknown feed (404), both or neither field (400) and no token (401)", async () => {
      const who = api.user("follows-bad");
      await expectError(
        await api.send("/api/follows", { as: who, json: { source: 999999999 } }),
        404,
        "not_found",
      );
      await expectError(await api.send("/api/follows", { as: who, json: { source: 1, topic: "x" } }), 400);
      await expectError(await api.send("/api/follows", { as: who, json: {} }), 400);
      await expectError(await api.send("/api/follows"), 401, "unauthorized");
      await expectError(await api.send("/api/follows", { json: { topic: "x" } }), 401, "unauthorized");
    });
  });

  describe("auth and limits", () => {
    it("refuses a bad bearer token with 401 even where a token is optional", async () => {
      const forged = new Request(api.url("/api/newsfeed"), {
        headers: { authorization: "Bearer not.a.token" },
      });
      await expectError(await api.raw(forged), 401);
    });

    it("counts API requests per user and says so in RateLimit-* headers", async () => {
      const who = api.user("counted");
      const first = await api.send("/api/follows", { as: who });
      const second = await api.send("/api/follows", { as: who });
      await Promise.all([first.body?.cancel(), second.body?.cancel()]);
      const limit = Number(first.headers.get("ratelimit-limit"));
      expect(limit).toBeGreaterThan(0);
      expect(first.headers.get("ratelimit-policy")).toMatch(new RegExp(`^${limit};w=\\d+$`));
      expect(Number(second.headers.get("ratelimit-remaining"))).toBe(
        Number(first.headers.get("ratelimit-remaining")) - 1,
      );
    });
  });
}
