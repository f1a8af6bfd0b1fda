/**
 * A Server-Sent Events body as a plain Web stream, the same on Node, workerd and the rollout engine: a
 * `retry:` line, whatever the opener writes and subscribes to, heartbeat comments that keep proxies from
 * closing an idle stream, and a cut-off for a reader that stops draining (its queue beyond `maxQueued`
 * chunks; EventSource reconnects and starts afresh, so nothing is held for it).
 */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  // Proxies (nginx) must not hold events back.
  "X-Accel-Buffering": "no",
};

export interface SseStreamOptions {
  /** What EventSource waits before reconnecting. */
  retryMs: number;
  heartbeatMs: number;
  /** Chunks a reader may leave unread before it is cut off. */
  maxQueued: number;
  /**
   * Starts the stream's content: write what comes first and subscribe to what follows (in one tick, so
   * nothing falls between them). Returns what stops it; `end` ends the stream from the source's side.
   */
  open(write: (text: string) => void, end: () => void): () => void;
}

export function sseStream(options: SseStreamOptions): ReadableStream<Uint8Array> {
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
          // already cancelled by the reader
        }
      };
      const write = (text: string) => {
        if (ended) return;
        // desiredSize goes negative by one per chunk the reader has not taken.
        if ((controller.desiredSize ?? 0) < -options.maxQueued) return end();
        controller.enqueue(encoder.encode(text));
      };
      write(`retry: ${options.retryMs}\n\n`);
      const close = options.open(write, end);
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), options.heartbeatMs);
      stop = () => {
        clearInterval(heartbeat);
        close();
      };
      if (ended) stop(); // the source ended it while opening
    },
    cancel() {
      stop();
    },
  });
}
