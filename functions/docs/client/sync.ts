/**
 * The Docs client's state machine, with ShareDB's discipline: one op in flight, later local edits
 * composed into one pending op, and every server op transformed against both before it is applied.
 * DOM-free and socket-free (the browser editor, tests and the benchmark drive it): the transport calls
 * `connected(send)`, `receive(message)` and `disconnected()`; the UI calls `localOp` and `setSelection`
 * and listens to the events.
 *
 * Text: `text` is the server's text at `version` with the in-flight op, then the pending op, applied.
 * A reconnect asks for the ops since `version` (`connectQuery`); one carrying this client's own
 * `(src, seq)` is the ack of the op in flight, which is otherwise resent with the same `(src, seq)`, so
 * the server never applies it twice. A client out of step (an op refused for good, a version gap)
 * throws its unacknowledged edits away, reports it and starts again from the server's whole text.
 *
 * Peers' selections are kept in server coordinates, moved by every op with protocol.ts's moveSelection
 * (as the server moves them), and shown in local coordinates by moving them through the in-flight and
 * pending ops, so every client draws a cursor where the server would.
 */
import { apply, diffToOp, isNoop, type Selection, type TextOp } from "../ot/index.ts";
import {
  type ClientMessage,
  type ErrorMessage,
  type InitMessage,
  moveSelection,
  type PeerView,
  type RemoteOpMessage,
  type ServerMessage,
} from "../protocol.ts";
import type { Role } from "../roles.ts";
import { type LocalPeer, PeerSelections } from "./peers.ts";
import { PendingOps } from "./pending-ops.ts";
import type { DocumentSyncOptions, Schedule, SyncEvents, SyncStatus } from "./sync-types.ts";

export type { LocalPeer } from "./peers.ts";
export type * from "./sync-types.ts";

/** How long to wait before resending an op after an error that named none (the server may have failed). */
export const RESEND_AFTER_MS = 1000;

const defaultSchedule: Schedule = (task, ms) => {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
};

export class DocumentSync {
  readonly src: string;
  readonly #events: SyncEvents;
  readonly #schedule: Schedule;
  #text = "";
  /** The server version `text` is based on; null until the first `init`. */
  #version: number | null = null;
  /** The next connection asks for the whole text (first load, or out of step). */
  #fresh = true;
  #role: Role | null = null;
  #you: PeerView | null = null;
  readonly #ops = new PendingOps();
  #send: ((message: ClientMessage) => void) | null = null;
  /** `init` arrived on the current connection. */
  #online = false;
  readonly #peers = new PeerSelections();
  #selection: Selection | null = null;
  /** The server has not been told the current selection. */
  #cursorDirty = false;
  #cancelResend: (() => void) | null = null;
  #lastStatus = "";

  constructor(options: DocumentSyncOptions) {
    this.src = options.src;
    this.#events = options.events ?? {};
    this.#schedule = options.schedule ?? defaultSchedule;
  }

  get text(): string {
    return this.#text;
  }

  /** The server version the text is based on, or null before the first load. */
  get version(): number | null {
    return this.#version;
  }

  get role(): Role | null {
    return this.#role;
  }

  /** This client as the server presents it to others (name, colour), once connected. */
  get you(): PeerView | null {
    return this.#you;
  }

  /** Local edits are accepted: the text is loaded, not being replaced, and the role may edit. */
  get editable(): boolean {
    return this.#version !== null && !this.#fresh && this.#role !== "viewer";
  }

  get status(): SyncStatus {
    const connection = this.#send === null ? "offline" : this.#online ? "online" : "connecting";
    return { connection, unacknowledged: this.#ops.any };
  }

  /** The query of the socket URL: `v` only when the server can send the ops since it. */
  connectQuery(): { src: string; v?: number } {
    return this.#fresh || this.#version === null ? { src: this.src } : { src: this.src, v: this.#version };
  }

  /** The user's own selection, in local coordinates. */
  get selection(): Selection | null {
    return this.#selection;
  }

  /** Peers and their selections in local coordinates. */
  get peers(): LocalPeer[] {
    return this.#peers.local(this.#ops.unapplied);
  }

  /** A socket opened; nothing is sent before the server's `init`. */
  connected(send: (message: ClientMessage) => void): void {
    this.#send = send;
    this.#online = false;
    this.#emitStatus();
  }

  /** The socket closed (or was abandoned): edits keep queueing until the next connection. */
  disconnected(): void {
    this.#send = null;
    this.#online = false;
    this.#cancelRetry();
    if (this.#peers.clear()) this.#events.peers?.();
    this.#emitStatus();
  }

  /** A local edit, `op` against `text`: applied at once, sent when nothing is in flight. */
  localOp(op: TextOp): void {
    if (!this.editable)
      throw new Error("the document cannot be edited now (loading, resyncing or read-only)");
    const next = apply(this.#text, op); // throws OpError when it does not fit: nothing changes
    if (isNoop(op)) return;
    this.#text = next;
    this.#ops.add(op);
    if (this.#selection) this.#selection = moveSelection(this.#selection, op, true);
    this.#cursorDirty = true;
    this.#flush();
    this.#emitStatus();
  }

  /** The user's selection moved (local coordinates); the server hears it once nothing is unacknowledged. */
  setSelection(sel: Selection | null): void {
    const same = sel === this.#selection || (sel && this.#selection && sameSelection(sel, this.#selection));
    if (same) return;
    this.#selection = sel;
    this.#cursorDirty = true;
    this.#sendCursorIfIdle();
  }

  /** Handles one server message. Anything that cannot be made sense of restarts from the server's text. */
  receive(message: ServerMessage): void {
    if (this.#send === null || (!this.#online && message.type !== "init")) return;
    try {
      this.#dispatch(message);
    } catch (error) {
      this.#restart("client_error", `could not apply a server message: ${(error as Error).message}`);
    }
  }

  #dispatch(message: ServerMessage): void {
    switch (message.type) {
      case "init":
        this.#init(message);
        break;
      case "op":
        this.#serverOp(message);
        break;
      case "ack":
        // An ack of anything but the op in flight is a duplicate's, or from before a restart.
        if (this.#ops.inflight?.seq !== message.seq) break;
        if (message.v === this.#version) this.#acknowledge();
        else this.#restart("out_of_step", `ack at v ${message.v}`);
        break;
      case "cursor":
        // Sent at the version of the stream so far; any other cannot be placed.
        if (this.#peers.place(message.id, message.v === this.#version ? message.sel : null)) {
          this.#events.peers?.();
        }
        break;
      case "join":
        this.#peers.join(message.peer);
        this.#events.peers?.();
        break;
      case "leave":
        if (this.#peers.leave(message.id)) this.#events.peers?.();
        break;
      case "error":
        this.#error(message);
        break;
    }
  }

  #init(init: InitMessage): void {
    this.#role = init.role;
    this.#you = init.you;
    if (init.content !== undefined) {
      const dropped = this.#ops.drop();
      this.#cancelRetry();
      const previous = this.#text;
      this.#text = init.content;
      this.#version = init.v;
      const op = diffToOp(previous, init.content);
      if (this.#selection) this.#selection = moveSelection(this.#selection, op, false);
      this.#events.change?.({ kind: "reset", op, text: this.#text });
      if (dropped) {
        this.#report(
          "resynced",
          "Edits the server had not acknowledged were lost; the server's text is shown",
          true,
        );
      }
    } else if (!this.#catchUp(init)) {
      return;
    }
    this.#fresh = false;
    this.#peers.reset(init.peers);
    this.#online = true;
    this.#cursorDirty = this.#selection !== null; // a new connection: the room knows nothing of us yet
    if (this.#ops.inflight) this.#sendInflight();
    else this.#flush();
    this.#sendCursorIfIdle();
    this.#events.peers?.();
    this.#emitStatus();
  }

  /** Applies the ops of an `init`; false when the client had to restart. */
  #catchUp(init: InitMessage): boolean {
    if (this.#version === null) {
      this.#restart("out_of_step", "init sent ops to a client with no text");
      return false;
    }
    for (const entry of init.ops ?? []) if (!this.#serverOp(entry)) return false;
    if (this.#version === init.v) return true;
    this.#restart("out_of_step", `caught up to ${this.#version}, not ${init.v}`);
    return false;
  }

  /** Applies one op from the server's stream; false when the client had to restart. */
  #serverOp(entry: RemoteOpMessage): boolean {
    if (entry.v !== this.#version) {
      this.#restart("out_of_step", `an op at version ${entry.v}, expected ${this.#version}`);
      return false;
    }
    if (entry.src === this.#you?.id) {
      // Our own op in a catch-up: the ack of the op in flight, or something we never sent.
      if (this.#ops.inflight?.seq !== entry.seq) {
        this.#restart("out_of_step", `our own op ${entry.seq} that is not in flight`);
        return false;
      }
      this.#acknowledge();
      return true;
    }
    const op = this.#ops.rebase(entry.op);
    this.#text = apply(this.#text, op);
    this.#version = entry.v + 1;
    this.#peers.move(entry.op, entry.src);
    if (this.#selection) this.#selection = moveSelection(this.#selection, op, false);
    this.#events.change?.({ kind: "remote", op, text: this.#text });
    if (this.#peers.size > 0) this.#events.peers?.();
    return true;
  }

  #acknowledge(): void {
    this.#peers.move(this.#ops.acknowledge(), this.#you?.id ?? this.src);
    this.#version! += 1;
    this.#cancelRetry();
    this.#flush();
    this.#sendCursorIfIdle();
    this.#emitStatus();
  }

  #error(error: ErrorMessage): void {
    if (error.seq !== undefined) {
      if (this.#ops.inflight?.seq !== error.seq) return; // about an op already settled
      if (error.retryAfterMs === undefined) {
        this.#restart(error.code, error.message);
      } else {
        this.#report(error.code, error.message, false);
        this.#resendAfter(error.retryAfterMs);
      }
      return;
    }
    this.#report(error.code, error.message, false);
    // It may have been about our op (a server failure names no seq): a resend is harmless, never applied twice.
    if (this.#ops.inflight && error.code !== "protocol_error") this.#resendAfter(RESEND_AFTER_MS);
  }

  /** Out of step: forget unacknowledged edits and reconnect for the server's whole text. */
  #restart(code: string, message: string): void {
    const dropped = this.#ops.drop();
    this.#fresh = true;
    this.disconnected();
    this.#report(code, message, dropped);
    this.#events.restart?.(message);
  }

  /** Sends the pending op when nothing is in flight. */
  #flush(): void {
    if (this.#online && this.#ops.launch()) this.#sendInflight();
  }

  #sendInflight(): void {
    const { op, seq } = this.#ops.inflight!;
    this.#send!({ type: "op", v: this.#version!, op, seq });
  }

  #resendAfter(ms: number): void {
    this.#cancelRetry();
    this.#cancelResend = this.#schedule(() => {
      this.#cancelResend = null;
      if (this.#online && this.#ops.inflight) this.#sendInflight();
    }, ms);
  }

  #cancelRetry(): void {
    this.#cancelResend?.();
    this.#cancelResend = null;
  }

  /** Sends the selection when nothing is unacknowledged, so its positions are those of `version`. */
  #sendCursorIfIdle(): void {
    if (!this.#cursorDirty || !this.#online || this.#ops.any) return;
    this.#cursorDirty = false;
    this.#send!({ type: "cursor", v: this.#version!, sel: this.#selection });
  }

  #report(code: string, message: string, dropped: boolean): void {
    this.#events.problem?.({ code, message, dropped });
    this.#emitStatus();
  }

  #emitStatus(): void {
    const status = this.status;
    const key = `${status.connection}:${status.unacknowledged}`;
    if (key === this.#lastStatus) return;
    this.#lastStatus = key;
    this.#events.status?.(status);
  }
}

const sameSelection = (a: Selection, b: Selection) => a.anchor === b.anchor && a.head === b.head;
