/**
 * The open documents of this process: one DocumentSession (and one Room for its sockets) per document,
 * so this process sequences each document in memory. Sessions open lazily from the store; the Map holds
 * the opening promise, so two concurrent first requests share one session instead of racing to build two.
 * Documents nobody is connected to are closed after `idleMs` without use (or the oldest first beyond
 * `maxOpen`), so memory follows the working set, not every document ever touched. With several replicas
 * (Replication), a deletion or a role change made on one closes the affected sockets on every other.
 */
import type { Logger } from "../shared/logger.ts";
import { CLOSE } from "./protocol.ts";
import { Room, type RoomOptions } from "./room.ts";
import { DocumentSession, type SessionOptions } from "./session.ts";
import type { SessionStore, StoredOp } from "./session-store.ts";

/** What one replica tells the others about a document, besides new ops. */
export type ReplicationEvent = { kind: "deleted" } | { kind: "role"; user: string };

/**
 * How replicas hear about each other's work on a document (Redis pub/sub on Node). `watch` calls
 * `changed` whenever the document's op log grew elsewhere, and once more when it starts listening (an
 * op stored while it subscribed is not missed), and `event` for what `publish` sent from another
 * replica; it returns the function that stops it. `publish` reaches the other replicas only: the
 * caller has already acted on its own.
 */
export interface Replication {
  watch(docId: string, changed: () => void, event?: (event: ReplicationEvent) => void): () => void;
  publish(docId: string, event: ReplicationEvent): Promise<void>;
}

export interface RegistryOptions {
  session?: SessionOptions;
  room?: RoomOptions;
  replication?: Replication;
  /** Close a document nobody is connected to after this long without use (default 10 minutes). */
  idleMs?: number;
  /** Most documents open at once; beyond it the least recently used idle ones close (default 1,000). */
  maxOpen?: number;
  /**
   * Told about every op an open document applies (from a socket, over HTTP or from another replica),
   * e.g. to record when it was last edited. Synchronous; it must not throw (errors are logged).
   */
  onApplied?: (docId: string, entry: StoredOp) => void;
  now?: () => number;
  log?: Logger;
}

interface OpenDocument {
  session: Promise<DocumentSession>;
  room?: Room;
  lastUsed: number;
  unwatch?: () => void;
}

export class SessionRegistry {
  readonly #open = new Map<string, OpenDocument>();
  readonly #store: SessionStore;
  readonly #options: RegistryOptions;
  readonly #now: () => number;

  constructor(store: SessionStore, options: RegistryOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async create(id: string, content: string): Promise<DocumentSession> {
    const session = this.#listen(
      id,
      await DocumentSession.create(id, this.#store, content, this.#options.session),
    );
    this.#add(id, Promise.resolve(session));
    return session;
  }

  get(id: string): Promise<DocumentSession> {
    const open = this.#open.get(id);
    if (open) {
      open.lastUsed = this.#now();
      return open.session;
    }
    const opening = DocumentSession.open(id, this.#store, this.#options.session).then((session) =>
      this.#listen(id, session),
    );
    this.#add(id, opening);
    // A failed open is not cached: the next request tries again.
    opening.catch(() => {
      if (this.#open.get(id)?.session === opening) this.forget(id);
    });
    return opening;
  }

  /** The document's room (its sockets), made on first use. */
  async room(id: string): Promise<Room> {
    const session = await this.get(id);
    const open = this.#open.get(id);
    if (!open) throw new Error(`document ${id} closed while opening`);
    open.room ??= new Room(session, { log: this.#options.log, ...this.#options.room });
    return open.room;
  }

  /** Closes the document here: its sockets are told `code` and it stops hearing other replicas. */
  forget(id: string, code: number = CLOSE.goingAway, reason = "document closed"): void {
    const open = this.#open.get(id);
    if (!open) return;
    this.#open.delete(id);
    open.unwatch?.();
    open.room?.close(code, reason);
  }

  /** Closes the sockets of `user` on the document, if it is open here; returns how many. */
  disconnectUser(
    id: string,
    user: string,
    code: number = CLOSE.roleChanged,
    reason = "your role changed",
  ): number {
    return this.#open.get(id)?.room?.disconnectUser(user, code, reason) ?? 0;
  }

  /**
   * Tells the other replicas (none without replication). Never throws: what it reports already
   * happened, so a failed publish is logged; while Redis is down no replica can append ops anyway.
   */
  async publish(id: string, event: ReplicationEvent): Promise<void> {
    try {
      await this.#options.replication?.publish(id, event);
    } catch (error) {
      this.#options.log?.error("docs: telling other replicas failed", { doc: id, event, err: String(error) });
    }
  }

  /** Closes idle documents: unused for idleMs with no one connected, then the oldest beyond maxOpen. */
  evictIdle(): number {
    const now = this.#now();
    const idleMs = this.#options.idleMs ?? 10 * 60_000;
    const idle = [...this.#open].filter(([, open]) => !open.room?.size);
    let evicted = 0;
    for (const [id, open] of idle) {
      if (now - open.lastUsed >= idleMs) {
        this.forget(id);
        evicted++;
      }
    }
    const over = this.#open.size - (this.#options.maxOpen ?? 1000);
    if (over > 0) {
      const oldest = idle.filter(([id]) => this.#open.has(id)).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
      for (const [id] of oldest.slice(0, over)) {
        this.forget(id);
        evicted++;
      }
    }
    return evicted;
  }

  /** Closes every document (shutdown). */
  closeAll(code: number = CLOSE.goingAway, reason = "server shutting down"): void {
    for (const id of [...this.#open.keys()]) this.forget(id, code, reason);
  }

  get size(): number {
    return this.#open.size;
  }

  #add(id: string, session: Promise<DocumentSession>): void {
    const open: OpenDocument = { session, lastUsed: this.#now() };
    this.#open.set(id, open);
    const { replication, log } = this.#options;
    if (replication) {
      const changed = () => {
        session
          .then((s) => s.catchUp())
          .catch((error) => log?.warn("docs catch-up failed", { doc: id, err: String(error) }));
      };
      open.unwatch = replication.watch(id, changed, (event) => this.#heard(id, event));
    }
  }

  /** Another replica deleted the document or changed a user's role: do the same to the sockets here. */
  #heard(id: string, event: ReplicationEvent): void {
    if (event.kind === "deleted") this.forget(id, CLOSE.deleted, "document deleted");
    else this.disconnectUser(id, event.user);
  }

  /** Hooks `onApplied` to a session before anyone gets it, so no op goes unreported. */
  #listen(id: string, session: DocumentSession): DocumentSession {
    const { onApplied, log } = this.#options;
    if (!onApplied) return session;
    session.onApplied((entry) => {
      try {
        onApplied(id, entry);
      } catch (error) {
        log?.error("docs onApplied failed", { doc: id, err: String(error) });
      }
    });
    return session;
  }
}
