/**
 * The open documents of this process: one DocumentSession (and one Room for its sockets) per document,
 * so this process sequences each document in memory. Sessions open lazily from the store; the Map holds
 * the opening promise, so two concurrent first requests share one session instead of racing to build two.
 * Documents nobody is connected to are closed after `idleMs` without use (or the oldest first beyond
 * `maxOpen`), so memory follows the working set, not every document ever touched.
 */
import type { Logger } from "../shared/logger.ts";
import { CLOSE } from "./protocol.ts";
import { Room, type RoomOptions } from "./room.ts";
import { DocumentSession, type SessionOptions } from "./session.ts";
import type { SessionStore } from "./session-store.ts";

/**
 * How a replica hears that another one appended to a document (Redis pub/sub on Node). `watch` calls
 * `changed` whenever the document's op log grew elsewhere, and once more when it starts listening (an
 * op stored while it subscribed is not missed); it returns the function that stops it.
 */
export interface Replication {
  watch(docId: string, changed: () => void): () => void;
}

export interface RegistryOptions {
  session?: SessionOptions;
  room?: RoomOptions;
  replication?: Replication;
  /** Close a document nobody is connected to after this long without use (default 10 minutes). */
  idleMs?: number;
  /** Most documents open at once; beyond it the least recently used idle ones close (default 1,000). */
  maxOpen?: number;
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
    const session = await DocumentSession.create(id, this.#store, content, this.#options.session);
    this.#add(id, Promise.resolve(session));
    return session;
  }

  get(id: string): Promise<DocumentSession> {
    const open = this.#open.get(id);
    if (open) {
      open.lastUsed = this.#now();
      return open.session;
    }
    const opening = DocumentSession.open(id, this.#store, this.#options.session);
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
    const { replication } = this.#options;
    if (replication) {
      open.unwatch = replication.watch(id, () => {
        session
          .then((s) => s.catchUp())
          .catch((error) => this.#options.log?.warn("docs catch-up failed", { doc: id, err: String(error) }));
      });
    }
  }
}
