import { describe, expect, it } from "vitest";
import { LruCache, memoryCache } from "./cache.ts";

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("LruCache", () => {
  it("stores, reads back, overwrites and deletes", () => {
    const lru = new LruCache(10);
    expect(lru.get("a")).toBeUndefined();
    lru.set("a", "1", 60);
    expect(lru.get("a")).toBe("1");
    lru.set("a", "2", 60);
    expect(lru.get("a")).toBe("2");
    expect(lru.size).toBe(1);
    lru.delete("a");
    expect(lru.get("a")).toBeUndefined();
    lru.delete("never-there");
    expect(lru.size).toBe(0);
  });

  it("evicts the least recently used entry when full", () => {
    const lru = new LruCache(3);
    lru.set("a", "1", 60);
    lru.set("b", "2", 60);
    lru.set("c", "3", 60);
    expect(lru.get("a")).toBe("1"); // a is now the most recently used; b the least
    lru.set("d", "4", 60);
    expect(lru.size).toBe(3);
    expect(lru.get("b")).toBeUndefined();
    expect([lru.get("a"), lru.get("c"), lru.get("d")]).toEqual(["1", "3", "4"]);
  });

  it("counts a re-set as a use", () => {
    const lru = new LruCache(2);
    lru.set("a", "1", 60);
    lru.set("b", "2", 60);
    lru.set("a", "1b", 60);
    lru.set("c", "3", 60);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("1b");
  });

  it("expires entries at their TTL and drops them on read", () => {
    const c = clock();
    const lru = new LruCache(10, c.now);
    lru.set("short", "s", 1);
    lru.set("long", "l", 10);
    c.advance(999);
    expect(lru.get("short")).toBe("s");
    c.advance(1);
    expect(lru.get("short")).toBeUndefined();
    expect(lru.size).toBe(1);
    expect(lru.get("long")).toBe("l");
    c.advance(9_000);
    expect(lru.get("long")).toBeUndefined();
  });

  it("accepts fractional TTLs, and a TTL of zero stores nothing usable", () => {
    const c = clock();
    const lru = new LruCache(10, c.now);
    lru.set("half", "h", 0.5);
    lru.set("zero", "z", 0);
    expect(lru.get("zero")).toBeUndefined();
    c.advance(499);
    expect(lru.get("half")).toBe("h");
    c.advance(1);
    expect(lru.get("half")).toBeUndefined();
  });

  it("clear empties it", () => {
    const lru = new LruCache(10);
    lru.set("a", "1", 60);
    lru.set("b", "2", 60);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.get("a")).toBeUndefined();
  });
});

describe("memoryCache", () => {
  it("implements the Cache port over an LRU", async () => {
    const c = clock();
    const cache = memoryCache(2, c.now);
    await cache.set("a", "1", 5);
    expect(await cache.get("a")).toBe("1");
    await cache.delete("a");
    expect(await cache.get("a")).toBeUndefined();
    await cache.set("b", "2", 5);
    c.advance(5_000);
    expect(await cache.get("b")).toBeUndefined();
    await cache.set("x", "1", 5);
    await cache.set("y", "2", 5);
    await cache.set("z", "3", 5);
    expect(cache.lru.size).toBe(2);
    expect(cache.close).toBeUndefined();
  });
});
