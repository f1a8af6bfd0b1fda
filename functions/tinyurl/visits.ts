/**
 * Visit recording off the hot path. The redirect hands a raw event to a recorder and returns at once;
 * the recorder turns events into rows (UA parsing, hashing) and writes them in batches.
 */
import type { Logger } from "../shared/logger.ts";
import { toVisitRow, type VisitEvent } from "./analytics.ts";
import type { LinkStore } from "./store.ts";

/** Keeps a promise alive after the response (a Worker's `ctx.waitUntil`). */
export type Defer = (promise: Promise<unknown>) => void;

export interface VisitRecorder {
  /** True when `record` needs the request's waitUntil (asking for it costs something on Node). */
  readonly needsWaitUntil: boolean;
  /** Takes the event without waiting; `defer` is the request's waitUntil where the runtime has one. */
  record(event: VisitEvent, defer?: Defer): void;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
  /** Stops the timer and flushes: called on SIGTERM so no visit is lost. */
  close(): Promise<void>;
}

/** Events kept while the database is unreachable; beyond this the oldest are dropped (and logged). */
const MAX_PENDING = 100_000;

/** Node: an in-process buffer flushed every `flushMs` or when `batchSize` events are waiting. */
export class BufferedVisitRecorder implements VisitRecorder {
  readonly needsWaitUntil = false;
  private pending: VisitEvent[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: LinkStore,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly options: { flushMs: number; batchSize: number },
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref?.();
  }

  record(event: VisitEvent): void {
    this.pending.push(event);
    if (this.pending.length >= this.options.batchSize) void this.flush();
  }

  /** Flushes are serialized so batches land in order and a shutdown waits for the one in progress. */
  flush(): Promise<void> {
    this.inFlight = this.inFlight.then(() => this.writePending());
    return this.inFlight;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      const rows = await Promise.all(batch.map((e) => toVisitRow(e, this.secret)));
      await this.store.insertVisits(rows);
    } catch (err) {
      // Keep the events for the next flush; the database may be back by then.
      this.pending = batch.concat(this.pending);
      const dropped = this.pending.length - MAX_PENDING;
      if (dropped > 0) this.pending.splice(0, dropped);
      this.log.error("visit flush failed; will retry", {
        events: batch.length,
        dropped: Math.max(0, dropped),
        err: String(err),
      });
    }
  }

  /**
   * Final flush on shutdown, retried a few times (a database blip should not lose visits). If events are
   * still unwritten it rejects, so the process exits non-zero and says how many were lost.
   */
  async close(retryDelaysMs: readonly number[] = [100, 500, 2000]): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    for (const delay of retryDelaysMs) {
      if (this.pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await this.flush();
    }
    if (this.pending.length > 0)
      throw new Error(`${this.pending.length} visits could not be written before exit`);
  }
}

/**
 * Edge: each visit is written after the response is sent, inside `ctx.waitUntil`, so the redirect never
 * waits for storage. Batching happens in the database Durable Object: its SQLite writes are coalesced
 * into one commit per burst by the object's output gate. Batching here instead would make one request
 * wait on another's I/O, which workerd forbids across request contexts.
 */
export class WaitUntilVisitRecorder implements VisitRecorder {
  readonly needsWaitUntil = true;
  constructor(
    private readonly store: LinkStore,
    private readonly secret: string,
    private readonly log: Logger,
  ) {}

  record(event: VisitEvent, defer?: Defer): void {
    if (!defer) throw new Error("WaitUntilVisitRecorder needs the request's waitUntil");
    defer(
      toVisitRow(event, this.secret)
        .then((row) => this.store.insertVisits([row]))
        .catch((err) => this.log.error("visit write failed", { err: String(err) })),
    );
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
