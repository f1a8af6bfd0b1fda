import { describe, expect, it } from "vitest";
import { seededRandom } from "../shared/seeded-random.ts";
import { decodeCursor, encodeCursor, type FeedCursor } from "./cursor.ts";
import { mergeDuplicates } from "./duplicates.ts";
import {
  ageHours,
  compareRanked,
  FEED_WEIGHTS,
  type FeedArticle,
  type FeedPage,
  type FeedQuery,
  gravityScore,
  normalizeTopic,
  rankFeed,
  rankStories,
  selectTop,
} from "./ranking.ts";

const HOUR = 3_600_000;
const NOW = Date.UTC(2025, 5, 1, 12);

function article(over: Partial<FeedArticle> & Pick<FeedArticle, "id">): FeedArticle {
  return { sourceId: "s1", link: null, title: null, publishedAt: NOW, likes: 0, topics: [], ...over };
}

const ids = (query: FeedQuery, articles: FeedArticle[]) =>
  rankFeed(articles, query).items.map((item) => item.id);

describe("gravityScore", () => {
  it("is (likes + 1)^0.8 / (ageHours + 2)^1.8", () => {
    expect(gravityScore(0, 0)).toBeCloseTo(1 / 2 ** 1.8, 12);
    expect(gravityScore(10, 5)).toBeCloseTo(0.205086784569966, 12);
    expect(gravityScore(-3, 0)).toBe(gravityScore(0, 0));
    expect(gravityScore(3, 1, { alpha: 1, gravity: 1, ageOffsetHours: 1 })).toBe(2);
  });

  it("counts age in hours from asOf, never negative, infinite when unknown", () => {
    expect(ageHours(NOW - 90 * 60_000, NOW)).toBe(1.5);
    expect(ageHours(NOW + HOUR, NOW)).toBe(0);
    expect(ageHours(Number.NaN, NOW)).toBe(Number.POSITIVE_INFINITY);
    expect(gravityScore(5, Number.POSITIVE_INFINITY)).toBe(0);
  });
});

describe("normalizeTopic", () => {
  it("compares topics without #, case or spacing differences", () => {
    expect(normalizeTopic("  #Machine  Learning ")).toBe("machine-learning");
    expect(normalizeTopic("Rust_Lang")).toBe("rust-lang");
    expect(normalizeTopic("##ＲＵＳＴ")).toBe("rust");
  });
});

describe("rankFeed", () => {
  it("orders by gravity: recency against likes", () => {
    const articles = [
      article({ id: "A", likes: 0, publishedAt: NOW - 1 * HOUR }), // 1 / 3^1.8 ≈ 0.1384
      article({ id: "B", likes: 10, publishedAt: NOW - 5 * HOUR }), // 11^0.8 / 7^1.8 ≈ 0.2051
      article({ id: "C", likes: 3, publishedAt: NOW }), // 4^0.8 / 2^1.8 ≈ 0.8706
      article({ id: "D", likes: 50, publishedAt: NOW - 24 * HOUR }), // 51^0.8 / 26^1.8 ≈ 0.0659
    ];
    const page = rankFeed(articles, { now: NOW, limit: 10 });
    expect(page.items.map((item) => item.id)).toEqual(["C", "B", "A", "D"]);
    expect(page.items[0]!.score).toBeCloseTo(0.870550563296, 10);
    expect(page).toMatchObject({ next: null, asOf: NOW });
  });

  describe("follows", () => {
    // All 3 hours old: base 1 / 5^1.8 ≈ 0.0552 at 0 likes, 3^0.8 / 5^1.8 ≈ 0.1329 at 2 likes.
    const articles = [
      article({ id: "P", sourceId: "s1", publishedAt: NOW - 3 * HOUR }), // followed source: ×3 ≈ 0.1656
      article({ id: "Q", sourceId: "s2", topics: ["rust"], publishedAt: NOW - 3 * HOUR }), // topic: ×2 ≈ 0.1104
      article({ id: "R", sourceId: "s2", likes: 2, publishedAt: NOW - 3 * HOUR }), // no boost ≈ 0.1329
      article({ id: "S", sourceId: "s1", topics: ["go", "rust"], publishedAt: NOW - 3 * HOUR }), // ×6 ≈ 0.3311
    ];
    const follows = { sources: ["s1"], topics: ["#Rust"] };

    it("lift followed sources ×3 and followed topics ×2", () => {
      const page = rankFeed(articles, { now: NOW, limit: 10, follows });
      expect(page.items.map((item) => item.id)).toEqual(["S", "P", "R", "Q"]);
      const [s, p, r, q] = page.items;
      expect(s).toMatchObject({ followedSource: true, followedTopic: "rust" });
      expect(p).toMatchObject({ followedSource: true, followedTopic: null });
      expect(r).toMatchObject({ followedSource: false, followedTopic: null });
      expect(q).toMatchObject({ followedSource: false, followedTopic: "rust" });
      expect(s!.score / r!.score).toBeCloseTo((6 * 1) / 3 ** 0.8, 12);
      expect(p!.score / q!.score).toBeCloseTo(1.5, 12);
    });

    it("anonymous readers get the global popular feed: no boosts, ties by id", () => {
      for (const anonymous of [null, undefined, { sources: [], topics: [] }]) {
        expect(ids({ now: NOW, limit: 10, follows: anonymous }, articles)).toEqual(["R", "P", "Q", "S"]);
      }
    });

    it("take their multipliers from the weights", () => {
      const weights = { followedSourceBoost: 1, followedTopicBoost: 1 };
      expect(ids({ now: NOW, limit: 10, follows, weights }, articles)).toEqual(["R", "P", "Q", "S"]);
    });
  });

  it("merges duplicates across sources into one item listing the others", () => {
    const articles = [
      article({ id: "a1", sourceId: "s1", link: "https://ex.com/story?utm_source=rss", likes: 1 }),
      article({ id: "a2", sourceId: "s2", link: "https://ex.com/story/", likes: 4, publishedAt: NOW - HOUR }),
      article({ id: "t1", sourceId: "s1", title: "Rust 2.0 is out", publishedAt: NOW - 2 * HOUR }),
      article({ id: "t2", sourceId: "s3", title: "RUST 2.0 IS OUT!", publishedAt: NOW - 3 * HOUR }),
    ];
    const page = rankFeed(articles, { now: NOW, limit: 10 });
    expect(page.items).toHaveLength(2);
    // a2 represents (most liked); the story has 5 likes and is as old as its earliest copy (1 hour).
    expect(page.items[0]).toMatchObject({
      id: "a2",
      duplicateIds: ["a1"],
      sourceIds: ["s2", "s1"],
      likes: 5,
    });
    expect(page.items[0]!.score).toBeCloseTo(gravityScore(5, 1), 12);
    // No likes: the earliest copy represents.
    expect(page.items[1]).toMatchObject({ id: "t2", duplicateIds: ["t1"], sourceIds: ["s3", "s1"] });
  });

  it("keeps only articles newer than `since`, before merging", () => {
    const articles = [
      article({ id: "old", link: "https://ex.com/x", likes: 9, publishedAt: NOW - 5 * HOUR }),
      article({ id: "new", sourceId: "s2", link: "https://ex.com/x?fbclid=1", publishedAt: NOW - HOUR }),
      article({ id: "newer", publishedAt: NOW - 30 * 60_000 }),
      article({ id: "edge", publishedAt: NOW - 2 * HOUR }),
    ];
    const page = rankFeed(articles, { now: NOW, limit: 10, since: NOW - 2 * HOUR });
    expect(page.items.map((item) => [item.id, item.duplicateIds])).toEqual([
      ["newer", []],
      ["new", []],
    ]);
    expect(ids({ now: NOW, limit: 10, since: null }, articles)).toHaveLength(3);
  });

  it("scores future-dated articles as brand new and undated ones as 0, always finite", () => {
    const page = rankFeed(
      [
        article({ id: "future", publishedAt: NOW + 48 * HOUR }),
        article({ id: "undated", publishedAt: Number.NaN }),
      ],
      { now: NOW, limit: 10 },
    );
    expect(page.items.map((item) => [item.id, item.score])).toEqual([
      ["future", gravityScore(0, 0)],
      ["undated", 0],
    ]);
  });

  it("pages with a cursor ranked against the first page's instant", () => {
    const articles = [0, 1, 2, 3, 4].map((i) => article({ id: `n${i}`, publishedAt: NOW - i * HOUR }));
    const first = rankFeed(articles, { now: NOW, limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual(["n0", "n1"]);
    expect(first.next).toEqual({ asOf: NOW, score: first.items[1]!.score, id: "n1" });
    // A day later, page 2 is still ranked at NOW: same scores, no repeat, no gap.
    const second = rankFeed(articles, { now: NOW + 24 * HOUR, limit: 2, cursor: first.next });
    expect(second.asOf).toBe(NOW);
    expect(second.items.map((item) => item.id)).toEqual(["n2", "n3"]);
    expect(second.items[0]!.score).toBe(gravityScore(0, 2));
    const last = rankFeed(articles, { now: NOW + 48 * HOUR, limit: 2, cursor: second.next });
    expect(last.items.map((item) => item.id)).toEqual(["n4"]);
    expect(last.next).toBeNull();
    expect(rankFeed(articles, { now: NOW, limit: 0 })).toEqual({ items: [], next: null, asOf: NOW });
  });
});

describe("selectTop", () => {
  const ascending = (a: number, b: number) => a - b;

  it("equals sorting then slicing, on both of its paths", () => {
    const random = seededRandom(7);
    for (let round = 0; round < 50; round++) {
      const items = Array.from({ length: 1 + Math.floor(random() * 60) }, () => Math.floor(random() * 20));
      for (const k of [1, 2, 3, 8, 70]) {
        expect(selectTop(items, k, ascending)).toEqual([...items].sort(ascending).slice(0, k));
      }
    }
    expect(selectTop([3, 1, 2], 0, ascending)).toEqual([]);
  });
});

describe("pagination property (seeded random data)", () => {
  const SOURCES = ["s0", "s1", "s2", "s3", "s4"];
  const TOPICS = ["rust", "go", "web", "ai", "science", "sport"];
  const TITLES = ["Rust 2.0 is out", "Go adds generics again", "A new AI model", "Local team wins the cup"];

  function randomArticles(random: () => number, count: number, numericIds: boolean): FeedArticle[] {
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    return Array.from({ length: count }, (_, i) => {
      const r = random();
      return {
        id: numericIds
          ? Math.floor(random() * 1_000_000) * 1000 + i
          : `id-${Math.floor(random() * 1e6)}-${i}`,
        sourceId: pick(SOURCES),
        // Some links shared (with tracking params), some titles shared: duplicates to merge.
        link: r < 0.3 ? `https://ex.com/${Math.floor(random() * 20)}?utm_source=${pick(SOURCES)}` : null,
        title: r > 0.8 ? `${pick(TITLES)}${random() < 0.5 ? "!" : ""}` : `Story number ${i}`,
        // Whole hours make equal scores common, so ties are broken by id across page boundaries.
        publishedAt: NOW - Math.floor(random() * 96) * HOUR,
        likes: random() < 0.4 ? 0 : Math.floor(random() * 30),
        topics: random() < 0.5 ? [pick(TOPICS)] : [pick(TOPICS), pick(TOPICS)],
      };
    });
  }

  it("concatenated pages equal one big ranking, with no duplicates, while time moves on", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const articles = randomArticles(random, 150 + Math.floor(random() * 150), seed % 2 === 0);
      const follows = random() < 0.3 ? null : { sources: [SOURCES[seed % 5]!], topics: [TOPICS[seed % 6]!] };
      const since = random() < 0.3 ? NOW - 48 * HOUR : null;
      const base = { follows, since };
      const full = rankFeed(articles, { ...base, now: NOW, limit: articles.length });
      expect(full.next).toBeNull();

      const pageSize = 1 + Math.floor(random() * 25);
      const served: FeedCursor[] = [];
      let cursor: FeedCursor | null = null;
      let now = NOW;
      for (let pages = 0; pages === 0 || cursor; pages++) {
        expect(pages).toBeLessThanOrEqual(articles.length);
        const page: FeedPage = rankFeed(articles, { ...base, now, limit: pageSize, cursor });
        expect(page.items.length).toBeLessThanOrEqual(pageSize);
        served.push(...page.items.map((item) => ({ asOf: page.asOf, score: item.score, id: item.id })));
        cursor = page.next && decodeCursor(encodeCursor(page.next));
        now += Math.floor(random() * 10 * HOUR);
      }

      const context = `seed ${seed}`;
      expect(
        served.map((item) => item.id),
        context,
      ).toEqual(full.items.map((item) => item.id));
      expect(
        served.map((item) => item.score),
        context,
      ).toEqual(full.items.map((item) => item.score));
      expect(new Set(served.map((item) => item.id)).size, context).toBe(served.length);
      expect(served.every((item) => item.asOf === NOW && Number.isFinite(item.score))).toBe(true);
      for (let i = 1; i < served.length; i++)
        expect(compareRanked(served[i - 1]!, served[i]!)).toBeLessThan(0);
    }
  });
});

describe("rankStories", () => {
  const stories = mergeDuplicates(
    Array.from({ length: 30 }, (_, i) =>
      article({ id: i + 1, likes: (i * 7) % 5, publishedAt: NOW - i * HOUR, sourceId: i % 2 ? "s1" : "s2" }),
    ),
  );

  it("ranks several lists as one", () => {
    const query = { now: NOW, limit: 7, follows: { sources: ["s1"], topics: [] } };
    const whole = rankStories(stories, query);
    const split = rankStories({ lists: [stories.slice(0, 11), stories.slice(11)] }, query);
    expect(split).toEqual(whole);
    const next = rankStories(
      { lists: [stories.slice(11), stories.slice(0, 11)] },
      { ...query, cursor: whole.next },
    );
    expect(next).toEqual(rankStories(stories, { ...query, cursor: whole.next }));
  });

  it("reuses a list's scores for the same instant and weights only", () => {
    const first = rankStories(stories, { now: NOW, limit: 5 });
    expect(rankStories(stories, { now: NOW, limit: 5 })).toEqual(first);
    const later = rankStories(stories, { now: NOW + 5 * HOUR, limit: 5 });
    expect(later.items[0]!.score).toBeLessThan(first.items[0]!.score);
    const flat = rankStories(stories, { now: NOW + 5 * HOUR, limit: 5, weights: { gravity: 0 } });
    expect(flat.items[0]!.score).toBe(gravityScore(flat.items[0]!.likes, 0, { ...FEED_WEIGHTS, gravity: 0 }));
  });

  it("cuts a page that equals the head of the whole ranking, whatever the boosts", () => {
    const follows = { sources: ["s1"], topics: ["go"] };
    const tagged = mergeDuplicates(
      Array.from({ length: 60 }, (_, i) =>
        article({
          id: i + 1,
          likes: (i * 13) % 9,
          publishedAt: NOW - ((i * 5) % 40) * HOUR,
          sourceId: i % 3 ? "s1" : "s2",
          topics: i % 4 ? ["go"] : ["rust"],
        }),
      ),
    );
    for (const weights of [
      {},
      { followedSourceBoost: 10, followedTopicBoost: 0.5 },
      { followedTopicBoost: 40 },
    ]) {
      const whole = rankStories(tagged, { now: NOW, limit: tagged.length, follows, weights });
      const page = rankStories(tagged, { now: NOW, limit: 6, follows, weights });
      expect(page.items).toEqual(whole.items.slice(0, 6));
    }
  });
});
