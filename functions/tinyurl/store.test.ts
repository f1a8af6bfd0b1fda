import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import type { VisitRow } from "./analytics.ts";
import type { LinkRecord } from "./links.ts";
import { LinkStore, SCHEMA } from "./store.ts";
import { linkFixture } from "./testing/fixtures.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 4, 1);

const link = (code: string, overrides: Partial<LinkRecord> = {}) =>
  linkFixture(code, { createdAt: T0, updatedAt: T0, ...overrides });

function visit(overrides: Partial<VisitRow> = {}): VisitRow {
  return {
    code: "abc",
    ts: T0,
    isBot: false,
    visitor: "v1",
    referrer: "direct",
    country: "US",
    browser: "Chrome",
    os: "Windows",
    device: "desktop",
    ...overrides,
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open(url = "file::memory:") {
  const { db, client } = openLibsql(url);
  await migrate(db, SCHEMA);
  return { store: new LinkStore(db), client };
}

describe("LinkStore", () => {
  let store: LinkStore;
  let client: Client;
  beforeEach(async () => {
    ({ store, client } = await open());
  });
  afterEach(() => client.close());

  it("inserts and reads back every field", async () => {
    const full = link("full", {
      owner: "alice",
      title: "A title",
      tags: ["x", "y"],
      passwordHash: "pbkdf2$1$a$b",
      redirectStatus: 308,
      expiresAt: T0 + HOUR,
      maxVisits: 3,
      updatedAt: T0 + 1,
    });
    expect(await store.insert(full)).toBe(true);
    expect(await store.get("full")).toEqual(full);
    expect(await store.get("missing")).toBeUndefined();
  });

  it("refuses a taken code and keeps the first link", async () => {
    expect(await store.insert(link("taken"))).toBe(true);
    expect(await store.insert(link("taken", { url: "https://other.example/" }))).toBe(false);
    expect((await store.get("taken"))?.url).toBe("https://example.com/taken");
  });

  it("ignores visitsUsed on insert", async () => {
    await store.insert(link("fresh", { visitsUsed: 7 }));
    expect((await store.get("fresh"))?.visitsUsed).toBe(0);
  });

  it("updates only the given fields, and updatedAt", async () => {
    await store.insert(link("u", { title: "old", tags: ["a"], expiresAt: T0 + HOUR, maxVisits: 5 }));
    await store.update("u", { url: "https://new.example/", tags: ["b", "c"] }, T0 + 10);
    expect(await store.get("u")).toMatchObject({
      url: "https://new.example/",
      tags: ["b", "c"],
      title: "old",
      expiresAt: T0 + HOUR,
      maxVisits: 5,
      updatedAt: T0 + 10,
      createdAt: T0,
    });
    await store.update("u", { title: null, expiresAt: null, maxVisits: null }, T0 + 20);
    expect(await store.get("u")).toMatchObject({
      title: null,
      expiresAt: null,
      maxVisits: null,
      updatedAt: T0 + 20,
    });
    await store.update("u", {}, T0 + 30);
    expect((await store.get("u"))?.updatedAt).toBe(T0 + 30);
    await store.update("nobody", { title: "x" }, T0); // no such code: nothing happens
    expect(await store.get("nobody")).toBeUndefined();
  });

  it("deletes a link together with its visits", async () => {
    await store.insert(link("abc"));
    await store.insert(link("other"));
    await store.insertVisits([visit(), visit({ code: "other" })]);
    await store.delete("abc");
    expect(await store.get("abc")).toBeUndefined();
    expect((await store.analytics("abc", 0, T0 + HOUR, "hour")).total).toBe(0);
    expect((await store.analytics("other", 0, T0 + HOUR, "hour")).total).toBe(1);
    await store.delete("abc"); // idempotent
  });

  it("claims visits only while some remain, and never for unlimited links", async () => {
    await store.insert(link("limited", { maxVisits: 2 }));
    await store.insert(link("unlimited"));
    expect(await store.claimVisit("limited")).toBe(true);
    expect(await store.claimVisit("limited")).toBe(true);
    expect(await store.claimVisit("limited")).toBe(false);
    expect((await store.get("limited"))?.visitsUsed).toBe(2);
    expect(await store.claimVisit("unlimited")).toBe(false);
    expect(await store.claimVisit("missing")).toBe(false);
  });

  it("50 concurrent claims on maxVisits=10 grant exactly 10", async () => {
    await store.insert(link("race", { maxVisits: 10 }));
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claimVisit("race")));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect((await store.get("race"))?.visitsUsed).toBe(10);
  });

  it("pages an owner's links newest first, excluding other owners and anonymous links", async () => {
    for (let i = 0; i < 5; i++) await store.insert(link(`mine${i}`, { owner: "alice", createdAt: T0 + i }));
    await store.insert(link("theirs", { owner: "bob", createdAt: T0 + 10 }));
    await store.insert(link("anon", { createdAt: T0 + 11 }));
    const first = await store.listByOwner("alice", 2);
    expect(first.map((l) => l.code)).toEqual(["mine4", "mine3"]);
    const second = await store.listByOwner("alice", 2, {
      createdAt: first[1]!.createdAt,
      code: first[1]!.code,
    });
    expect(second.map((l) => l.code)).toEqual(["mine2", "mine1"]);
    const third = await store.listByOwner("alice", 2, {
      createdAt: second[1]!.createdAt,
      code: second[1]!.code,
    });
    expect(third.map((l) => l.code)).toEqual(["mine0"]);
    expect(await store.listByOwner("carol", 10)).toEqual([]);
  });

  it("pages through links created in the same millisecond without skipping any", async () => {
    for (const code of ["b", "a", "d", "c", "e"])
      await store.insert(link(`same-${code}`, { owner: "alice" }));
    const seen: string[] = [];
    let cursor: { createdAt: number; code: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const links = await store.listByOwner("alice", 2, cursor);
      seen.push(...links.map((l) => l.code));
      if (links.length < 2) break;
      const last = links[links.length - 1]!;
      cursor = { createdAt: last.createdAt, code: last.code };
    }
    expect(seen).toEqual(["same-a", "same-b", "same-c", "same-d", "same-e"]);
  });

  it("aggregates analytics: totals, humans, bots, unique humans, series and breakdowns", async () => {
    await store.insert(link("abc"));
    await store.insertVisits([
      visit({ ts: T0 + 5, visitor: "v1", referrer: "t.co", country: "DE" }),
      visit({ ts: T0 + 10, visitor: "v1", referrer: "t.co", country: "DE" }),
      visit({ ts: T0 + HOUR + 1, visitor: "v2", browser: "Firefox", device: "mobile", os: "Android" }),
      visit({
        ts: T0 + HOUR + 2,
        isBot: true,
        visitor: "bot",
        browser: "Googlebot",
        device: "bot",
        os: "unknown",
      }),
      visit({ ts: T0 + 3 * HOUR, isBot: true, visitor: "bot2", referrer: "x.com" }),
      visit({ ts: T0 - 1, visitor: "early" }), // before the range
      visit({ ts: T0 + 10 * HOUR, visitor: "late" }), // after it
      visit({ code: "other", ts: T0 + 5, visitor: "elsewhere" }),
    ]);
    const a = await store.analytics("abc", T0, T0 + 4 * HOUR, "hour");
    expect(a).toEqual({
      total: 5,
      humans: 3,
      bots: 2,
      uniqueVisitors: 2,
      series: [
        { bucket: T0, visits: 2, humans: 2 },
        { bucket: T0 + HOUR, visits: 2, humans: 1 },
        { bucket: T0 + 3 * HOUR, visits: 1, humans: 0 },
      ],
      referrers: [
        { value: "t.co", visits: 2 },
        { value: "direct", visits: 1 },
      ],
      countries: [
        { value: "DE", visits: 2 },
        { value: "US", visits: 1 },
      ],
      browsers: [
        { value: "Chrome", visits: 2 },
        { value: "Firefox", visits: 1 },
      ],
      os: [
        { value: "Windows", visits: 2 },
        { value: "Android", visits: 1 },
      ],
      devices: [
        { value: "desktop", visits: 2 },
        { value: "mobile", visits: 1 },
      ],
    });
    const daily = await store.analytics("abc", T0, T0 + 4 * HOUR, "day");
    expect(daily.series).toEqual([{ bucket: T0, visits: 5, humans: 3 }]);
  });

  it("answers zeros for a link without visits", async () => {
    expect(await store.analytics("none", 0, T0, "day")).toEqual({
      total: 0,
      humans: 0,
      bots: 0,
      uniqueVisitors: 0,
      series: [],
      referrers: [],
      countries: [],
      browsers: [],
      os: [],
      devices: [],
    });
  });

  it("keeps the top 10 of a breakdown, most visits first, ties by value", async () => {
    await store.insert(link("abc"));
    const rows = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: i < 2 ? 5 : 1 }, () =>
        visit({ referrer: `r${String(i).padStart(2, "0")}.example` }),
      ),
    ).flat();
    await store.insertVisits(rows);
    const { referrers } = await store.analytics("abc", 0, T0 + HOUR, "day");
    expect(referrers).toHaveLength(10);
    expect(referrers.slice(0, 3)).toEqual([
      { value: "r00.example", visits: 5 },
      { value: "r01.example", visits: 5 },
      { value: "r02.example", visits: 1 },
    ]);
  });

  it("drops visits of deleted links and visits older than the link (a reused slug starts clean)", async () => {
    await store.insertVisits([visit({ ts: T0 + 1 })]); // no link "abc" (deleted after buffering)
    await store.insert(link("abc", { createdAt: T0 + 100 }));
    await store.insertVisits([visit({ ts: T0 + 50 }), visit({ ts: T0 + 150 })]);
    const { total } = await store.analytics("abc", 0, T0 + HOUR, "hour");
    expect(total).toBe(1);
  });

  it("writes large visit batches in chunks", async () => {
    await store.insert(link("abc"));
    await store.insertVisits(Array.from({ length: 1203 }, (_, i) => visit({ ts: T0 + i })));
    await store.insertVisits([]);
    expect((await store.analytics("abc", 0, T0 + HOUR, "hour")).total).toBe(1203);
  });

  it("answers a readiness ping", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe("LinkStore shared by two replicas (one database file, two connections)", () => {
  it("grants exactly maxVisits claims across both", async () => {
    const dir = mkdtempSync(join(tmpdir(), "canary-store-"));
    dirs.push(dir);
    const url = `file:${join(dir, "shared.db")}`;
    const a = await open(url);
    const b = await open(url);
    try {
      await a.store.insert(link("race", { maxVisits: 10 }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).store.claimVisit("race")),
      );
      expect(results.filter(Boolean)).toHaveLength(10);
      expect((await b.store.get("race"))?.visitsUsed).toBe(10);
    } finally {
      a.client.close();
      b.client.close();
    }
  });
});
