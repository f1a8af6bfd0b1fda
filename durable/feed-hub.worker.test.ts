/**
 * Newsfeed live updates on workerd, end to end through the Worker: a feed added over the API, the Cron
 * Trigger's `scheduled` checking it when due, new articles published to the FeedHub object and pushed to
 * a WebSocket (filtered by its user's follows) and SSE streams; replay by Last-Event-ID, including from a
 * fresh object instance (what hibernation or eviction leaves). Feeds are served by a stubbed global fetch
 * for one reserved `.test` host, as in the Worker contract test.
 */
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rssFeed } from "../functions/newsfeed/testing/feeds.ts";
import { newsfeedDatabase, newsfeedWorker } from "../functions/newsfeed/worker.ts";
import { signToken } from "../functions/shared/auth.ts";
import { FeedHub } from "./feed-hub.ts";

const FEED_ORIGIN = "https://feeds.live.test";
const served = new Map<string, string>();
const realFetch = globalThis.fetch;
const stub = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.startsWith(`${FEED_ORIGIN}/`)) return realFetch(input, init);
  const body = served.get(new URL(url).pathname);
  return Promise.resolve(
    body
      ? new Response(body, { headers: { "content-type": "application/rss+xml" } })
      : new Response("not found", { status: 404 }),
  );
});
afterAll(() => stub.mockRestore());

const run = Math.random().toString(36).slice(2, 8);
const secret = String(env.AUTH_SECRET);
const token = (user: string) => signToken(`${user}-${run}`, secret);
const worker = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(`https://newsfeed.test${path}`, init));

const story = (name: string, i: number, topic: string) => ({
  guid: `${name}-${i}`,
  title: `${name} story ${i}`,
  link: `https://${name}.example/${i}`,
  published: new Date(Date.now() - 60_000 + i * 1000).toISOString(),
  categories: [topic],
});
function serve(name: string, topic: string, count: number): string {
  served.set(
    `/${name}-${run}`,
    rssFeed({
      title: name,
      link: `https://${name}.example/`,
      items: Array.from({ length: count }, (_, i) => story(name, i, topic)),
    }),
  );
  return `${FEED_ORIGIN}/${name}-${run}`;
}

/** The articles events of an SSE body, as they arrive. */
function sseReader(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<{ id: string; titles: string[] }> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith("event: articles")) continue;
          const id = /^id: (.*)$/m.exec(block)![1]!;
          const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { articles: { title: string }[] };
          return { id, titles: data.articles.map((a) => a.title) };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += value;
      }
    },
    /** The next event carrying `title`, skipping others' (the anonymous stream sees every test's). */
    async nextWith(title: string): Promise<{ id: string; titles: string[] }> {
      for (;;) {
        const event = await this.next();
        if (event.titles.includes(title)) return event;
      }
    },
    close: () => reader.cancel(),
  };
}

function socketReader(res: Response) {
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const queue: { id: string; titles: string[] }[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(String(e.data)) as { type: string; id: string; articles: { title: string }[] };
    expect(m.type).toBe("articles");
    queue.push({ id: m.id, titles: m.articles.map((a) => a.title) });
    for (const wake of waiters.splice(0)) wake();
  });
  ws.accept();
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return queue.shift()!;
    },
    close: () => ws.close(1000),
  };
}

async function cronRun(): Promise<void> {
  // Due now: the cron checks feeds whose next check has come.
  await newsfeedDatabase(env).run("UPDATE feeds SET next_check_at = 0 WHERE url LIKE ?", [`%-${run}`]);
  const controller = { scheduledTime: Date.now(), cron: "*/5 * * * *", noRetry() {} };
  await newsfeedWorker.scheduled(controller as ScheduledController, env as never, createExecutionContext());
}

describe("Newsfeed live updates on the edge (FeedHub)", () => {
  const tech = serve("tech", "tech", 1);
  const sports = serve("sports", `sports-${run}`, 1);
  let techFeed: number;

  beforeAll(async () => {
    const json = (body: unknown, user: string) =>
      token(user).then((t) => ({
        method: "POST",
        headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }));
    const added = await worker("/api/feeds", await json({ url: tech }, "adder"));
    expect(added.status).toBe(201);
    techFeed = ((await added.json()) as { id: number }).id;
    expect((await worker("/api/feeds", await json({ url: sports }, "adder"))).status).toBe(201);
    expect((await worker("/api/follows", await json({ source: techFeed }, "alice"))).status).toBe(201);
    expect((await worker("/api/follows", await json({ topic: `sports-${run}` }, "bob"))).status).toBe(201);
  });

  it("pushes what the cron ingests to each connection its follows let through, and replays", async () => {
    const alice = socketReader(
      await worker("/api/live/socket", {
        headers: { upgrade: "websocket", authorization: `Bearer ${await token("alice")}` },
      }),
    );
    const bob = sseReader(await worker(`/api/live?token=${await token("bob")}`));
    const anyone = sseReader(await worker("/api/live"));

    serve("tech", "tech", 2);
    await cronRun();
    const techEvent = await alice.next();
    expect(techEvent.titles).toEqual(["tech story 1"]);
    expect((await anyone.nextWith("tech story 1")).titles).toEqual(["tech story 1"]);

    serve("sports", `sports-${run}`, 2);
    await cronRun();
    // Bob follows the sports topic only: his first event is the sports story, not the tech one.
    const sportsEvent = await bob.next();
    expect(sportsEvent.titles).toEqual(["sports story 1"]);
    expect((await anyone.nextWith("sports story 1")).titles).toEqual(["sports story 1"]);

    // A reconnect after the tech event is replayed what followed it, through its own filter.
    const resumed = sseReader(await worker("/api/live", { headers: { "Last-Event-ID": techEvent.id } }));
    expect(await resumed.nextWith("sports story 1")).toEqual(sportsEvent);
    const resumedSocket = socketReader(
      await worker(`/api/live/socket?user=bob-${run}&lastEventId=${techEvent.id}`, {
        headers: { upgrade: "websocket" },
      }),
    );
    expect(await resumedSocket.next()).toEqual(sportsEvent);

    // The replay lives in the object's SQLite: a fresh instance (after hibernation) still has it.
    const hub = env.FEED_HUB.get(env.FEED_HUB.idFromName("newsfeed"));
    const replayed = await runInDurableObject(hub, async (_instance: FeedHub, state) => {
      const fresh = new FeedHub(state, env);
      const headers = { "x-newsfeed-filter": "null", "x-newsfeed-last-event-id": techEvent.id };
      const res = await fresh.fetch(new Request("https://feed-hub/sse", { headers }));
      const reader = sseReader(res);
      const event = await reader.nextWith("sports story 1");
      await reader.close();
      return event;
    });
    expect(replayed).toEqual(sportsEvent);

    for (const reader of [bob, anyone, resumed]) await reader.close();
    alice.close();
    resumedSocket.close();
  });

  it("refuses a bad token before any upgrade, and requests the Worker did not forward", async () => {
    const res = await worker("/api/live/socket?token=nope", { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect((await worker("/api/live?token=nope")).status).toBe(401);
    const hub = env.FEED_HUB.get(env.FEED_HUB.idFromName("newsfeed"));
    const direct = await hub.fetch(
      new Request("https://feed-hub/sse", { headers: { "x-newsfeed-filter": "[1]" } }),
    );
    expect(direct.status).toBe(400);
  });

  it("publishes an event id once, however often it is sent", async () => {
    const hub = env.FEED_HUB.get(env.FEED_HUB.idFromName("newsfeed"));
    const event = {
      id: `dup-${run}`,
      articles: [
        {
          id: "1",
          title: "t",
          link: null,
          feedId: String(techFeed),
          feedTitle: null,
          publishedAt: new Date().toISOString(),
          topics: [],
        },
      ],
    };
    expect(await hub.publish(event)).toBe(true);
    expect(await hub.publish(event)).toBe(false);
    expect(await hub.publish({ id: `empty-${run}`, articles: [] })).toBe(false);
  });
});
