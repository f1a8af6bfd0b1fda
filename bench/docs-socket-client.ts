/**
 * A minimal Docs WebSocket client for part (2) of `npm run bench -- docs`, written to the protocol in
 * functions/docs/protocol.ts: one op in flight; ticks that come while one is in flight are queued and
 * sent together as one op once the ack arrives. Every op inserts at position 0 against the newest version
 * the client knows, which is valid at any version (the server transforms it), so the client needs no copy
 * of the text. Every timing goes to a shared {@link LatencyTracker}.
 */
import WebSocket from "ws";
import { type ServerMessage, SUBPROTOCOL } from "../functions/docs/protocol.ts";

interface Sent {
  sentAt: number;
  measured: boolean;
  ackedAt?: number;
  /** Other clients that have not received the op yet. */
  waiting: number;
  allReceivedAt?: number;
}

/** Send → ack and send → every other client received it, keyed by (src, seq). */
export class LatencyTracker {
  readonly #ops = new Map<string, Sent>();
  readonly ackMs: number[] = [];
  readonly broadcastMs: number[] = [];
  /** One sample per (op, receiver): how long each single delivery took. */
  readonly deliveryMs: number[] = [];
  readonly errors = new Map<string, number>();
  /** Ops whose ack or broadcast arrived, though the tracker did not know the op (a protocol surprise). */
  unknown = 0;

  constructor(readonly receivers: number) {}

  sent(src: string, seq: number, at: number, measured: boolean): void {
    this.#ops.set(`${src}:${seq}`, { sentAt: at, measured, waiting: this.receivers });
  }

  acked(src: string, seq: number, at: number): void {
    const op = this.#ops.get(`${src}:${seq}`);
    if (!op) return void this.unknown++;
    op.ackedAt = at;
    if (op.measured) this.ackMs.push(at - op.sentAt);
  }

  received(src: string, seq: number, at: number): void {
    const op = this.#ops.get(`${src}:${seq}`);
    if (!op) return void this.unknown++;
    op.waiting -= 1;
    if (op.measured) this.deliveryMs.push(at - op.sentAt);
    if (op.waiting > 0) return;
    op.allReceivedAt = at;
    if (op.measured) this.broadcastMs.push(at - op.sentAt);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Ops still missing their ack or a delivery. */
  outstanding(): { unacked: number; undelivered: number } {
    let unacked = 0;
    let undelivered = 0;
    for (const op of this.#ops.values()) {
      if (op.ackedAt === undefined) unacked++;
      if (op.allReceivedAt === undefined) undelivered++;
    }
    return { unacked, undelivered };
  }

  get size(): number {
    return this.#ops.size;
  }
}

export class BenchClient {
  readonly src: string;
  /** The author id the server gives this client's ops (`<user>/<src>`), from `init`. */
  id = "";
  readonly ready: Promise<void>;
  readonly #ws: WebSocket;
  readonly #tracker: LatencyTracker;
  readonly #letter: string;
  /** Newest version this client knows of. */
  #version = 0;
  #seq = 0;
  #inFlight: { seq: number; op: string[] } | null = null;
  /** Ticks waiting for the in-flight op's ack, and whether the first of them is in the measured window. */
  #queued = 0;
  #queuedMeasured = false;
  /** Ticks that had to wait behind an in-flight op. */
  queuedTicks = 0;
  ticks = 0;
  insertedChars = 0;
  closed: { code: number; reason: string } | null = null;

  constructor(url: string, token: string, src: string, tracker: LatencyTracker, letter: string) {
    this.src = src;
    this.#tracker = tracker;
    this.#letter = letter;
    this.#ws = new WebSocket(`${url}?src=${encodeURIComponent(src)}`, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
    });
    this.ready = new Promise((resolve, reject) => {
      this.#ws.on("error", reject); // after init: a later close shows in `closed`
      this.#ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`${src}: socket refused with HTTP ${res.statusCode}`)),
      );
      this.#ws.on("message", (data) => {
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type === "init") {
          this.#version = message.v;
          this.id = message.you.id;
          resolve();
        }
        this.#receive(message);
      });
    });
    this.#ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** One user edit: sent now, or queued behind the op in flight. */
  tick(measured: boolean): void {
    this.ticks++;
    if (this.#inFlight) {
      if (this.#queued === 0) this.#queuedMeasured = measured;
      this.#queued++;
      this.queuedTicks++;
      return;
    }
    this.#send(1, measured);
  }

  /** True when nothing is in flight or queued. */
  get settled(): boolean {
    return this.#inFlight === null && this.#queued === 0;
  }

  close(): void {
    this.#ws.close(1000, "bench done");
  }

  #send(chars: number, measured: boolean): void {
    const seq = this.#seq++;
    const op = [this.#letter.repeat(chars)];
    this.#inFlight = { seq, op };
    this.insertedChars += chars;
    this.#tracker.sent(this.id, seq, performance.now(), measured);
    this.#ws.send(JSON.stringify({ type: "op", v: this.#version, seq, op }));
  }

  #receive(message: ServerMessage): void {
    const now = performance.now();
    if (message.type === "ack") {
      this.#version = Math.max(this.#version, message.v + 1);
      if (this.#inFlight?.seq !== message.seq) return;
      this.#tracker.acked(this.id, message.seq, now);
      this.#inFlight = null;
      if (this.#queued > 0) {
        const chars = this.#queued;
        this.#queued = 0;
        this.#send(chars, this.#queuedMeasured);
      }
    } else if (message.type === "op") {
      this.#version = Math.max(this.#version, message.v + 1);
      this.#tracker.received(message.src, message.seq, now);
    } else if (message.type === "error") {
      this.#tracker.error(message.code);
      const flight = this.#inFlight;
      // A retryable refusal of our op: resend it unchanged (same seq), as the protocol says.
      if (flight && message.seq === flight.seq && message.retryAfterMs !== undefined) {
        setTimeout(() => {
          if (this.#inFlight === flight) {
            this.#ws.send(JSON.stringify({ type: "op", v: this.#version, seq: flight.seq, op: flight.op }));
          }
        }, message.retryAfterMs);
      }
    }
  }
}
