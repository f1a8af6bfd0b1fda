/**
 * A simulated editor client for sequencer tests, with the usual OT client discipline: one op in flight,
 * later local edits composed into one pending op, remote ops transformed against both before they apply.
 * The client's op is the "left" one, matching the server (session.ts transforms submissions with "left").
 */
import { apply, compose, type TextOp, transform } from "../ot/index.ts";
import type { Ack, Submission } from "../session.ts";

export type ServerMessage = { kind: "ack"; ack: Ack } | { kind: "op"; op: TextOp };

export class SimClient {
  text: string;
  /** Server ops this client has seen, its own acknowledged ones included. */
  version: number;
  inflight: TextOp | null = null;
  pending: TextOp | null = null;
  #seq = 0;
  /** Submissions waiting for the server, in order. */
  readonly outbox: Submission[] = [];
  /** Messages from the server waiting for the client, in order. */
  readonly inbox: ServerMessage[] = [];

  constructor(
    readonly src: string,
    text: string,
    version: number,
  ) {
    this.text = text;
    this.version = version;
  }

  /** A local edit: applied at once, sent when nothing is in flight. */
  edit(op: TextOp): void {
    this.text = apply(this.text, op);
    this.pending = this.pending === null ? op : compose(this.pending, op);
    this.#flush();
  }

  /** Handles the next server message; false when there is none. */
  receive(): boolean {
    const message = this.inbox.shift();
    if (message === undefined) return false;
    if (message.kind === "ack") {
      if (message.ack.version !== this.version + 1) {
        throw new Error(`${this.src}: ack for version ${message.ack.version}, expected ${this.version + 1}`);
      }
      this.version++;
      this.inflight = null;
      this.#flush();
      return true;
    }
    let remote = message.op;
    if (this.inflight !== null) {
      const mine = transform(this.inflight, remote, "left");
      remote = transform(remote, this.inflight, "right");
      this.inflight = mine;
    }
    if (this.pending !== null) {
      const mine = transform(this.pending, remote, "left");
      remote = transform(remote, this.pending, "right");
      this.pending = mine;
    }
    this.text = apply(this.text, remote);
    this.version++;
    return true;
  }

  get settled(): boolean {
    return (
      this.inflight === null && this.pending === null && this.inbox.length === 0 && this.outbox.length === 0
    );
  }

  #flush(): void {
    if (this.inflight !== null || this.pending === null) return;
    this.inflight = this.pending;
    this.pending = null;
    this.outbox.push({ v: this.version, op: this.inflight, src: this.src, seq: this.#seq++ });
  }
}

/** The server side of the simulation: sequences `from`'s oldest submission and fans the result out. */
export async function serveOne(
  session: { submit(submission: Submission): Promise<Ack> },
  clients: readonly SimClient[],
  from: SimClient,
): Promise<void> {
  const submission = from.outbox.shift();
  if (submission === undefined) return;
  const ack = await session.submit(submission);
  from.inbox.push({ kind: "ack", ack });
  if (ack.duplicate) return;
  for (const client of clients) if (client !== from) client.inbox.push({ kind: "op", op: ack.op });
}
