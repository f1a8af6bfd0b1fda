/**
 * The live side of one document: the connected clients (peers), their ops and cursors. Shared by the
 * Node WebSocket server and the DocumentRoom Durable Object, which only adapt sockets to {@link Peer};
 * this class never touches a socket, so it is tested with plain objects.
 *
 * Every op the session applies (sent by a peer here, posted over HTTP, or caught up from another
 * replica) reaches the peers through one listener, in version order: its author gets an `ack`,
 * everyone else the `op`. That single ordered stream is what lets clients transform correctly.
 */
import type { Logger } from "../shared/logger.ts";
import type { DocsMetrics } from "./metrics.ts";
import type { Selection } from "./ot/index.ts";
import {
  CLOSE,
  type CursorMessage,
  moveSelection,
  type OpMessage,
  type PeerView,
  ProtocolError,
  parseClientMessage,
  peerColor,
  type RemoteOpMessage,
  type ServerMessage,
} from "./protocol.ts";
import { can, type Role } from "./roles.ts";
import { type DocumentSession, SessionError } from "./session.ts";
import type { StoredOp } from "./session-store.ts";

/** One connected client, as the runtime adapts its socket. `id` is the client's `src`. */
export interface Peer {
  readonly id: string;
  readonly user: string;
  readonly role: Role;
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

export interface RoomOptions {
  /** Ops a peer may send per second, sustained (default 30); more are refused with `rate_limited`. */
  opsPerSecond?: number;
  /** Ops a peer may send at once after a quiet spell (default 2 × opsPerSecond). */
  opsBurst?: number;
  now?: () => number;
  log?: Logger;
  metrics?: DocsMetrics;
}

/** A peer's selection and the version its positions refer to. */
interface Presence {
  sel: Selection | null;
  v: number;
}

/** A token bucket: `tokens` refill at `rate` per second up to `burst`. */
interface Bucket {
  tokens: number;
  at: number;
}

/** An op this many versions behind costs one more token: its transformation walks them all. */
const STALE_OPS_PER_TOKEN = 1000;

/** How long a client waits before resending an op the store failed to take. */
const STORAGE_RETRY_MS = 1000;

const remoteOp = (entry: StoredOp): RemoteOpMessage => ({
  type: "op",
  v: entry.v,
  op: entry.op,
  src: entry.src,
  seq: entry.seq,
});

export class Room {
  readonly #session: DocumentSession;
  readonly #peers = new Map<string, Peer>();
  readonly #presence = new Map<string, Presence>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #metrics: DocsMetrics | undefined;
  readonly #unsubscribe: () => void;

  constructor(session: DocumentSession, options: RoomOptions = {}) {
    this.#session = session;
    this.#rate = options.opsPerSecond ?? 30;
    this.#burst = options.opsBurst ?? 2 * this.#rate;
    if (!(this.#rate > 0 && this.#burst >= 1)) {
      throw new RangeError("opsPerSecond must be > 0 and opsBurst >= 1");
    }
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
    this.#metrics = options.metrics;
    this.#unsubscribe = session.onApplied((entry) => this.#broadcastOp(entry));
  }

  get docId(): string {
    return this.#session.docId;
  }

  /** How many peers are connected. */
  get size(): number {
    return this.#peers.size;
  }

  /**
   * Adds a peer and sends it `init`: the ops since `knownVersion` when the session still has them,
   * else the whole text. Synchronous, so no op can fall between the catch-up and the live stream.
   * A peer with the same id (the same client, reconnected) replaces the old socket.
   */
  join(peer: Peer, knownVersion?: number): void {
    const previous = this.#peers.get(peer.id);
    if (previous) {
      this.#peers.delete(peer.id);
      previous.close(CLOSE.replaced, "the same client connected again");
    }
    const v = this.#session.version;
    const ops = knownVersion === undefined ? null : this.#session.opsSince(knownVersion);
    const you = this.#view(peer);
    peer.send({
      type: "init",
      v,
      role: peer.role,
      you,
      peers: [...this.#peers.values()].map((other) => this.#view(other)),
      ...(ops === null ? { content: this.#session.text() } : { ops: ops.map(remoteOp) }),
    });
    this.adopt(peer);
    if (!previous) this.#broadcast({ type: "join", peer: you }, peer.id);
  }

  /** Adds a peer that was already initialised (a Durable Object waking from hibernation). */
  adopt(peer: Peer, presence?: Presence): void {
    this.#peers.set(peer.id, peer);
    if (presence) this.#presence.set(peer.id, presence);
  }

  /** Removes a peer (its socket closed); the others hear `leave`. A replaced socket changes nothing. */
  leave(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    this.#presence.delete(peer.id);
    this.#buckets.delete(peer.id);
    this.#buckets.delete(`${peer.id}#cursor`);
    this.#broadcast({ type: "leave", id: peer.id });
  }

  /** Handles one text frame from a peer. Never throws: every refusal is an `error` message or a close. */
  async receive(peer: Peer, data: string): Promise<void> {
    if (this.#peers.get(peer.id) !== peer) return; // a replaced socket's late frame
    try {
      const message = parseClientMessage(data);
      if (message.type === "op") await this.#op(peer, message);
      else this.#cursor(peer, message);
    } catch (error) {
      if (error instanceof ProtocolError) {
        peer.send({ type: "error", code: "protocol_error", message: error.message });
        peer.close(CLOSE.protocolError, error.message.slice(0, 120));
        this.leave(peer);
        return;
      }
      this.#log?.error("docs room message failed", { doc: this.docId, err: String(error) });
      peer.send({ type: "error", code: "internal", message: "The server failed to handle that message" });
    }
  }

  /**
   * Closes the sockets of `user` (their role changed, or was taken away): they reconnect, and the
   * handshake gives them their new role, or a 404.
   */
  disconnectUser(user: string, code: number, reason: string): number {
    const theirs = [...this.#peers.values()].filter((peer) => peer.user === user);
    for (const peer of theirs) {
      peer.close(code, reason);
      this.leave(peer);
    }
    return theirs.length;
  }

  /** Closes every socket (shutdown, eviction, deletion) and stops listening to the session. */
  close(code: number, reason: string): void {
    for (const peer of this.#peers.values()) peer.close(code, reason);
    this.#peers.clear();
    this.#presence.clear();
    this.#buckets.clear();
    this.#unsubscribe();
  }

  /** The presence to keep with a peer's socket (a Durable Object stores it in the socket attachment). */
  presenceOf(id: string): Presence | undefined {
    return this.#presence.get(id);
  }

  async #op(peer: Peer, message: OpMessage): Promise<void> {
    const started = performance.now();
    let outcome = "internal";
    try {
      outcome = await this.#submit(peer, message);
    } finally {
      this.#metrics?.op(outcome, (performance.now() - started) / 1000);
    }
  }

  /** Submits a peer's op; returns its outcome for metrics (applied, duplicate or the error code). */
  async #submit(peer: Peer, { v, op, seq }: OpMessage): Promise<string> {
    if (!can(peer.role, "edit")) {
      peer.send({ type: "error", code: "forbidden", message: `A ${peer.role} may not edit`, seq });
      return "forbidden";
    }
    // A stale op costs more: transforming it reads and walks every op since its version.
    const behind = Math.max(0, this.#session.version - v);
    const wait = this.#take(peer.id, 1 + Math.floor(behind / STALE_OPS_PER_TOKEN));
    if (wait > 0) {
      peer.send({
        type: "error",
        code: "rate_limited",
        message: `More than ${this.#rate} ops per second; resend after ${wait} ms`,
        seq,
        retryAfterMs: wait,
      });
      return "rate_limited";
    }
    try {
      const ack = await this.#session.submit({ v, op, src: peer.id, seq });
      // A fresh op was acked by the broadcast listener, in order; a duplicate's first ack may have gone
      // to a socket that is gone, so say it again (clients ignore acks of ops they no longer wait for).
      if (!ack.duplicate) return "applied";
      peer.send({ type: "ack", v: ack.version - 1, seq });
      return "duplicate";
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
      peer.send({
        type: "error",
        code: error.code,
        message: error.message,
        seq,
        ...(error.code === "storage_failed" ? { retryAfterMs: STORAGE_RETRY_MS } : {}),
      });
      return error.code;
    }
  }

  #cursor(peer: Peer, { v, sel }: CursorMessage): void {
    const ops = this.#session.opsSince(v);
    if (ops === null) return; // from a version the client cannot have, or too old to place: drop it
    let moved = sel;
    for (const entry of ops) if (moved) moved = moveSelection(moved, entry.op, entry.src === peer.id);
    const presence = { sel: moved, v: this.#session.version };
    this.#presence.set(peer.id, presence);
    // Beyond the rate, the cursor is kept (newcomers see it) but not sent: the next one carries it.
    if (this.#take(`${peer.id}#cursor`, 1) > 0) return;
    this.#broadcast({ type: "cursor", id: peer.id, v: presence.v, sel: moved }, peer.id);
  }

  /** Reads ops other replicas stored before a client that saw them joins (its `v` is ahead of ours). */
  async catchUpTo(knownVersion: number | undefined): Promise<void> {
    if (knownVersion !== undefined && knownVersion > this.#session.version) await this.#session.catchUp();
  }

  /** A peer as others see it, its selection moved to the current version. */
  #view(peer: Peer): PeerView {
    const presence = this.#presence.get(peer.id);
    let sel: Selection | null = null;
    const ops = presence?.sel ? this.#session.opsSince(presence.v) : null;
    if (presence?.sel && ops) {
      sel = presence.sel;
      for (const entry of ops) sel = moveSelection(sel, entry.op, entry.src === peer.id);
    }
    return { id: peer.id, user: peer.user, name: peer.user, color: peerColor(peer.user), sel };
  }

  #broadcastOp(entry: StoredOp): void {
    const message = remoteOp(entry);
    for (const peer of this.#peers.values()) {
      peer.send(peer.id === entry.src ? { type: "ack", v: entry.v, seq: entry.seq } : message);
    }
  }

  #broadcast(message: ServerMessage, except?: string): void {
    for (const peer of this.#peers.values()) if (peer.id !== except) peer.send(message);
  }

  /**
   * Takes `cost` tokens (at most a full burst) from a bucket: 0 when allowed, else the milliseconds until
   * they are there.
   */
  #take(key: string, cost: number): number {
    const now = this.#now();
    const need = Math.min(cost, this.#burst);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return 0;
    }
    return Math.ceil(((need - bucket.tokens) / this.#rate) * 1000);
  }
}
