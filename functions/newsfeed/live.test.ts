/** The live hub: who gets which new articles, replay after a reconnect, shutdown. */
import { describe, expect, it } from "vitest";
import {
  filterFromJson,
  filterToJson,
  followFilter,
  type LiveArticle,
  type LiveEvent,
  LiveHub,
  type LiveSubscriber,
  parseLiveEvent,
  socketMessage,
} from "./live.ts";

const article = (id: number, feedId: number, topics: string[] = []): LiveArticle => ({
  id: String(id),
  title: `Story ${id}`,
  link: `https://news.example/${id}`,
  feedId: String(feedId),
  feedTitle: `Feed ${feedId}`,
  publishedAt: "2026-11-27T10:00:00.000Z",
  topics,
});

function recorder(filter: LiveSubscriber["filter"]) {
  const received: LiveEvent[] = [];
  let closed = 0;
  const subscriber: LiveSubscriber = {
    filter,
    send: (event) => received.push(event),
    close: () => {
      closed++;
    },
  };
  return {
    subscriber,
    received,
    ids: () => received.flatMap((e) => e.articles.map((a) => a.id)),
    closed: () => closed,
  };
}

describe("LiveHub", () => {
  it("sends each subscriber the articles of the feeds and topics it follows; anonymous gets all", () => {
    const hub = new LiveHub();
    const anonymous = recorder(null);
    const bySource = recorder(followFilter({ sources: [1], topics: [] }));
    const byTopic = recorder(followFilter({ sources: [], topics: ["rust"] }));
    const unmatched = recorder(followFilter({ sources: [9], topics: ["gardening"] }));
    for (const r of [anonymous, bySource, byTopic, unmatched]) hub.subscribe(r.subscriber);
    hub.publish({ id: "e1", articles: [article(10, 1), article(11, 2, ["rust", "go"]), article(12, 3)] });
    expect(anonymous.ids()).toEqual(["10", "11", "12"]);
    expect(bySource.ids()).toEqual(["10"]);
    expect(byTopic.ids()).toEqual(["11"]);
    expect(unmatched.received).toEqual([]); // nothing matched: no empty event either
    expect(bySource.received[0]!.id).toBe("e1");
  });

  it("treats someone who follows nothing like an anonymous reader", () => {
    expect(followFilter({ sources: [], topics: [] })).toBeNull();
  });

  it("delivers an event id once, and stops delivering after unsubscribe", () => {
    const hub = new LiveHub();
    const r = recorder(null);
    const unsubscribe = hub.subscribe(r.subscriber);
    hub.publish({ id: "e1", articles: [article(1, 1)] });
    hub.publish({ id: "e1", articles: [article(1, 1)] });
    expect(r.ids()).toEqual(["1"]);
    unsubscribe();
    hub.publish({ id: "e2", articles: [article(2, 1)] });
    expect(r.ids()).toEqual(["1"]);
    expect(hub.size).toBe(0);
  });

  it("replays the events after a Last-Event-ID, filtered, within its buffer", () => {
    const hub = new LiveHub({ replayEvents: 3 });
    for (let i = 1; i <= 4; i++) hub.publish({ id: `e${i}`, articles: [article(i, i % 2)] });
    const odd = followFilter({ sources: [1], topics: [] });
    expect(hub.since("e2", null)?.map((e) => e.id)).toEqual(["e3", "e4"]);
    expect(hub.since("e2", odd)?.map((e) => e.id)).toEqual(["e3"]);
    expect(hub.since("e4", null)).toEqual([]);
    expect(hub.since("e1", null)).toBeUndefined(); // pushed out of the buffer
    expect(hub.since("unknown", null)).toBeUndefined();
  });

  it("closes every subscriber at shutdown, and any that come later", () => {
    const hub = new LiveHub();
    const before = recorder(null);
    hub.subscribe(before.subscriber);
    hub.close();
    const after = recorder(null);
    hub.subscribe(after.subscriber);
    hub.publish({ id: "e1", articles: [article(1, 1)] });
    expect([before.closed(), after.closed()]).toEqual([1, 1]);
    expect(before.received).toEqual([]);
  });

  it("keeps delivering to the others when one subscriber throws", () => {
    const hub = new LiveHub();
    hub.subscribe({
      filter: null,
      send: () => {
        throw new Error("gone");
      },
      close: () => {},
    });
    const r = recorder(null);
    hub.subscribe(r.subscriber);
    hub.publish({ id: "e1", articles: [article(1, 1)] });
    expect(r.ids()).toEqual(["1"]);
  });

  it("starts from remembered events (the edge hub after hibernation) and says which publishes were new", () => {
    const hub = new LiveHub({
      replayEvents: 2,
      recent: [1, 2, 3].map((n) => ({ id: `e${n}`, articles: [article(n, 1)] })),
    });
    expect(hub.since("e1", null)).toBeUndefined(); // only the last two are kept
    expect(hub.since("e2", null)?.map((e) => e.id)).toEqual(["e3"]);
    expect(hub.publish({ id: "e3", articles: [article(3, 1)] })).toBe(false);
    expect(hub.publish({ id: "e4", articles: [] })).toBe(false);
    expect(hub.publish({ id: "e4", articles: [article(4, 1)] })).toBe(true);
  });
});

describe("live events as data", () => {
  it("parses what it writes and refuses anything else", () => {
    const event = { id: "e1", articles: [article(1, 2, ["rust"])] };
    expect(parseLiveEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(JSON.parse(socketMessage(event))).toEqual({ type: "articles", ...event });
    for (const bad of [null, "e1", { id: 1, articles: [] }, { id: "e", articles: [{ id: 1 }] }, { id: "e" }])
      expect(parseLiveEvent(bad)).toBeUndefined();
  });

  it("carries a filter as JSON and back", () => {
    const filter = followFilter({ sources: [1, 2], topics: ["rust"] });
    expect(filterFromJson(filterToJson(filter))).toEqual(filter);
    expect(filterToJson(null)).toBeNull();
    expect(filterFromJson(null)).toBeNull();
  });
});
