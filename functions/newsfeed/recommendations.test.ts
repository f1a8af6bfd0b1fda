import { describe, expect, it } from "vitest";
import { seededRandom } from "../shared/seeded-random.ts";
import {
  type Id,
  LikeIndex,
  type LikeIndexOptions,
  type LikePair,
  type RecommendableItem,
} from "./recommendations.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 1);
const NOW = T0 + HOUR;

const item = (id: Id, title: string | null, topics: string[], publishedAt = T0): RecommendableItem => ({
  id,
  title,
  topics,
  publishedAt,
});

const ITEMS = [
  item("a", "Intro to Rust", ["#Rust"]),
  item("b", "Borrow checker tips", ["programming"]),
  item("c", "Go generics", ["go"]),
  item("d", "Cooking pasta", ["food"]),
  item("e", "Rust 2024 edition", ["rust"]),
  item("f", "Quiet news", ["news"]),
];
const pairs = (likes: Record<string, string[]>): LikePair[] =>
  Object.entries(likes).flatMap(([userId, itemIds]) => itemIds.map((itemId) => ({ userId, itemId })));
// Likes per item: a 4 (u1 u2 u3 t), b 2, c 3, d 1, e 0, f 0.
const LIKES = pairs({ u1: ["a", "b"], u2: ["a", "b", "c"], u3: ["a", "c"], u4: ["c", "d"], t: ["a"] });
const build = (options?: Partial<LikeIndexOptions>) =>
  LikeIndex.build({ items: ITEMS, likes: LIKES }, options);

// All items are one hour old at NOW, so popularity differs by likes only: pop ∝ (likes + 1)^0.8.
const share = (likes: number, best: number) => ((likes + 1) / (best + 1)) ** 0.8;

describe("LikeIndex similarity", () => {
  it("is cosine over likers, shrunk by c / (c + 2)", () => {
    // a: 4 likers; b: 2, 2 shared → 2/√8 × 2/4 ≈ 0.3536; c: 3, 2 shared → 2/√12 × 2/4 ≈ 0.2887.
    const similar = build().similarItems("a");
    expect(similar.map((s) => [s.itemId, s.coLikes])).toEqual([
      ["b", 2],
      ["c", 2],
    ]);
    expect(similar[0]!.similarity).toBeCloseTo(2 / Math.sqrt(8) / 2, 12);
    expect(similar[1]!.similarity).toBeCloseTo(2 / Math.sqrt(12) / 2, 12);
    expect(build().similarItems("nobody-liked-this")).toEqual([]);
  });

  it("keeps at most maxNeighbours per item", () => {
    expect(
      build({ maxNeighbours: 1 })
        .similarItems("a")
        .map((s) => s.itemId),
    ).toEqual(["b"]);
  });
});

describe("LikeIndex.recommend", () => {
  it("puts the co-liked item first and names the liked item it comes from", () => {
    const recs = build().recommend("t", { now: NOW });
    // b: 0.3536 + 0.1·share(2,3) ≈ 0.4330   c: 0.2887 + 0.1 ≈ 0.3887   e: (0.5·1 + 0.1)·share(0,3) ≈ 0.1979
    // d: 0.1·share(1,3) ≈ 0.0574   f: 0.1·share(0,3) ≈ 0.0330   (a is liked: never recommended)
    expect(recs.map((r) => [r.itemId, r.reason])).toEqual([
      ["b", "liked by people who liked “Intro to Rust”"],
      ["c", "liked by people who liked “Intro to Rust”"],
      ["e", "new in #rust"],
      ["d", "trending"],
      ["f", "new"],
    ]);
    expect(recs[0]).toMatchObject({
      title: "Borrow checker tips",
      likes: 2,
      basis: { kind: "co-liked", itemId: "a" },
    });
    expect(recs[0]!.score).toBeCloseTo(2 / Math.sqrt(8) / 2 + 0.1 * share(2, 3), 12);
    expect(recs[2]).toMatchObject({ basis: { kind: "topic", topic: "rust" } });
    expect(recs[2]!.score).toBeCloseTo(0.6 * share(0, 3), 12);
    expect(recs[3]).toMatchObject({ basis: { kind: "trending" } });
  });

  it("serves a new user their topics first, then popularity (cold start)", () => {
    const recs = build().recommend("newcomer", { now: NOW, followedTopics: ["Rust"] });
    // a: 0.5·1·1 + 0.1 = 0.6   e: 0.6·share(0,4) ≈ 0.166   c: 0.1·share(3,4) ≈ 0.084   b ≈ 0.066   d ≈ 0.048
    expect(recs.map((r) => [r.itemId, r.reason])).toEqual([
      ["a", "popular in #rust"],
      ["e", "new in #rust"],
      ["c", "trending"],
      ["b", "trending"],
      ["d", "trending"],
      ["f", "new"],
    ]);
    expect(recs[0]!.score).toBeCloseTo(0.6, 12);
    expect(recs[1]!.score).toBeCloseTo(0.6 * share(0, 4), 12);
  });

  it("falls back to popularity alone for a user with no likes and no topics", () => {
    expect(
      build()
        .recommend("anyone", { now: NOW })
        .map((r) => r.itemId),
    ).toEqual(["a", "c", "b", "d", "e", "f"]);
  });

  it("excludes liked and excluded items, and stops at the limit", () => {
    const recs = build().recommend("u2", { now: NOW, exclude: ["d"], limit: 10 });
    expect(recs.map((r) => r.itemId).sort()).toEqual(["e", "f"]);
    expect(
      build()
        .recommend("t", { now: NOW, exclude: new Set(["b"]), limit: 2 })
        .map((r) => r.itemId),
    ).toEqual(["c", "e"]);
  });

  it("names the liked item that contributed most, by id when it has no title", () => {
    const index = LikeIndex.build({
      items: [item(1, null, []), item(2, "Two", []), item(3, "Three", []), item(4, "Four", [])],
      likes: [
        { userId: "x", itemId: 1 },
        { userId: "x", itemId: 3 },
        { userId: "y", itemId: 2 },
        { userId: "y", itemId: 3 },
        { userId: "y", itemId: 4 },
        { userId: "z", itemId: "ghost" },
        { userId: "z", itemId: 4 },
        { userId: "me", itemId: 1 },
        { userId: "me", itemId: 2 },
        { userId: "me", itemId: "ghost" },
      ],
    });
    // Every pair here shares one liker of two: sim = 1/√(2·2) × 1/3 = 1/6. me liked 1, 2, ghost (in that
    // order). 3 is co-liked with 1 and 2 (cf 1/3), 4 with 2 and ghost (cf 1/3); both have 2 likes, so they
    // tie at 1/3 + 0.1 and go by id. Each names the first liked item among equals: 1 (no title) and "Two".
    const recs = index.recommend("me", { now: NOW });
    expect(recs.map((r) => [r.itemId, r.reason])).toEqual([
      [3, "liked by people who liked “1”"],
      [4, "liked by people who liked “Two”"],
    ]);
    // Without 2: 3 comes from 1 only, 4 from ghost only (no metadata: named by id); 2 is back as trending.
    index.unlike("me", 2);
    expect(index.recommend("me", { now: NOW }).map((r) => [r.itemId, r.reason])).toEqual([
      [3, "liked by people who liked “1”"],
      [4, "liked by people who liked “ghost”"],
      [2, "trending"],
    ]);
  });

  it("reads only the user's most recent likes and first profile topics", () => {
    const index = build({ maxLikesConsidered: 1, maxProfileTopics: 1 });
    index.like("t", "d"); // t liked a, then d: only d counts now.
    const recs = index.recommend("t", { now: NOW, followedTopics: ["news", "rust"] });
    // d's likers are u4 (c) and t: c gets 1/√(2·3) × 1/3 ≈ 0.136 (+ 0.1) from d; b, co-liked only with a,
    // is merely trending. The profile keeps "news" alone: f ≈ 0.6·share(0,3) ≈ 0.198, e is only "new".
    expect(recs.map((r) => [r.itemId, r.reason])).toEqual([
      ["c", "liked by people who liked “Cooking pasta”"],
      ["f", "new in #news"],
      ["b", "trending"],
      ["e", "new"],
    ]);
    expect(recs[0]!.score).toBeCloseTo(1 / Math.sqrt(6) / 3 + 0.1, 12);
  });
});

describe("LikeIndex edge cases", () => {
  it("draws non-co-liked candidates from the pools only: the most popular per topic and overall", () => {
    const index = build({ topicPoolSize: 1, trendingPoolSize: 1 });
    // rust's pool is [a] (4 likes, over e), the trending pool is [a]: nothing else reaches a newcomer.
    expect(index.recommend("newcomer", { now: NOW, followedTopics: ["rust"] }).map((r) => r.itemId)).toEqual([
      "a",
    ]);
  });

  it("builds from likes alone (nothing to recommend without metadata) and ignores unknown topics", () => {
    const index = LikeIndex.build({ likes: pairs({ u: ["x", "y"], v: ["x"] }) });
    expect(index.similarItems("y").map((s) => s.itemId)).toEqual(["x"]);
    expect(index.recommend("v", { now: NOW, followedTopics: ["nothing-here"] })).toEqual([]);
  });

  it("gives undated items no popularity (score 0) instead of a NaN", () => {
    const index = LikeIndex.build({ items: [item("old", "Undated", ["rust"], Number.NaN)] });
    expect(index.recommend("u", { now: NOW, followedTopics: ["rust"] })).toEqual([
      {
        itemId: "old",
        title: "Undated",
        likes: 0,
        score: 0,
        reason: "new in #rust",
        basis: { kind: "topic", topic: "rust" },
      },
    ]);
  });
});

describe("LikeIndex updates", () => {
  it("likes idempotently, unlikes once, and counts", () => {
    const index = new LikeIndex();
    expect(index.like("u", "x")).toBe(true);
    expect(index.like("u", "x")).toBe(false);
    expect(index.like("u", "y")).toBe(true);
    expect(index.like("v", "x")).toBe(true);
    expect(index.likeCount("x")).toBe(2);
    expect([...index.likesOf("u")]).toEqual(["x", "y"]);
    expect(index.unlike("u", "x")).toBe(true);
    expect(index.unlike("u", "x")).toBe(false);
    expect(index.unlike("nobody", "x")).toBe(false);
    expect(index.likeCount("x")).toBe(1);
    index.unlike("u", "y");
    index.unlike("v", "x");
    expect(index.likeCount("x")).toBe(0);
    expect(index.likesOf("u").size).toBe(0);
  });

  it("recommends only items with metadata, and new items once the pool is rebuilt", () => {
    const index = build({ poolTtlMs: HOUR });
    index.removeItem("b");
    const ids = (now: number) => index.recommend("t", { now }).map((r) => r.itemId);
    expect(ids(NOW)).not.toContain("b");
    index.setItem(item("g", "Fresh rust", ["rust"], NOW));
    index.setItem(item("k", "Liked late", [], NOW));
    index.like("u1", "k");
    // The pools were built at NOW and live an hour: g (no likes) is not seen yet; k is, through u1's likes.
    expect(ids(NOW + HOUR - 1)).toEqual(expect.arrayContaining(["k"]));
    expect(ids(NOW + HOUR - 1)).not.toContain("g");
    // After an hour, or when the clock went back, the pools are rebuilt.
    expect(ids(NOW + HOUR)).toContain("g");
    index.setItem(item("h", "Later rust", ["rust"], NOW));
    expect(ids(NOW)).toContain("h");
  });
});

describe("LikeIndex properties (seeded random likes)", () => {
  const TOPICS = ["rust", "go", "ai", "food", "sport"];
  // A small cap, so that unlikes lifting an item into lists that did not name it are exercised.
  const options = { maxNeighbours: 3, poolTtlMs: 0 };

  function randomWorld(seed: number) {
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const items = Array.from({ length: 40 }, (_, i) =>
      item(i, `Item ${i}`, [pick(TOPICS), pick(TOPICS)], T0 - Math.floor(random() * 72) * HOUR),
    );
    const users = Array.from({ length: 25 }, (_, i) => `u${i}`);
    const index = LikeIndex.build({ items }, options);
    /** One random like (70%) or unlike, skewed so that some items are popular. */
    const step = () => {
      const user = pick(users);
      const itemId = Math.floor(random() ** 2 * 40);
      if (random() < 0.7) index.like(user, itemId);
      else
        index.unlike(user, index.likesOf(user).has(itemId) ? itemId : pick([...index.likesOf(user), itemId]));
    };
    /** An index built from scratch over the same likes, in the same per-user order. */
    const rebuilt = () => {
      const likes = users.flatMap((userId) =>
        [...index.likesOf(userId)].map((itemId) => ({ userId, itemId })),
      );
      return LikeIndex.build({ items, likes }, options);
    };
    return { random, pick, items, users, index, step, rebuilt };
  }

  it("keeps every cached neighbour list equal to one computed from scratch", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { items, index, step, rebuilt } = randomWorld(seed);
      for (let n = 1; n <= 400; n++) {
        step();
        // Everything cached after every change: a missed invalidation shows at the next checkpoint.
        for (const { id } of items) index.similarItems(id);
        if (n % 20 === 0) {
          const fresh = rebuilt();
          const stale = items.filter(
            ({ id }) => JSON.stringify(index.similarItems(id)) !== JSON.stringify(fresh.similarItems(id)),
          );
          expect(
            stale.map(({ id }) => id),
            `seed ${seed} step ${n}`,
          ).toEqual([]);
        }
      }
    }
  });

  it("never recommends liked or excluded items; scores finite, sorted, as from scratch", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { pick, items, users, index, step, rebuilt } = randomWorld(seed);
      for (let n = 0; n < 300; n++) {
        step();
        if (n % 11 === 0) index.recommend(pick(users), { now: NOW });
      }
      const fresh = rebuilt();
      for (const user of users) {
        const exclude = [pick(items).id];
        const query = { now: NOW, limit: 15, followedTopics: [pick(TOPICS)], exclude };
        const recs = index.recommend(user, query);
        expect(recs, `seed ${seed} ${user}`).toEqual(fresh.recommend(user, query));
        expect(recs.length).toBeLessThanOrEqual(15);
        const liked = index.likesOf(user);
        expect(recs.filter((rec) => liked.has(rec.itemId) || exclude.includes(rec.itemId))).toEqual([]);
        expect(recs.every((rec) => Number.isFinite(rec.score) && rec.score > 0)).toBe(true);
        expect(recs.every((rec, i) => i === 0 || recs[i - 1]!.score >= rec.score)).toBe(true);
      }
    }
  });
});
