/**
 * The storage port of a Docs session (session.ts): an append-only op log per document plus snapshots.
 * Adapters (libSQL, Durable Object SQLite, Redis) implement it; MemorySessionStore is the in-process one
 * used by tests, the benchmark and a single Node process without a database.
 */
import type { TextOp } from "./ot/index.ts";

/** What a session appends: the op as applied (already transformed) and who sent it. */
export interface OpEntry {
  op: TextOp;
  src: string;
  seq: number;
}

/** A stored op. `v` is the version it was applied at: it turns version `v` into `v + 1`. */
export interface StoredOp extends OpEntry {
  v: number;
}

export interface Snapshot {
  version: number;
  content: string;
}

/** The latest snapshot and every op stored after it, in order. */
export interface LoadedDocument {
  snapshot: Snapshot;
  ops: StoredOp[];
}

/** The store's sequencing check failed: the document does not exist, or it already has that version. */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
}

export interface SessionStore {
  /** Creates a document at version 0. Rejects with StoreConflictError when `docId` exists. */
  create(docId: string, content: string): Promise<void>;
  /**
   * Appends the op that turns `version` into `version + 1`. Resolves only once it is durable; rejects
   * with StoreConflictError unless `version` is exactly the document's next version (atomic sequencing).
   */
  append(docId: string, version: number, entry: OpEntry): Promise<void>;
  /** The latest snapshot and the ops after it, or null for an unknown document. */
  load(docId: string): Promise<LoadedDocument | null>;
  /** Records the content at `version` (compaction). Older ops stay: they are the history. */
  snapshot(docId: string, version: number, content: string): Promise<void>;
  /** Stored ops with `from <= v < to` (to: the end), in order. */
  ops(docId: string, from: number, to?: number): Promise<StoredOp[]>;
  /** Deletes the document's snapshot and op log; an unknown document is not an error. */
  remove(docId: string): Promise<void>;
}

interface MemoryDocument {
  snapshot: Snapshot;
  ops: StoredOp[];
}

/** Everything in a Map: "durable" for the life of the process. */
export class MemorySessionStore implements SessionStore {
  readonly #docs = new Map<string, MemoryDocument>();

  async create(docId: string, content: string): Promise<void> {
    if (this.#docs.has(docId)) throw new StoreConflictError(`document ${docId} already exists`);
    this.#docs.set(docId, { snapshot: { version: 0, content }, ops: [] });
  }

  async append(docId: string, version: number, entry: OpEntry): Promise<void> {
    const doc = this.#get(docId);
    if (version !== doc.ops.length) {
      throw new StoreConflictError(`document ${docId} is at version ${doc.ops.length}, not ${version}`);
    }
    doc.ops.push({ v: version, op: entry.op, src: entry.src, seq: entry.seq });
  }

  async load(docId: string): Promise<LoadedDocument | null> {
    const doc = this.#docs.get(docId);
    if (doc === undefined) return null;
    return { snapshot: { ...doc.snapshot }, ops: doc.ops.slice(doc.snapshot.version) };
  }

  async snapshot(docId: string, version: number, content: string): Promise<void> {
    const doc = this.#get(docId);
    if (!Number.isInteger(version) || version < 0 || version > doc.ops.length) {
      throw new StoreConflictError(`document ${docId} has no version ${version} (at ${doc.ops.length})`);
    }
    // A late writer must not move the snapshot backwards.
    if (version >= doc.snapshot.version) doc.snapshot = { version, content };
  }

  async ops(docId: string, from: number, to?: number): Promise<StoredOp[]> {
    return this.#get(docId).ops.slice(from, to);
  }

  async remove(docId: string): Promise<void> {
    this.#docs.delete(docId);
  }

  #get(docId: string): MemoryDocument {
    const doc = this.#docs.get(docId);
    if (doc === undefined) throw new StoreConflictError(`document ${docId} does not exist`);
    return doc;
  }
}
