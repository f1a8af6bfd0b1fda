/**
 * Live updates on Node for real: SSE and WebSocket clients of startNewsfeed, new articles ingested by
 * the scheduler from a fixture feed on 127.0.0.1, and two replicas sharing one Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { serveFeed, useFixtureServer } from "./feeds/testing/fixture-server.ts";
import { startNewsfeed } from "./node.ts";
import { rssFeed } from "./testing/feeds.ts";

const server = useFixtureServer();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function testConfig(extra: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), "newsfeed-live-"));
  dirs.push(dir);
  return loadConfig({
    DATA_DIR: dir,
    NEWSFEED_PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    FEED_ALLOWLIST: "127.0.0.1",
    RATE_LIMIT_NEWSFEED: "100000",
    ...extra,
  });
}

const stories = (n: number, topic = "local") =>
  rssFeed({
    title: "Local",
    link: "https://local.example/",
    items: Array.from({ length: n }, (_, i) => ({
      guid: `n${i}`,
      title: `Story ${i}`,
      link: `https://local.example/${i}`,
      published: new Date(Date.now() - (n - i) * 60_000).toISOString(),
      categories: [topic],
    })),
  });

async function call(
  base: string,
  user: string,
  config: Config,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await signToken(user, config.AUTH_SECRET)}`,
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
  return res.json() as Promise<{ id: string }>;
}

let dueAt = 0;
/**
 * Makes every feed due now: the scheduler (polling every 20 ms) checks them at once. Each time a new due
 * instant, since the scheduler claims a feed once per due time.
 */
async function makeDue(config: Config): Promise<void> {
  const { db, client } = openLibsql(`file:${join(config.DATA_DIR, "newsfeed.db")}`);
  await db.run("UPDATE feeds SET next_check_at = ?", [++dueAt]);
  client.close();
}

interface SseEvent {
  id: string;
  titles: string[];
}

/** An EventSource-like reader over fetch: the raw text and the parsed `articles` events. */
async function openSse(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const state = {
    status: res.status,
    type: res.headers.get("content-type"),
    text: "",
    events: [] as SseEvent[],
  };
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          state.text += decoder.decode(chunk, { stream: true });
          const blocks = state.text.split("\n\n");
          state.events = blocks.flatMap((block) => {
            const fields = Object.fromEntries(
              block.split("\n").flatMap((line) => {
                const at = line.indexOf(": ");
                return at > 0 ? [[line.slice(0, at), line.slice(at + 2)]] : [];
              }),
            );
            if (fields.event !== "articles") return [];
            const { articles } = JSON.parse(fields.data ?? "{}") as { articles: { title: string }[] };
            return [{ id: fields.id ?? "", titles: articles.map((a) => a.title) }];
          });
        }
      } catch {
        // aborted
      }
    })();
  }
  return { state, close: () => abort.abort() };
}

function openSocket(url: string, headers: Record<string, string> = {}) {
  const titles: string[] = [];
  const ids: string[] = [];
  const ws = new WebSocket(url, { headers });
  ws.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: string; id: string; articles: { title: string }[] };
    if (message.type !== "articles") return;
    ids.push(message.id);
    titles.push(...message.articles.map((a) => a.title));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, titles, ids, opened };
}

const count = (list: string[], item: string) => list.filter((x) => x === item).length;
const sseTitles = (events: SseEvent[]) => events.flatMap((e) => e.titles);

describe("live updates on one Node replica", () => {
  it("streams new articles as SSE with retry, heartbeats, filtering and Last-Event-ID replay", async () => {
    server.route("/live.xml", serveFeed({ body: stories(1) }));
    const config = testConfig();
    const running = await startNewsfeed(config, silentLog, { schedulerIntervalMs: 20, liveHeartbeatMs: 50 });
    const streams: { close(): void }[] = [];
    try {
      await call(running.url, "admin", config, "POST", "/api/feeds", { url: server.url("/live.xml") });
      await call(running.url, "bob", config, "POST", "/api/follows", { topic: "elsewhere" });
      await call(running.url, "carol", config, "POST", "/api/follows", { topic: "Local" });
      const anonymous = await openSse(`${running.url}/api/live`);
      const bob = await openSse(`${running.url}/api/live?user=bob`);
      const carolToken = await signToken("carol", config.AUTH_SECRET);
      const carol = await openSse(`${running.url}/api/live?token=${carolToken}`);
      streams.push(anonymous, bob, carol);
      expect(anonymous.state.status).toBe(200);
      expect(anonymous.state.type).toContain("text/event-stream");
      await eventually(
        () => anonymous.state.text,
        (t) => t.startsWith("retry: 3000\n\n"),
        { what: "retry" },
      );
      await eventually(
        () => anonymous.state.text,
        (t) => t.includes(": heartbeat\n\n"),
        { what: "heartbeat" },
      );

      server.route("/live.xml", serveFeed({ body: stories(2) }));
      await makeDue(config);
      await eventually(
        () => sseTitles(carol.state.events),
        (t) => t.includes("Story 1"),
        { what: "event 1" },
      );
      server.route("/live.xml", serveFeed({ body: stories(3) }));
      await makeDue(config);
      await eventually(
        () => sseTitles(carol.state.events),
        (t) => t.includes("Story 2"),
        { what: "event 2" },
      );
      await eventually(
        () => anonymous.state.events.length,
        (n) => n === 2,
        { what: "anonymous events" },
      );
      expect(sseTitles(anonymous.state.events)).toEqual(["Story 1", "Story 2"]);
      expect(sseTitles(carol.state.events)).toEqual(["Story 1", "Story 2"]);
      expect(bob.state.events).toEqual([]); // follows another topic

      // A reconnecting client names the last event it saw and gets only what came after.
      const [first, second] = anonymous.state.events as [SseEvent, SseEvent];
      expect(first.id).not.toBe(second.id);
      const resumed = await openSse(`${running.url}/api/live`, { "Last-Event-ID": first.id });
      streams.push(resumed);
      await eventually(
        () => resumed.state.events,
        (e) => e.length > 0,
        { what: "the replay" },
      );
      expect(resumed.state.events).toEqual([second]);

      const bad = await openSse(`${running.url}/api/live?token=not-a-token`);
      expect(bad.state.status).toBe(401);
    } finally {
      for (const stream of streams) stream.close();
      await running.close();
    }
  });

  it("pushes new articles over the WebSocket, and refuses a bad token before the upgrade", async () => {
    server.route("/socket.xml", serveFeed({ body: stories(1) }));
    const config = testConfig();
    const running = await startNewsfeed(config, silentLog, { schedulerIntervalMs: 20 });
    const base = running.url.replace(/^http/, "ws");
    try {
      await call(running.url, "admin", config, "POST", "/api/feeds", { url: server.url("/socket.xml") });
      const token = await signToken("dora", config.AUTH_SECRET);
      const client = openSocket(`${base}/api/live/socket`, { authorization: `Bearer ${token}` });
      await client.opened;
      server.route("/socket.xml", serveFeed({ body: stories(2) }));
      await makeDue(config);
      await eventually(
        () => client.titles,
        (t) => t.includes("Story 1"),
        { what: "the socket message" },
      );
      expect(client.titles).toEqual(["Story 1"]);
      server.route("/socket.xml", serveFeed({ body: stories(3) }));
      await makeDue(config);
      await eventually(
        () => client.titles,
        (t) => t.includes("Story 2"),
        { what: "the second socket message" },
      );

      // A socket reconnecting with the id of the last message it saw is sent what came after.
      const resumed = openSocket(`${base}/api/live/socket?lastEventId=${client.ids[0]}`, {
        authorization: `Bearer ${token}`,
      });
      await resumed.opened;
      await eventually(
        () => resumed.titles,
        (t) => t.length > 0,
        { what: "the socket replay" },
      );
      expect(resumed.titles).toEqual(["Story 2"]);
      expect(resumed.ids).toEqual([client.ids[1]]);
      resumed.ws.close();

      const refused = openSocket(`${base}/api/live/socket?token=bad`);
      const status = await new Promise<number>((resolve) =>
        refused.ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(status).toBe(401);
      const elsewhere = openSocket(`${base}/api/elsewhere`);
      elsewhere.ws.on("error", () => {});
      const notFound = await new Promise<number>((resolve) =>
        elsewhere.ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(notFound).toBe(404);
      client.ws.close();
    } finally {
      await running.close();
    }
  });
});

describe.skipIf(skipWithoutRedis("newsfeed live replicas"))(
  "live updates across two replicas on Redis",
  () => {
    const redis = useRedisServer();

    it("an article ingested on replica A reaches an SSE client on B and a WebSocket client on A, once each", async () => {
      server.route("/shared.xml", serveFeed({ body: stories(1) }));
      const config = testConfig({ REDIS_URL: redis.url });
      let a: RunningService | undefined;
      let b: RunningService | undefined;
      const onB = { close: () => {} };
      try {
        // Only A runs the scheduler, so A is the replica that ingests.
        a = await startNewsfeed(config, silentLog, { schedulerIntervalMs: 20 });
        b = await startNewsfeed(config, silentLog, { scheduler: false });
        await call(a.url, "admin", config, "POST", "/api/feeds", { url: server.url("/shared.xml") });
        const sse = await openSse(`${b.url}/api/live`);
        Object.assign(onB, sse);
        const socket = openSocket(`${a.url.replace(/^http/, "ws")}/api/live/socket`);
        await socket.opened;
        await eventually(
          () => sse.state.text,
          (t) => t.startsWith("retry:"),
          { what: "B's stream" },
        );

        server.route("/shared.xml", serveFeed({ body: stories(2) }));
        await makeDue(config);
        await eventually(
          () => sseTitles(sse.state.events),
          (t) => t.includes("Story 1"),
          { what: "B's SSE" },
        );
        await eventually(
          () => socket.titles,
          (t) => t.includes("Story 1"),
          { what: "A's socket" },
        );
        // A second batch is a barrier: anything duplicated from the first would have arrived before it.
        server.route("/shared.xml", serveFeed({ body: stories(3) }));
        await makeDue(config);
        await eventually(
          () => sseTitles(sse.state.events),
          (t) => t.includes("Story 2"),
          { what: "B's 2nd" },
        );
        await eventually(
          () => socket.titles,
          (t) => t.includes("Story 2"),
          { what: "A's 2nd" },
        );
        expect(count(sseTitles(sse.state.events), "Story 1")).toBe(1);
        expect(count(socket.titles, "Story 1")).toBe(1);
        expect(sseTitles(sse.state.events)).toEqual(["Story 1", "Story 2"]);
        expect(socket.titles).toEqual(["Story 1", "Story 2"]);
        socket.ws.close();
      } finally {
        onB.close();
        await Promise.all([a?.close(), b?.close()]);
      }
    });
  },
);
