/**
 * One live connection as a Server-Sent Events body: the replay after `Last-Event-ID`, then every event of
 * the hub the connection's filter lets through, and heartbeat comments. A plain Web stream, so the same
 * code serves `GET /api/live` on Node and inside the FeedHub Durable Object on the edge.
 */
import type { LiveEvent, LiveFilter, LiveHub } from "./live.ts";

export const HEARTBEAT_MS = 25_000;
/** What EventSource waits before reconnecting. */
export const RETRY_MS = 3000;
/** Chunks queued for a reader that does not drain; beyond this the client is too slow and is cut off. */
const MAX_QUEUED = 100;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  // Proxies (nginx) must not hold events back.
  "X-Accel-Buffering": "no",
};

/** Who is listening and where they left off. */
export interface LiveRequest {
  filter: LiveFilter | null;
  lastEventId?: string;
}

/** An event as SSE text (`articles` events; docs/api/newsfeed.md, "Live updates"). */
export const sseText = (event: LiveEvent): string =>
  `event: articles\nid: ${event.id}\ndata: ${JSON.stringify({ articles: event.articles })}\n\n`;

export function liveSseStream(
  hub: LiveHub,
  request: LiveRequest,
  heartbeatMs = HEARTBEAT_MS,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        stop();
        try {
          controller.close();
        } catch {
          // already closed by a cancel
        }
      };
      const write = (text: string) => {
        if (ended) return;
        // desiredSize goes negative by one per chunk the reader has not taken.
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED) return end();
        controller.enqueue(encoder.encode(text));
      };
      write(`retry: ${RETRY_MS}\n\n`);
      // Replay and subscribe in one tick: no event can fall between them.
      if (request.lastEventId)
        for (const event of hub.since(request.lastEventId, request.filter) ?? []) write(sseText(event));
      const unsubscribe = hub.subscribe({
        filter: request.filter,
        send: (event) => write(sseText(event)),
        close: end,
      });
      // Comments keep idle proxies and load balancers from closing the stream.
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
      stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      if (ended) stop(); // the hub was already closed
    },
    cancel() {
      stop();
    },
  });
}
