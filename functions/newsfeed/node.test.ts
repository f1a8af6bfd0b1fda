/** startNewsfeed for real: a file database under DATA_DIR, a port, the scheduler, Redis between replicas. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog, silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { serveFeed, useFixtureServer } from "./feeds/testing/fixture-server.ts";
import { startNewsfeed } from "./node.ts";
import type { ArticleRecord } from "./store-articles.ts";
import { rssFeed } from "./testing/feeds.ts";

const server = useFixtureServer();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function testConfig(extra: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), "newsfeed-node-"));
  dirs.push(dir);
  return loadConfig({
    DATA_DIR: dir,
    NEWSFEED_PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    FEED_ALLOWLIST: "127.0.0.1",
    ...extra,
  });
}

const feedBody = (n: number) =>
  rssFeed({
    title: "Local",
    link: "https://local.example/",
    items: Array.from({ length: n }, (_, i) => ({
      guid: `n${i}`,
      title: `Local story ${i}`,
      link: `https://local.example/${i}`,
      published: new Date(Date.now() - (n - i) * 60_000).toISOString(),
      categories: ["local"],
    })),
  });

async function api(base: string, token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field
  return { status: res.status, body: (await res.json()) as any };
}

describe("startNewsfeed", () => {
  it("serves the API on NEWSFEED_PORT and keeps feeds, articles and likes across a restart", async () => {
    server.route("/restart.xml", serveFeed({ body: feedBody(2) }));
    const config = testConfig();
    const token = await signToken("alice", config.AUTH_SECRET);
    const first = await startNewsfeed(config, silentLog, { scheduler: false });
    let articleId: string;
    try {
      const added = await api(first.url, token, "POST", "/api/feeds", { url: server.url("/restart.xml") });
      expect(added.status).toBe(201);
      const feed = await api(first.url, null, "GET", "/api/newsfeed");
      expect(feed.body.items).toHaveLength(2);
      articleId = feed.body.items[0].id;
      expect((await api(first.url, token, "POST", `/api/like/${articleId}`)).body.likes).toBe(1);
      const metrics = await fetch(`${first.url}/metrics`);
      expect(await metrics.text()).toContain('http_requests_total{route="/api/like/:article_id"');
    } finally {
      await first.close();
    }
    const second = await startNewsfeed(config, silentLog, { scheduler: false });
    try {
      expect((await api(second.url, null, "GET", "/api/feeds")).body.feeds).toHaveLength(1);
      const article = await api(second.url, token, "GET", `/api/articles/${articleId}`);
      expect(article.body).toMatchObject({ likes: 1, liked: true });
      expect((await api(second.url, null, "GET", "/api/search?q=story")).body.items).toHaveLength(2);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("runs the scheduler: a due feed is fetched, new articles stored and published", async () => {
    server.route("/scheduled.xml", serveFeed({ body: feedBody(1) }));
    const config = testConfig();
    const token = await signToken("alice", config.AUTH_SECRET);
    const published: ArticleRecord[] = [];
    const { log, lines } = captureLog("info");
    const running = await startNewsfeed(config, log, {
      schedulerIntervalMs: 20,
      onNewArticles: (_feed, articles) => {
        published.push(...articles);
      },
    });
    try {
      const added = await api(running.url, token, "POST", "/api/feeds", {
        url: server.url("/scheduled.xml"),
      });
      server.route("/broken.xml", serveFeed({ body: feedBody(1) }));
      const broken = await api(running.url, token, "POST", "/api/feeds", { url: server.url("/broken.xml") });
      server.route("/scheduled.xml", serveFeed({ body: feedBody(3) }));
      server.route("/broken.xml", (_req, res) => {
        res.writeHead(500).end();
      });
      // Make the feeds due now, as the passing of their interval would.
      const { db, client } = openLibsql(`file:${join(config.DATA_DIR, "newsfeed.db")}`);
      await db.run("UPDATE feeds SET next_check_at = 0");
      client.close();
      await eventually(
        () => api(running.url, null, "GET", `/api/feeds/${broken.body.id}`),
        (res) => res.body.lastError === "http_status: HTTP 500",
        { what: "the failed check to be recorded" },
      );
      expect(lines.some((l) => l.msg === "feed check failed" && l.feed === broken.body.id)).toBe(true);
      await eventually(
        () => api(running.url, null, "GET", `/api/feeds/${added.body.id}`),
        (res) => res.body.entryCount === 3,
        { what: "the scheduler to store the new entries" },
      );
      expect(published.map((a) => a.title).sort()).toEqual(["Local story 1", "Local story 2"]);
      expect(await (await fetch(`${running.url}/metrics`)).text()).toContain(
        'newsfeed_feed_checks_total{result="updated"',
      );
    } finally {
      await running.close();
    }
  });
});

describe.skipIf(skipWithoutRedis("newsfeed replicas"))("two replicas on one Redis", () => {
  const redis = useRedisServer();

  it("share rate limits and likes: a like on one reaches the other's recommendations", async () => {
    server.route("/replicas.xml", serveFeed({ body: feedBody(3) }));
    // A budget polling cannot spend; the shared count is what this test looks at.
    const config = testConfig({ REDIS_URL: redis.url, RATE_LIMIT_NEWSFEED: "100000" });
    const token = (user: string) => signToken(user, config.AUTH_SECRET);
    const [a, b] = [await startNewsfeed(config, silentLog), await startNewsfeed(config, silentLog)];
    try {
      await api(a.url, await token("admin"), "POST", "/api/feeds", { url: server.url("/replicas.xml") });
      const ids = (await api(a.url, null, "GET", "/api/newsfeed")).body.items.map(
        (i: { id: string }) => i.id,
      );
      // b builds its index now, before the likes: they can only reach it over pub/sub.
      expect((await api(b.url, null, "GET", "/api/recommendations/dave")).status).toBe(200);
      await api(a.url, await token("u1"), "POST", `/api/like/${ids[0]}`);
      await api(a.url, await token("u1"), "POST", `/api/like/${ids[1]}`);
      await api(a.url, await token("dave"), "POST", `/api/like/${ids[0]}`);
      const daveToken = await token("dave");
      // Only b's index knowing dave's like leaves the article out; only u1's makes ids[1] "popular".
      type Item = { article: { id: string }; reason: string };
      const recommended = await eventually(
        () => api(b.url, daveToken, "GET", "/api/recommendations/dave"),
        (res) =>
          res.body.items.every((i: Item) => i.article.id !== ids[0]) &&
          res.body.items.some((i: Item) => i.article.id === ids[1] && i.reason.startsWith("popular")),
        { what: "replica b to see replica a's likes", intervalMs: 50 },
      );
      expect(recommended.body.items[0].article.id).toBe(ids[1]);
      expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
      const limit = await fetch(`${b.url}/api/feeds`);
      const remaining = Number(limit.headers.get("ratelimit-remaining"));
      const again = await fetch(`${a.url}/api/feeds`);
      expect(Number(again.headers.get("ratelimit-remaining"))).toBe(remaining - 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
