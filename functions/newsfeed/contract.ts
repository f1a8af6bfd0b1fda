/**
 * Newsfeed's contract, written once and run against every runtime: the Node server
 * (app.contract.test.ts) and the Worker on workerd (worker.contract.worker.test.ts). It speaks only HTTP;
 * its articles come in through `POST /api/feeds` (contract-client.ts `seed`). This file: the ranked feed,
 * likes and recommendations; contract-api.ts: search, feeds, follows, auth and rate limits.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { apiContract } from "./contract-api.ts";
import {
  expectError,
  type Fetcher,
  type NewsfeedContractOptions,
  type NewsfeedJson,
  newsfeedClient,
  type Seeded,
  seed,
} from "./contract-client.ts";

export type { Fetcher, NewsfeedContractOptions } from "./contract-client.ts";

const HOUR = 3_600_000;

export function newsfeedContract(fetcher: Fetcher, options: NewsfeedContractOptions): void {
  const api = newsfeedClient(fetcher, options);
  let s: Seeded;
  beforeAll(async () => {
    s = await seed(api, options);
  });
  /** This run's items of a page, by seed key, in the page's order. */
  const ours = (page: NewsfeedJson) => {
    const keyOf = new Map(Object.entries(s.ids).map(([key, id]) => [id, key]));
    return page.items.flatMap((item) => (keyOf.has(item.id) ? [keyOf.get(item.id)!] : []));
  };

  describe("the feed", () => {
    it("gives anonymous callers the global feed, newest first when nothing is liked", async () => {
      const page = await api.ok<NewsfeedJson>("/api/newsfeed?limit=100");
      expect(page.user).toBeNull();
      expect(Date.parse(page.asOf)).not.toBeNaN();
      expect(ours(page)).toEqual(["rust", "go", "garden", "chess", "db"]);
      const rust = page.items.find((i) => i.id === s.ids.rust)!;
      expect(rust).toMatchObject({
        title: s.titles.rust,
        topics: ["rust"],
        feed: { id: s.feedA },
        likes: 0,
        liked: null,
        followedSource: false,
        followedTopic: null,
        sources: [s.feedA],
        duplicates: [],
      });
      expect(typeof rust.score).toBe("number");
    });

    it("pages with a cursor: every item once, in the same order", async () => {
      const reader = api.user("pager");
      const whole = await api.ok<NewsfeedJson>("/api/newsfeed?limit=100", { as: reader });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const page: NewsfeedJson = await api.ok<NewsfeedJson>(`/api/newsfeed?limit=2${query}`, {
          as: reader,
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).toEqual(whole.items.map((i) => i.id));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it("keeps to articles posted after `since` (ISO 8601 or epoch ms)", async () => {
      const reader = api.user("since");
      const since = new Date(Date.now() - 4 * HOUR).toISOString();
      const iso = await api.ok<NewsfeedJson>(`/api/newsfeed?limit=100&since=${since}`, { as: reader });
      expect(ours(iso).sort()).toEqual(["go", "rust"]);
      const ms = await api.ok<NewsfeedJson>(`/api/newsfeed?limit=100&since=${Date.parse(since)}`, {
        as: reader,
      });
      expect(ours(ms).sort()).toEqual(["go", "rust"]);
    });

    it("refuses a bad cursor, since or limit with 400", async () => {
      const reader = api.user("bad");
      await expectError(
        await api.send("/api/newsfeed?cursor=not-a-cursor", { as: reader }),
        400,
        "invalid_cursor",
      );
      await expectError(await api.send("/api/newsfeed?since=yesterday-ish", { as: reader }), 400);
      await expectError(await api.send("/api/newsfeed?limit=0", { as: reader }), 400);
      await expectError(await api.send("/api/newsfeed?limit=101", { as: reader }), 400);
    });

    it("lifts a signed-in user's followed topics and sources, and says which items they liked", async () => {
      const reader = api.user("follower");
      const lifted = (page: NewsfeedJson) => ours(page).indexOf("garden");
      // Anonymous order: rust, go, garden, chess, db. Following Garden (×2) lifts it above Go.
      await api.ok("/api/follows", { as: reader, json: { topic: "Garden" } }, 201);
      await api.ok(`/api/like/${s.ids.db}`, { as: reader, method: "POST" });
      const page = await api.ok<NewsfeedJson>("/api/newsfeed?limit=100", { as: reader });
      expect(page.user).toBe(reader);
      expect(lifted(page)).toBeLessThan(2);
      expect(page.items.find((i) => i.id === s.ids.garden)).toMatchObject({
        followedTopic: "garden",
        liked: false,
      });
      expect(page.items.find((i) => i.id === s.ids.db)).toMatchObject({ liked: true, likes: 1 });

      // Following a source (×3) lifts all of its stories.
      const sourceReader = api.user("source-follower");
      await api.ok("/api/follows", { as: sourceReader, json: { source: s.feedB } }, 201);
      const byB = ours(await api.ok<NewsfeedJson>("/api/newsfeed?limit=100", { as: sourceReader }));
      expect(byB[0]).toBe("go");
      expect(byB.indexOf("chess")).toBeLessThan(byB.indexOf("garden"));
      // `?user=` shows that user's follows to anyone, never their likes.
      const demo = await api.ok<NewsfeedJson>(`/api/newsfeed?limit=100&user=${reader}`);
      expect(demo.user).toBe(reader);
      expect(lifted(demo)).toBeLessThan(2);
      expect(demo.items.every((i) => i.liked === null)).toBe(true);
    });
  });

  describe("likes", () => {
    it("likes idempotently per user, unlikes, and returns the count each time", async () => {
      const [ann, ben] = [api.user("ann"), api.user("ben")];
      const like = (who: string, method: string) =>
        api.ok<{ articleId: string; liked: boolean; likes: number }>(`/api/like/${s.ids.chess}`, {
          as: who,
          method,
        });
      expect(await like(ann, "POST")).toEqual({ articleId: s.ids.chess, liked: true, likes: 1 });
      expect(await like(ann, "POST")).toEqual({ articleId: s.ids.chess, liked: true, likes: 1 });
      expect(await like(ben, "POST")).toMatchObject({ liked: true, likes: 2 });
      expect(await like(ann, "DELETE")).toEqual({ articleId: s.ids.chess, liked: false, likes: 1 });
      expect(await like(ann, "DELETE")).toMatchObject({ liked: false, likes: 1 });
      const article = await api.ok<{ likes: number; liked: boolean }>(`/api/articles/${s.ids.chess}`, {
        as: ben,
      });
      expect(article).toMatchObject({ likes: 1, liked: true });
    });

    it("needs a token (401), a numeric id (400) and an existing article (404)", async () => {
      await expectError(await api.send(`/api/like/${s.ids.rust}`, { method: "POST" }), 401, "unauthorized");
      const who = api.user("liker");
      await expectError(await api.send("/api/like/abc", { as: who, method: "POST" }), 400);
      await expectError(await api.send("/api/like/999999999", { as: who, method: "POST" }), 404, "not_found");
    });
  });

  describe("recommendations", () => {
    type Recs = {
      user: string;
      items: {
        article: { id: string; liked: boolean | null };
        score: number;
        reason: string;
        basis: string;
      }[];
    };

    it("recommends what people with the same likes liked, with reasons, leaving out the user's likes", async () => {
      const [me, peer] = [api.user("rec-me"), api.user("rec-peer")];
      await api.ok(`/api/like/${s.ids.rust}`, { as: peer, method: "POST" });
      await api.ok(`/api/like/${s.ids.go}`, { as: peer, method: "POST" });
      await api.ok(`/api/like/${s.ids.rust}`, { as: me, method: "POST" });
      const recs = await api.ok<Recs>(`/api/recommendations/${me}`, { as: me });
      expect(recs.user).toBe(me);
      const ids = recs.items.map((r) => r.article.id);
      expect(ids).not.toContain(s.ids.rust);
      const go = recs.items.find((r) => r.article.id === s.ids.go);
      expect(go).toMatchObject({ basis: "co-liked", article: { liked: false } });
      expect(go!.reason).toMatch(/\S/);
      for (const r of recs.items) {
        expect(["co-liked", "topic", "trending"]).toContain(r.basis);
        expect(typeof r.score).toBe("number");
      }
      // Anyone else sees the same items with a reason that does not name what the user liked.
      const other = await api.ok<Recs>(`/api/recommendations/${me}`);
      const seenByOther = other.items.find((r) => r.article.id === s.ids.go);
      expect(seenByOther?.reason).not.toContain(s.titles.rust);
      expect(seenByOther?.article.liked).toBeNull();
    });

    it("gives a new user topic and popular picks, each with a reason", async () => {
      const newcomer = api.user("newcomer");
      await api.ok("/api/follows", { as: newcomer, json: { topic: "Games" } }, 201);
      const recs = await api.ok<Recs>(`/api/recommendations/${newcomer}?limit=50`, { as: newcomer });
      expect(recs.items.length).toBeGreaterThan(0);
      expect(recs.items.find((r) => r.article.id === s.ids.chess)?.basis).toBe("topic");
      for (const r of recs.items) expect(r.reason).toMatch(/\S/);
      await expectError(await api.send(`/api/recommendations/${newcomer}?limit=500`), 400);
    });
  });

  apiContract(api, options, () => s);
}
