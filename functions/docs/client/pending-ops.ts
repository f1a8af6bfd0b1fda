/**
 * A client's edits the server has not applied yet, with ShareDB's discipline: at most one op in flight
 * (sent, not acknowledged) and every later edit composed into one pending op. A server op is applied
 * locally only after being transformed past both, and both are transformed past it. The client's ops
 * take the "left" side, as the server's sequencer transforms submissions, so both sides agree.
 */
import { compose, isNoop, type TextOp, transform } from "../ot/index.ts";

export interface InFlight {
  readonly op: TextOp;
  /** Its number among the client's ops; a resend keeps it, so the server never applies it twice. */
  readonly seq: number;
}

export class PendingOps {
  #inflight: InFlight | null = null;
  #pending: TextOp | null = null;
  #nextSeq = 0;

  get inflight(): InFlight | null {
    return this.#inflight;
  }

  /** Any edit not yet acknowledged. */
  get any(): boolean {
    return this.#inflight !== null || this.#pending !== null;
  }

  /** In flight, then pending: what separates the server's text from the local one. */
  get unapplied(): TextOp[] {
    return [this.#inflight?.op, this.#pending].filter((op): op is TextOp => op != null);
  }

  /** A local edit on top of everything before it. */
  add(op: TextOp): void {
    const pending = this.#pending === null ? op : compose(this.#pending, op);
    this.#pending = isNoop(pending) ? null : pending;
  }

  /** Puts the pending op in flight when nothing is; returns it (to send), or null. */
  launch(): InFlight | null {
    if (this.#inflight || this.#pending === null) return null;
    this.#inflight = { op: this.#pending, seq: this.#nextSeq++ };
    this.#pending = null;
    return this.#inflight;
  }

  /** The in-flight op was applied by the server; returns it. */
  acknowledge(): TextOp {
    const { op } = this.#inflight!;
    this.#inflight = null;
    return op;
  }

  /** Transforms both past a server op; returns that op as it applies to the local text. */
  rebase(remote: TextOp): TextOp {
    let op = remote;
    if (this.#inflight) {
      const mine = transform(this.#inflight.op, op, "left");
      op = transform(op, this.#inflight.op, "right");
      this.#inflight = { op: mine, seq: this.#inflight.seq };
    }
    if (this.#pending) {
      const mine = transform(this.#pending, op, "left");
      op = transform(op, this.#pending, "right");
      this.#pending = mine;
    }
    return op;
  }

  /** Throws every unacknowledged edit away (seq numbers are never reused); true when there were any. */
  drop(): boolean {
    const had = this.any;
    this.#inflight = null;
    this.#pending = null;
    return had;
  }
}
