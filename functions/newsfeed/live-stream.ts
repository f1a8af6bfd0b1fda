/**
 * One live connection as a Server-Sent Events body: the replay after `Last-Event-ID`, then every event of
 * the hub the connection's filter lets through, and heartbeat comments. A plain Web stream, so the same
 * code serves `GET /api/live` on Node and inside the FeedHub Durable Object on the edge.
 */
import { sseStream } from "../shared/sse-stream.ts";
import type { LiveEvent, LiveFilter, LiveHub } from "./live.ts";

export { SSE_HEADERS } from "../shared/sse-stream.ts";

export const HEARTBEAT_MS = 25_000;
/** What EventSource waits before reconnecting. */
export const RETRY_MS = 3000;
/** Chunks queued for a reader that does not drain; beyond this the client is too slow and is cut off. */
const MAX_QUEUED = 100;

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
  return sseStream({
    retryMs: RETRY_MS,
    heartbeatMs,
    maxQueued: MAX_QUEUED,
    open(write, end) {
      if (request.lastEventId)
        for (const event of hub.since(request.lastEventId, request.filter) ?? []) write(sseText(event));
      return hub.subscribe({ filter: request.filter, send: (event) => write(sseText(event)), close: end });
    },
  });
}
