import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import { fetchFeed } from "./feeds/fetch.ts";
import { HostLimiter } from "./feeds/host-limit.ts";
import { DEFAULT_SCHEDULE } from "./feeds/schedule.ts";
import { EMPTY_ALLOWLIST, parseAllowlist } from "./feeds/ssrf.ts";
import { serveFeed, useFixtureServer } from "./feeds/testing/fixture-server.ts";
import { type FeedFetcher, FeedIngest, type IngestOptions } from "./ingest.ts";
import { FeedScheduler, MemoryFeedLock } from "./scheduler.ts";
import type { NewsfeedStore } from "./store.ts";
import type { ArticleRecord } from "./store-articles.ts";
import { rssFeed } from "./testing/feeds.ts";
import { memoryStore } from "./testing/fixtures.ts";

const NOW = Date.parse("2026-11-27T12:00:00.000Z");
const HOUR = 3_600_000;
const server = useFixtureServer();

/** fetchFeed with the test server allowed (FEED_ALLOWLIST=127.0.0.1), as node.ts binds it. */
const allowLocal: FeedFetcher = (url, validators, signal) =>
  fetchFeed(url, validators, {
    allowlist: parseAllowlist(["127.0.0.1"]),
    maxBytes: 1 << 20,
    timeoutMs: 5000,
    signal,
  });

const items = (n: number, changed = "") =>
  Array.from({ length: n }, (_, i) => ({
    guid: `g${i}`,
    title: `Item ${i}${i === 0 ? changed : ""}`,
    link: `https://site.example/${i}`,
    published: new Date(NOW - (i + 1) * HOUR).toISOString(),
    categories: ["Tech"],
  }));

let store: NewsfeedStore;
let close: () => void;
let now: number;
let published: ArticleRecord[][];

beforeEach(async () => {
  ({ store, close } = await memoryStore());
  now = NOW;
  published = [];
  server.reset();
});
afterEach(() => close());

function ingest(options: Partial<IngestOptions> = {}): FeedIngest {
  return new FeedIngest({
    store,
    fetch: allowLocal,
    log: silentLog,
    now: () => now,
    random: () => 0,
    onNewArticles: (_feed, articles) => {
      published.push(articles);
    },
    ...options,
  });
}

describe("a feed served on 127.0.0.1", () => {
  it("subscribes, then checks with a conditional GET and stores only what changed", async () => {
    server.route(
      "/feed.xml",
      serveFeed({
        body: rssFeed({ title: "Site", link: "https://site.example/", items: items(3) }),
        etag: '"v1"',
      }),
    );
    const job = ingest();
    const { feed, created } = await job.subscribe(server.url("/feed.xml"), "alice");
    expect(created).toBe(true);
    expect(feed).toMatchObject({
      title: "Site",
      format: "rss2",
      etag: '"v1"',
      entryCount: 3,
      lastError: null,
    });
    // Hourly entries: the next check comes after about an hour.
    expect(feed.nextCheckAt).toBe(NOW + HOUR);
    expect(published).toEqual([]);

    now += HOUR;
    const unchanged = await job.ingest(feed);
    expect(unchanged.result).toBe("not_modified");
    expect(server.requests.at(-1)!.headers["if-none-match"]).toBe('"v1"');
    const afterNotModified = (await store.feeds.get(feed.id))!;
    expect(afterNotModified).toMatchObject({
      lastFetchAt: now,
      lastSuccessAt: now,
      etag: '"v1"',
      consecutiveFailures: 0,
    });
    expect(afterNotModified.nextCheckAt).toBe(now + HOUR);

    server.route(
      "/feed.xml",
      serveFeed({
        body: rssFeed({
          title: "Site",
          link: "https://site.example/",
          items: [
            {
              guid: "new",
              title: "Fresh",
              link: "https://site.example/new",
              published: new Date(now).toISOString(),
            },
            ...items(3, " (fixed)"),
          ],
        }),
        etag: '"v2"',
      }),
    );
    now += HOUR;
    const changed = await job.ingest(afterNotModified);
    expect(changed).toMatchObject({ result: "updated", inserted: 1, updated: 1, unchanged: 2 });
    expect(published.map((batch) => batch.map((a) => a.title))).toEqual([["Fresh"]]);
    expect(await store.feeds.get(feed.id)).toMatchObject({ etag: '"v2"', entryCount: 4 });
  });

  it("backs off on failures, shows the error, disables the feed after too many and re-enables it on re-add", async () => {
    let failing = false;
    const body = rssFeed({ title: "Flaky", link: "https://flaky.example/", items: items(2) });
    server.route("/flaky.xml", (req, res) => {
      if (failing) res.writeHead(503).end("down");
      else serveFeed({ body })(req, res);
    });
    const job = ingest({ schedule: { ...DEFAULT_SCHEDULE, maxFailures: 3 } });
    let { feed } = await job.subscribe(server.url("/flaky.xml"), null);
    failing = true;
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      now += HOUR;
      const outcome = await job.ingest(feed);
      expect(outcome.result).toBe("failed");
      feed = (await store.feeds.get(feed.id))!;
      if (feed.nextCheckAt !== null) delays.push(feed.nextCheckAt - now);
    }
    expect(delays).toEqual([DEFAULT_SCHEDULE.backoffBaseMs, 2 * DEFAULT_SCHEDULE.backoffBaseMs]);
    expect(feed).toMatchObject({
      status: "disabled",
      consecutiveFailures: 3,
      nextCheckAt: null,
      lastError: "http_status: HTTP 503",
    });
    expect(await store.feeds.due(now + 100 * HOUR, 10)).toEqual([]);

    failing = false;
    const again = await job.subscribe(server.url("/flaky.xml"), "bob");
    expect(again.created).toBe(false);
    expect(again.feed).toMatchObject({ status: "active", consecutiveFailures: 0, nextCheckAt: now });
  });

  it("records a body that is no feed as a retryable failure", async () => {
    server.route(
      "/page",
      serveFeed({ body: rssFeed({ title: "P", link: "https://p.example/", items: items(1) }) }),
    );
    const job = ingest();
    const { feed } = await job.subscribe(server.url("/page"), null);
    server.route("/page", serveFeed({ body: "<html>maintenance</html>", contentType: "text/html" }));
    const outcome = await job.ingest(feed);
    expect(outcome.result).toBe("failed");
    expect(outcome.fetch.error).toMatch(/^not a feed: /);
    expect(outcome.fetch.nextCheckAt).toBe(now + DEFAULT_SCHEDULE.backoffBaseMs);
    await expect(job.subscribe(server.url("/page-2"), null)).rejects.toMatchObject({
      code: "feed_unreachable",
    });
  });

  it("refuses loopback feeds unless allowlisted (SSRF)", async () => {
    server.route(
      "/feed.xml",
      serveFeed({ body: rssFeed({ title: "S", link: "https://s.example/", items: [] }) }),
    );
    const guarded = ingest({
      fetch: (url, validators) =>
        fetchFeed(url, validators, { allowlist: EMPTY_ALLOWLIST, maxBytes: 1 << 20, timeoutMs: 5000 }),
    });
    const refused = guarded.subscribe(server.url("/feed.xml"), null);
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("blocked_address"),
    });
    expect(server.requests).toEqual([]);
  });

  it("keeps a check going when publishing new articles fails", async () => {
    server.route(
      "/feed.xml",
      serveFeed({ body: rssFeed({ title: "S", link: "https://s.example/", items: items(1) }) }),
    );
    const { log, lines } = captureLog();
    const job = ingest({ log, onNewArticles: () => Promise.reject(new Error("hub down")) });
    const { feed } = await job.subscribe(server.url("/feed.xml"), null);
    server.route(
      "/feed.xml",
      serveFeed({ body: rssFeed({ title: "S", link: "https://s.example/", items: items(2) }) }),
    );
    expect((await job.ingest(feed)).inserted).toBe(1);
    expect(lines.some((l) => l.msg === "publishing new articles failed")).toBe(true);
  });
});

describe("the scheduler over the store", () => {
  it("checks due feeds through the store's FeedSource and records their outcomes", async () => {
    server.route(
      "/a.xml",
      serveFeed({ body: rssFeed({ title: "A", link: "https://a.example/", items: items(2) }) }),
    );
    const job = ingest();
    const { feed } = await job.subscribe(server.url("/a.xml"), null);
    server.route(
      "/a.xml",
      serveFeed({ body: rssFeed({ title: "A", link: "https://a.example/", items: items(3) }) }),
    );
    now = feed.nextCheckAt!;
    const scheduler = new FeedScheduler({
      source: store.feedSource(),
      check: job.checkDue,
      lock: new MemoryFeedLock(() => now),
      hosts: new HostLimiter(2),
      log: silentLog,
      concurrency: 2,
      now: () => now,
    });
    expect(await scheduler.tick()).toBe(1);
    const checked = await eventually(
      () => store.feeds.get(feed.id),
      (f) => f?.lastFetchAt === now,
      { what: "the scheduled check to be recorded" },
    );
    expect(checked).toMatchObject({ entryCount: 3 });
    expect(checked!.nextCheckAt).toBeGreaterThan(now);
    expect(published.flat().map((a) => a.title)).toEqual(["Item 2"]);
    expect(await scheduler.tick()).toBe(0);
    await scheduler.stop();
  });
});
