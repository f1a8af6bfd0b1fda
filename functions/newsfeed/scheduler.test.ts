import { describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import { HostLimiter } from "./feeds/host-limit.ts";
import {
  type DueFeed,
  FeedScheduler,
  type FeedSource,
  MemoryFeedLock,
  type SchedulerOptions,
} from "./scheduler.ts";

const NOW = 1_000_000;

interface Outcome {
  nextCheckAt: number;
}

/**
 * The store's side, in memory: feeds with their next check. `recordsLand: false` keeps answering with the
 * old due time after a record (a list read just before another replica recorded); failDue / failRecords
 * make the next calls fail.
 */
function feedTable(
  rows: readonly (readonly [id: string, url: string, nextCheckAt: number])[],
  opts = { recordsLand: true },
) {
  const feeds = new Map(rows.map(([id, url, nextCheckAt]) => [id, { id, url, nextCheckAt }]));
  const records: { id: string; outcome: Outcome }[] = [];
  let dueFailures = 0;
  let recordFailures = 0;
  const source: FeedSource<DueFeed, Outcome> = {
    async due(now, limit) {
      if (dueFailures-- > 0) throw new Error("database is locked");
      return [...feeds.values()]
        .filter((f) => f.nextCheckAt <= now)
        .sort((a, b) => a.nextCheckAt - b.nextCheckAt)
        .slice(0, limit)
        .map((f) => ({ id: f.id, url: f.url, dueAt: f.nextCheckAt }));
    },
    async record(id, outcome) {
      if (recordFailures-- > 0) throw new Error("database is locked");
      records.push({ id, outcome });
      if (opts.recordsLand) feeds.get(id)!.nextCheckAt = outcome.nextCheckAt;
    },
  };
  return {
    source,
    records,
    setDue: (id: string, at: number) => {
      feeds.get(id)!.nextCheckAt = at;
    },
    failDue: (n: number) => {
      dueFailures = n;
    },
    failRecords: (n: number) => {
      recordFailures = n;
    },
  };
}

/** Checks that wait until the test finishes them; `started` lists them in order. */
function heldChecks() {
  const started: {
    feed: DueFeed;
    signal: AbortSignal;
    finish: (o?: Outcome) => void;
    fail: (e: Error) => void;
  }[] = [];
  const check = (feed: DueFeed, signal: AbortSignal) =>
    new Promise<Outcome>((resolve, reject) => {
      started.push({
        feed,
        signal,
        finish: (o) => resolve(o ?? { nextCheckAt: NOW + 60_000 }),
        fail: reject,
      });
    });
  return { check, started };
}

function scheduler(
  source: FeedSource<DueFeed, Outcome>,
  check: SchedulerOptions<DueFeed, Outcome>["check"],
  extra: Partial<SchedulerOptions<DueFeed, Outcome>> = {},
) {
  return new FeedScheduler<DueFeed, Outcome>({
    source,
    check,
    lock: new MemoryFeedLock(() => NOW),
    hosts: new HostLimiter(2),
    log: silentLog,
    concurrency: 4,
    intervalMs: 60_000,
    now: () => NOW,
    ...extra,
  });
}

describe("MemoryFeedLock", () => {
  it("gives a key to one claimant until it is released by its token or expires", async () => {
    let clock = 0;
    const lock = new MemoryFeedLock(() => clock);
    const token = await lock.claim("feed:1", 1000);
    expect(token).toEqual(expect.any(String));
    expect(await lock.claim("feed:1", 1000)).toBeNull();
    expect(await lock.claim("feed:2", 1000)).not.toBeNull();
    expect(await lock.release("feed:1", "someone else's token")).toBe(false);
    expect(await lock.release("feed:1", token!)).toBe(true);
    expect(await lock.release("feed:1", token!)).toBe(false);
    const again = await lock.claim("feed:1", 1000);
    clock = 1000;
    const after = await lock.claim("feed:1", 1000);
    expect(after).not.toBeNull();
    expect(after).not.toBe(again);
  });
});

describe("FeedScheduler", () => {
  it("checks every due feed once and records each outcome", async () => {
    const table = feedTable([
      ["a", "https://a.example/feed", NOW - 10],
      ["b", "https://b.example/feed", NOW],
      ["later", "https://c.example/feed", NOW + 1],
    ]);
    const checked: string[] = [];
    const s = scheduler(table.source, async (feed) => {
      checked.push(`${feed.id}@${feed.dueAt}`);
      return { nextCheckAt: NOW + 3_600_000 };
    });
    expect(await s.tick()).toBe(2);
    await eventually(
      () => table.records.length,
      (n) => n === 2,
    );
    expect(checked.sort()).toEqual([`a@${NOW - 10}`, `b@${NOW}`]);
    expect(table.records.map((r) => r.id).sort()).toEqual(["a", "b"]);
    expect(await s.tick()).toBe(0); // nothing due any more
  });

  it("runs at most `concurrency` checks at once, and starts the next as one finishes", async () => {
    const table = feedTable(
      Array.from({ length: 5 }, (_, i) => [`f${i}`, `https://h${i}.example/`, NOW] as const),
    );
    const held = heldChecks();
    const s = scheduler(table.source, held.check, { concurrency: 2 });
    s.start();
    await eventually(
      () => held.started.length,
      (n) => n === 2,
    );
    expect(s.running).toBe(2);
    held.started[0]!.finish();
    await eventually(
      () => held.started.length,
      (n) => n === 3,
      { what: "a third check once a slot is free" },
    );
    for (let i = 1; i < 5; i++) {
      await eventually(
        () => held.started.length,
        (n) => n > i,
      );
      expect(s.running).toBeLessThanOrEqual(2);
      held.started[i]!.finish();
    }
    await eventually(
      () => table.records.length,
      (n) => n === 5,
    );
    expect(await s.stop()).toEqual({ abandoned: 0 });
  });

  it("leaves a feed for later when its host has no free slot", async () => {
    const table = feedTable([
      ["s1", "https://same.example/1", NOW],
      ["s2", "https://same.example/2", NOW],
      ["s3", "https://SAME.example:443/3", NOW],
      ["o1", "https://other.example/1", NOW],
      ["bad", "not a url", NOW],
    ]);
    const held = heldChecks();
    const s = scheduler(table.source, held.check, { concurrency: 10, hosts: new HostLimiter(2) });
    expect(await s.tick()).toBe(4);
    expect(held.started.map((c) => c.feed.id)).toEqual(["s1", "s2", "o1", "bad"]);
    held.started[0]!.finish();
    await eventually(
      () => table.records.length,
      (n) => n === 1,
    );
    expect(await s.tick()).toBe(1);
    expect(held.started.map((c) => c.feed.id)).toContain("s3");
  });

  it("keeps a recorded claim, so a stale due list cannot check the same due time twice", async () => {
    // A store whose records never land: it keeps answering with the same due time, like a replica's list
    // read just before another replica recorded the check.
    const table = feedTable([["f", "https://f.example/", NOW]], { recordsLand: false });
    let checks = 0;
    const s = scheduler(table.source, async () => {
      checks++;
      return { nextCheckAt: NOW + 1 };
    });
    await s.tick();
    await eventually(
      () => table.records.length,
      (n) => n === 1,
    );
    expect(await s.tick()).toBe(0);
    expect(checks).toBe(1);
    table.setDue("f", NOW - 5); // another due time is another claim
    expect(await s.tick()).toBe(1);
  });

  it("releases the claim of a check that threw or could not be recorded, so the next look retries it", async () => {
    const { log, lines } = captureLog("warn");
    const table = feedTable([["f", "https://f.example/", NOW]]);
    let calls = 0;
    const s = scheduler(
      table.source,
      async () => {
        calls++;
        if (calls === 1) throw new Error("parser bug");
        return { nextCheckAt: NOW + 60_000 };
      },
      { log },
    );
    await s.tick();
    await eventually(
      () => s.running,
      (n) => n === 0,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "feed check failed", err: "Error: parser bug" }),
    );
    table.failRecords(1);
    await s.tick();
    await eventually(
      () => calls,
      (n) => n === 2,
    );
    await eventually(
      () => s.running,
      (n) => n === 0,
    );
    expect(table.records).toHaveLength(0);
    await s.tick();
    await eventually(
      () => table.records.length,
      (n) => n === 1,
    );
    expect(calls).toBe(3);
  });

  it("logs and skips a look when the store or the lock fails", async () => {
    const { log, lines } = captureLog("warn");
    const table = feedTable([["f", "https://f.example/", NOW]]);
    table.failDue(1);
    const lock = new MemoryFeedLock();
    const hosts = new HostLimiter(1);
    const s = scheduler(table.source, async () => ({ nextCheckAt: NOW + 1 }), { log, lock, hosts });
    expect(await s.tick()).toBe(0);
    lock.claim = async () => {
      throw new Error("redis down");
    };
    expect(await s.tick()).toBe(0);
    expect(hosts.size).toBe(0); // the host slot was given back
    expect(lines.map((l) => l.msg)).toEqual(["could not read due feeds", "could not claim a feed"]);
  });

  it("stop() waits for the checks in flight", async () => {
    const table = feedTable([["f", "https://f.example/", NOW]]);
    const held = heldChecks();
    const s = scheduler(table.source, held.check);
    s.start();
    s.start(); // a second start is a no-op
    await eventually(
      () => held.started.length,
      (n) => n === 1,
    );
    let stopped = false;
    const stopping = s.stop(10_000).then((r) => {
      stopped = true;
      return r;
    });
    // A broken stop() would resolve within a few microtasks; this wait can only make the test pass wrongly.
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    held.started[0]!.finish();
    expect(await stopping).toEqual({ abandoned: 0 });
    expect(table.records).toHaveLength(1);
    expect(await s.tick()).toBe(0); // stopped: no more looks
  });

  it("stop() gives up after its timeout and aborts the checks left", async () => {
    const table = feedTable([["f", "https://f.example/", NOW]]);
    const held = heldChecks();
    const s = scheduler(table.source, held.check);
    await s.tick();
    const check = held.started[0]!;
    check.signal.addEventListener("abort", () => check.fail(new Error("aborted")));
    expect(await s.stop(20)).toEqual({ abandoned: 1 });
    expect(check.signal.aborted).toBe(true);
  });

  it.each([0, 1.5])("refuses a concurrency of %s", (concurrency) => {
    expect(() => scheduler(feedTable([]).source, async () => ({ nextCheckAt: 0 }), { concurrency })).toThrow(
      RangeError,
    );
  });
});
