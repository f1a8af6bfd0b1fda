import { describe, expect, it, vi } from "vitest";
import { memoryCache } from "../shared/cache.ts";
import { LinkLookup } from "./link-lookup.ts";
import type { LinkRecord } from "./links.ts";
import type { LinkStore } from "./store.ts";

const record = (code: string, url = `https://example.com/${code}`): LinkRecord => ({
  code,
  url,
  owner: null,
  title: null,
  tags: ["t"],
  passwordHash: null,
  redirectStatus: 302,
  expiresAt: null,
  maxVisits: null,
  visitsUsed: 0,
  createdAt: 1,
  updatedAt: 1,
});

function setup(ttlSeconds = 300) {
  let t = 0;
  const links = new Map<string, LinkRecord>();
  const get = vi.fn(async (code: string) => links.get(code));
  const cache = memoryCache(100, () => t);
  const lookup = new LinkLookup({ get } as unknown as LinkStore, cache, ttlSeconds);
  const advance = (seconds: number) => {
    t += seconds * 1000;
  };
  return { lookup, links, get, cache, advance };
}

describe("LinkLookup", () => {
  it("reads through the cache: the store is asked once", async () => {
    const s = setup();
    s.links.set("abc", record("abc"));
    expect(await s.lookup.get("abc")).toEqual(record("abc"));
    expect(await s.lookup.get("abc")).toEqual(record("abc"));
    expect(s.get).toHaveBeenCalledTimes(1);
  });

  it("expires positive entries after the TTL", async () => {
    const s = setup(300);
    s.links.set("abc", record("abc"));
    await s.lookup.get("abc");
    s.links.set("abc", record("abc", "https://changed.example/"));
    s.advance(299);
    expect((await s.lookup.get("abc"))?.url).toBe("https://example.com/abc");
    s.advance(1);
    expect((await s.lookup.get("abc"))?.url).toBe("https://changed.example/");
  });

  it("caches unknown codes, but only for 30 s", async () => {
    const s = setup(300);
    expect(await s.lookup.get("nope")).toBeUndefined();
    expect(await s.lookup.get("nope")).toBeUndefined();
    expect(s.get).toHaveBeenCalledTimes(1);
    s.links.set("nope", record("nope"));
    s.advance(29);
    expect(await s.lookup.get("nope")).toBeUndefined();
    s.advance(1);
    expect(await s.lookup.get("nope")).toEqual(record("nope"));
  });

  it("keeps negative entries no longer than a shorter TTL", async () => {
    const s = setup(10);
    await s.lookup.get("nope");
    s.links.set("nope", record("nope"));
    s.advance(10);
    expect(await s.lookup.get("nope")).toEqual(record("nope"));
  });

  it("invalidate drops both a cached link and a cached miss", async () => {
    const s = setup();
    await s.lookup.get("new");
    s.links.set("new", record("new"));
    await s.lookup.invalidate("new");
    expect(await s.lookup.get("new")).toEqual(record("new"));
    s.links.set("new", record("new", "https://edited.example/"));
    await s.lookup.invalidate("new");
    expect((await s.lookup.get("new"))?.url).toBe("https://edited.example/");
    expect(s.get).toHaveBeenCalledTimes(3);
  });

  it("does not cache at all with a TTL of zero", async () => {
    const s = setup(0);
    s.links.set("abc", record("abc"));
    await s.lookup.get("abc");
    await s.lookup.get("abc");
    await s.lookup.get("missing");
    await s.lookup.get("missing");
    expect(s.get).toHaveBeenCalledTimes(4);
    expect(s.cache.lru.size).toBe(0);
  });

  it("uses its own key space in the shared cache", async () => {
    const s = setup();
    s.links.set("abc", record("abc"));
    await s.cache.set("abc", "not a link record", 60);
    expect(await s.lookup.get("abc")).toEqual(record("abc"));
    expect(await s.cache.get("link:abc")).toBe(JSON.stringify(record("abc")));
  });
});
