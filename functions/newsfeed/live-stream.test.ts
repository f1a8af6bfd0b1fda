/** One SSE body off a hub: what a reader gets, and when the stream ends by itself. */
import { describe, expect, it } from "vitest";
import { LiveHub } from "./live.ts";
import { liveSseStream } from "./live-stream.ts";

const event = (n: number) => ({
  id: `e${n}`,
  articles: [
    {
      id: String(n),
      title: `Story ${n}`,
      link: null,
      feedId: "1",
      feedTitle: null,
      publishedAt: "2026-11-27T10:00:00.000Z",
      topics: [],
    },
  ],
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let read = await reader.read(); !read.done; read = await reader.read())
    text += decoder.decode(read.value);
  return text;
}

describe("liveSseStream", () => {
  it("writes retry, the replay after Last-Event-ID, then new events, and ends when the hub closes", async () => {
    const hub = new LiveHub();
    hub.publish(event(1));
    hub.publish(event(2));
    const body = readAll(liveSseStream(hub, { filter: null, lastEventId: "e1" }));
    hub.publish(event(3));
    expect(hub.size).toBe(1);
    hub.close();
    const text = await body;
    expect(text.startsWith("retry: 3000\n\n")).toBe(true);
    expect([...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1])).toEqual(["e2", "e3"]);
    expect(text).toContain('data: {"articles":[{"id":"3","title":"Story 3"');
    expect(hub.size).toBe(0);
  });

  it("cuts off a reader that stops draining, and unsubscribes one that cancels", async () => {
    const hub = new LiveHub({ replayEvents: 1000 });
    const stalled = liveSseStream(hub, { filter: null });
    for (let n = 0; n < 150; n++) hub.publish(event(n));
    expect(hub.size).toBe(0); // dropped once more than 100 chunks were waiting
    const text = await readAll(stalled);
    expect(text.split("event: articles").length - 1).toBeLessThan(150);

    const cancelled = liveSseStream(hub, { filter: null });
    expect(hub.size).toBe(1);
    await cancelled.cancel();
    expect(hub.size).toBe(0);
  });

  it("ends at once on a hub that has shut down", async () => {
    const hub = new LiveHub();
    hub.close();
    expect(await readAll(liveSseStream(hub, { filter: null }))).toBe("retry: 3000\n\n");
  });
});
