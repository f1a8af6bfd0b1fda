/**
 * An in-process network between DocumentSync clients and a real Room + DocumentSession: every frame is
 * JSON text queued per socket (FIFO, as on a WebSocket) and delivered only when a test says so, so tests
 * choose the interleaving. Dropping a socket loses whatever is still queued on it, both ways. Time is a
 * fake clock that drives the Room's rate limit and the clients' resend timers.
 */

import type { Role } from "../../roles.ts";
import type { Peer } from "../../room.ts";
import { Room, type RoomOptions } from "../../room.ts";
import { DocumentSession, type SessionOptions } from "../../session.ts";
import { MemorySessionStore, type SessionStore } from "../../session-store.ts";
import { DocumentSync, type SyncProblem, type SyncStatus, type TextChange } from "../sync.ts";

/** A fake clock with timers: `advance` runs what falls due, in order. */
export class FakeClock {
  now = 0;
  #timers: { at: number; id: number; task: () => void }[] = [];
  #nextId = 0;

  schedule = (task: () => void, ms: number): (() => void) => {
    const id = this.#nextId++;
    this.#timers.push({ at: this.now + ms, id, task });
    return () => {
      this.#timers = this.#timers.filter((timer) => timer.id !== id);
    };
  };

  get pending(): number {
    return this.#timers.length;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > until) break;
      this.#timers.shift();
      this.now = next.at;
      next.task();
    }
    this.now = until;
  }
}

/** One WebSocket: frames queued each way until delivered. */
export interface Link {
  open: boolean;
  /** The client has been told the socket closed. */
  noticed: boolean;
  readonly peer: Peer;
  readonly toServer: string[];
  readonly toClient: string[];
}

export class SimUser {
  link: Link | null = null;
  readonly problems: SyncProblem[] = [];
  readonly changes: TextChange[] = [];
  readonly statuses: SyncStatus[] = [];
  peerEvents = 0;
  restarts = 0;
  readonly sync: DocumentSync;

  constructor(
    readonly user: string,
    readonly role: Role,
    src: string,
    clock: FakeClock,
  ) {
    this.sync = new DocumentSync({
      src,
      schedule: clock.schedule,
      events: {
        problem: (problem) => this.problems.push(problem),
        change: (change) => this.changes.push(change),
        status: (status) => this.statuses.push(status),
        peers: () => this.peerEvents++,
        restart: () => {
          this.restarts++;
          // The editor closes the socket it gave up on; the server sees it go.
          if (this.link?.open) this.link.open = false;
        },
      },
    });
  }

  get online(): boolean {
    return this.sync.status.connection === "online";
  }
}

export interface NetworkOptions {
  content?: string;
  session?: SessionOptions;
  room?: Omit<RoomOptions, "now">;
}

export class SimNetwork {
  readonly clock = new FakeClock();
  readonly store: SessionStore = new MemorySessionStore();
  session!: DocumentSession;
  room!: Room;
  /** Room.receive calls still running (the session stores asynchronously). */
  readonly #receiving = new Set<Promise<void>>();

  private constructor(readonly options: NetworkOptions) {}

  static async create(options: NetworkOptions = {}): Promise<SimNetwork> {
    const network = new SimNetwork(options);
    network.session = await DocumentSession.create(
      "doc",
      network.store,
      options.content ?? "",
      options.session,
    );
    network.room = new Room(network.session, { ...options.room, now: () => network.clock.now });
    return network;
  }

  user(name: string, role: Role = "editor", src = `${name}-src`): SimUser {
    return new SimUser(name, role, src, this.clock);
  }

  /** Opens a socket for `user`, as a browser does: connect with the sync's query, then the server's join. */
  connect(user: SimUser): Link {
    const query = user.sync.connectQuery();
    const link: Link = {
      open: true,
      noticed: false,
      toServer: [],
      toClient: [],
      peer: {
        id: query.src,
        user: user.user,
        role: user.role,
        send: (message) => {
          if (link.open) link.toClient.push(JSON.stringify(message));
        },
        close: () => {
          link.open = false;
        },
      },
    };
    user.link = link;
    user.sync.connected((message) => {
      if (link.open) link.toServer.push(JSON.stringify(message));
    });
    this.room.join(link.peer, query.v);
    return link;
  }

  /** The socket goes away: frames still queued on it are lost, both ways. */
  drop(user: SimUser): void {
    const link = user.link;
    if (!link) return;
    link.open = false;
    this.#notice(user);
  }

  /** Tells the client and the room that a closed socket is gone. */
  #notice(user: SimUser): void {
    const link = user.link!;
    if (link.noticed) return;
    link.noticed = true;
    link.toServer.length = 0;
    link.toClient.length = 0;
    this.room.leave(link.peer);
    user.sync.disconnected();
    user.link = null;
  }

  /** Delivers the oldest frame from `user` to the server; false when there is none. */
  toServer(user: SimUser): boolean {
    const link = user.link;
    if (!link) return false;
    if (!link.open) {
      this.#notice(user);
      return false;
    }
    const frame = link.toServer.shift();
    if (frame === undefined) return false;
    const receiving = this.room.receive(link.peer, frame);
    this.#receiving.add(receiving);
    void receiving.finally(() => this.#receiving.delete(receiving));
    return true;
  }

  /** Delivers the oldest frame from the server to `user`; false when there is none. */
  toClient(user: SimUser): boolean {
    const link = user.link;
    if (!link) return false;
    const frame = link.toClient.shift();
    if (frame === undefined) {
      if (!link.open) this.#notice(user); // the close arrives after the frames sent before it
      return false;
    }
    user.sync.receive(JSON.parse(frame));
    return true;
  }

  /** Waits for the server to finish every message it was handed. */
  async settle(): Promise<void> {
    while (this.#receiving.size > 0) await Promise.all(this.#receiving);
    await this.session.idle();
  }

  /** The server restarts: every socket closes, and the document comes back from the store alone. */
  async restartServer(): Promise<void> {
    this.room.close(1001, "restart");
    await this.settle();
    this.session = await DocumentSession.open("doc", this.store, this.options.session);
    this.room = new Room(this.session, { ...this.options.room, now: () => this.clock.now });
  }
}
