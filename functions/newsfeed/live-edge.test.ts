/**
 * The Worker's side of the edge hub, without workerd: what it forwards (filter and replay point in
 * LIVE_HEADERS, an upgrade built from scratch), what it refuses, and the hub's SQLite replay log.
 * The hub object itself runs in durable/feed-hub.worker.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import type { LiveEvent } from "./live.ts";
import {
  type FeedHubNamespace,
  hubObjectStreams,
  LIVE_HEADERS,
  liveRequestFrom,
  liveRequestHeaders,
  openLiveSocket,
  publishToHub,
} from "./live-edge.ts";
import { LIVE_EVENT_SCHEMA, LiveEventLog } from "./live-event-log.ts";
import { memoryStore } from "./testing/fixtures.ts";

const SECRET = "live-edge-secret";

/** A namespace whose one object records what reaches it. */
function fakeHub() {
  const requests: Request[] = [];
  const published: LiveEvent[] = [];
  const names: string[] = [];
  const namespace = {
    idFromName: (name: string) => {
      names.push(name);
      return name as unknown as DurableObjectId;
    },
    get: () => ({
      async fetch(request: Request) {
        requests.push(request);
        return new Response("from hub", { headers: { "content-type": "text/event-stream" } });
      },
      async publish(event: LiveEvent) {
        published.push(event);
        return true;
      },
    }),
  } satisfies FeedHubNamespace;
  return { namespace, requests, published, names };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe("live requests between the Worker and the hub", () => {
  it("round-trips a filter and a replay point through headers", () => {
    const filter = { sources: new Set(["1", "2"]), topics: new Set(["rust"]) };
    const back = liveRequestFrom(liveRequestHeaders({ filter, lastEventId: "e1" }));
    expect(back).toEqual({ filter, lastEventId: "e1" });
    expect(liveRequestFrom(liveRequestHeaders({ filter: null }))).toEqual({
      filter: null,
      lastEventId: undefined,
    });
  });

  it.each([
    ["no header", undefined],
    ["not JSON", "{"],
    ["not an object", "7"],
    ["sources not strings", JSON.stringify({ sources: [1], topics: [] })],
    ["topics missing", JSON.stringify({ sources: [] })],
  ])("refuses a forwarded request with %s", (_why, value) => {
    const headers = new Headers();
    if (value !== undefined) headers.set(LIVE_HEADERS.filter, value);
    expect(liveRequestFrom(headers)).toBeNull();
  });
});

describe("the edge's live routes", () => {
  it("streams SSE from the one hub object, named newsfeed", async () => {
    const hub = fakeHub();
    const res = await hubObjectStreams(hub.namespace).sse({ filter: null, lastEventId: "e9" });
    expect(await res.text()).toBe("from hub");
    expect(hub.names).toEqual(["newsfeed"]);
    expect(liveRequestFrom(hub.requests[0]!.headers)).toEqual({ filter: null, lastEventId: "e9" });
  });

  it("publishes a batch with a fresh id, and nothing for an empty batch", async () => {
    const hub = fakeHub();
    const article = {
      id: "1",
      title: "t",
      link: null,
      feedId: "3",
      feedTitle: null,
      publishedAt: "2026-11-27T10:00:00.000Z",
      topics: [],
    };
    await publishToHub(hub.namespace, []);
    await publishToHub(hub.namespace, [article]);
    await publishToHub(hub.namespace, [article]);
    expect(hub.published.map((e) => e.articles)).toEqual([[article], [article]]);
    expect(hub.published[0]!.id).not.toBe(hub.published[1]!.id);
  });

  it("forwards a socket with its user's follows as the filter, never the client's headers", async () => {
    const { store, close } = await memoryStore();
    closers.push(close);
    await store.people.followTopic("alice", "rust", Date.now());
    const hub = fakeHub();
    const deps = { store, authSecret: SECRET, namespace: hub.namespace };
    const token = await signToken("alice", SECRET);
    await openLiveSocket(
      new Request("https://n.test/api/live/socket?lastEventId=e2", {
        headers: { upgrade: "websocket", authorization: `Bearer ${token}`, [LIVE_HEADERS.filter]: "null" },
      }),
      deps,
    );
    await openLiveSocket(new Request(`https://n.test/api/live/socket?token=${token}`), deps);
    await openLiveSocket(new Request("https://n.test/api/live/socket?user=nobody"), deps);
    const forwarded = hub.requests.map((r) => liveRequestFrom(r.headers));
    const alice = { filter: { sources: new Set(), topics: new Set(["rust"]) } };
    expect(forwarded).toEqual([
      { ...alice, lastEventId: "e2" },
      { ...alice, lastEventId: undefined },
      { filter: null, lastEventId: undefined },
    ]);
    expect(hub.requests.every((r) => r.headers.get("upgrade") === "websocket")).toBe(true);
    expect(hub.requests[0]!.headers.get("authorization")).toBeNull();
  });

  it("answers a bad token with 401 before anything reaches the hub", async () => {
    const { store, close } = await memoryStore();
    closers.push(close);
    const hub = fakeHub();
    const res = await openLiveSocket(new Request("https://n.test/api/live/socket?token=forged"), {
      store,
      authSecret: SECRET,
      namespace: hub.namespace,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect(hub.requests).toHaveLength(0);
  });
});

describe("LiveEventLog", () => {
  const event = (id: string): LiveEvent => ({
    id,
    articles: [
      {
        id,
        title: id,
        link: null,
        feedId: "1",
        feedTitle: null,
        publishedAt: "2026-11-27T10:00:00.000Z",
        topics: [],
      },
    ],
  });

  it("keeps the last events in order, once each, and skips rows it cannot read", async () => {
    const { db, client } = openLibsql("file::memory:");
    closers.push(() => client.close());
    await migrate(db, LIVE_EVENT_SCHEMA);
    const log = new LiveEventLog(db, 3);
    for (const id of ["a", "b", "b", "c", "d"]) await log.append(event(id));
    expect((await log.recent()).map((e) => e.id)).toEqual(["b", "c", "d"]);
    await db.run("INSERT INTO live_events (id, body) VALUES ('bad', '{\"id\": 1}')");
    expect((await log.recent()).map((e) => e.id)).toEqual(["c", "d"]);
  });
});
