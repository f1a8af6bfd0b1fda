/**
 * `GET /api/rollouts/{name}/events`: one rollout's status as Server-Sent Events. The current status first
 * (so a page never waits for a change to draw), then a `status` event on every change the control
 * publishes, and heartbeat comments. Every event is a whole RolloutStatus: a client that misses one
 * loses nothing, so a reader that falls behind is cut off (EventSource reconnects and starts afresh).
 */
import { SSE_HEADERS as SHARED_SSE_HEADERS, sseStream } from "../../../functions/shared/sse-stream.ts";
import type { RolloutStatus } from "../types.ts";

export const SSE_HEADERS = {
  ...SHARED_SSE_HEADERS,
  // A stream holds its connection for its life: not worth keeping once it ends, and a kept-alive one would
  // hold the server open after `close()` ends the streams.
  Connection: "close",
};

/** What EventSource waits before reconnecting. */
export const RETRY_MS = 2000;
export const HEARTBEAT_MS = 15_000;
/** Events queued for a reader that does not drain; beyond this it is cut off. */
const MAX_QUEUED = 50;

export const statusEventText = (status: RolloutStatus): string =>
  `event: status\ndata: ${JSON.stringify(status)}\n\n`;

export interface StatusSource {
  get(name: string): RolloutStatus | undefined;
  subscribe(listener: (status: RolloutStatus) => void): () => void;
}

/** A stream of `name`'s statuses; `closers` holds its closer while it is open (the server ends them all). */
export function statusEventStream(
  source: StatusSource,
  name: string,
  closers: Set<() => void>,
  heartbeatMs = HEARTBEAT_MS,
): ReadableStream<Uint8Array> {
  return sseStream({
    retryMs: RETRY_MS,
    heartbeatMs,
    maxQueued: MAX_QUEUED,
    open(write, end) {
      // Subscribe, then send the current status: a change in between is sent twice, never lost.
      const unsubscribe = source.subscribe((status) => {
        if (status.name === name) write(statusEventText(status));
      });
      const current = source.get(name);
      if (current) write(statusEventText(current));
      closers.add(end);
      return () => {
        unsubscribe();
        closers.delete(end);
      };
    },
  });
}
