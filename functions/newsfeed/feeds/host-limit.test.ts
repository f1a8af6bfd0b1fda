import { describe, expect, it } from "vitest";
import { eventually } from "../../shared/testing/eventually.ts";
import { fetchFeed } from "./fetch.ts";
import { HostLimiter } from "./host-limit.ts";
import { parseAllowlist } from "./ssrf.ts";
import { heldResponses, serveFeed, useFixtureServer } from "./testing/fixture-server.ts";

describe("HostLimiter", () => {
  it("hands out perHost slots per host, then refuses tryAcquire", () => {
    const limiter = new HostLimiter(2);
    const a1 = limiter.tryAcquire("a.example");
    const a2 = limiter.tryAcquire("A.example");
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(limiter.tryAcquire("a.example")).toBeNull();
    expect(limiter.tryAcquire("b.example")).not.toBeNull(); // another host has its own slots
    expect(limiter.active("a.example")).toBe(2);
    a1!();
    expect(limiter.active("a.example")).toBe(1);
    expect(limiter.tryAcquire("a.example")).not.toBeNull();
  });

  it("queues acquire first come, first served, and hands a released slot to the next waiter", async () => {
    const limiter = new HostLimiter(1);
    const first = await limiter.acquire("h");
    const order: string[] = [];
    const second = limiter.acquire("h").then((release) => {
      order.push("second");
      return release;
    });
    const third = limiter.acquire("h").then((release) => {
      order.push("third");
      return release;
    });
    expect(limiter.waiting("h")).toBe(2);
    // A waiter is ahead: tryAcquire must not jump the queue.
    expect(limiter.tryAcquire("h")).toBeNull();
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(["second", "third"]);
    expect(limiter.active("h")).toBe(0);
  });

  it("ignores a second call of the same release, and forgets idle hosts", async () => {
    const limiter = new HostLimiter(1);
    const release = limiter.tryAcquire("h")!;
    const waiter = limiter.acquire("h");
    release();
    release(); // must not free the slot the waiter now holds
    const next = await waiter;
    expect(limiter.active("h")).toBe(1);
    expect(limiter.tryAcquire("h")).toBeNull();
    next();
    expect(limiter.size).toBe(0);
    expect(limiter.active("h")).toBe(0);
    expect(limiter.waiting("h")).toBe(0);
  });

  it("run() releases the slot even when the task fails", async () => {
    const limiter = new HostLimiter(1);
    await expect(limiter.run("h", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.run("h", async () => 42)).toBe(42);
    expect(limiter.size).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses %s slots per host", (perHost) => {
    expect(() => new HostLimiter(perHost)).toThrow(RangeError);
  });
});

describe("HostLimiter around fetchFeed", () => {
  const server = useFixtureServer();

  it("never lets more than perHost fetches reach one host at once", async () => {
    const slow = heldResponses(serveFeed({ body: "<rss/>" }));
    server.route("/slow", slow.handler);
    const limiter = new HostLimiter(2);
    const options = { allowlist: parseAllowlist(["127.0.0.1"]), maxBytes: 1024, timeoutMs: 10_000 };
    const host = new URL(server.origin).hostname;
    const fetches = Array.from({ length: 6 }, () =>
      limiter.run(host, () => fetchFeed(server.url("/slow"), {}, options)),
    );
    let answered = 0;
    while (answered < 6) {
      // The server holds every response it gets, so without the limiter all six would be waiting here.
      const expected = Math.min(2, 6 - answered);
      // Settled: the fetch answered last has finished and handed its slot on.
      await eventually(
        () => [slow.held, limiter.active(host)],
        ([held, active]) => held === expected && active === expected,
        { what: `${expected} held requests` },
      );
      expect(limiter.waiting(host)).toBe(6 - answered - expected);
      slow.release();
      answered++;
    }
    const results = await Promise.all(fetches);
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill("ok"));
    expect(server.peakInFlight).toBe(2);
  });
});
