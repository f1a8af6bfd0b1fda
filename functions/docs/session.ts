/**
 * The sequencer of one document, shared by the Durable Object and the Node runtime: it orders
 * submissions, transforms stale ones, applies them to a rope and acknowledges an op only after the
 * store has made it durable. Pure logic around a storage port (session-store.ts); no I/O of its own.
 */
import { lengthDelta, OpError, type TextOp, transform } from "./ot/index.ts";
import { Rope, RopeError } from "./rope/index.ts";
import { checkOp } from "./rope/op.ts";
import { checkOpSize, checkSubmission, SessionError } from "./session-error.ts";
import { type SessionStore, StoreConflictError, type StoredOp } from "./session-store.ts";

import {
  type Ack,
  type AppliedListener,
  SESSION_DEFAULTS,
  type SessionOptions,
  type Submission,
} from "./session-types.ts";

export { SessionError, type SessionErrorCode } from "./session-error.ts";
export type * from "./session-types.ts";

/** How many times a submission catches up and retries when another replica took its version first. */
const APPEND_ATTEMPTS = 20;

// seq is an integer, so "seq:src" cannot collide for different pairs.
const dedupeKey = (src: string, seq: number) => `${seq}:${src}`;

export class DocumentSession {
  readonly docId: string;
  readonly #store: SessionStore;
  readonly #limits: Required<Omit<SessionOptions, "onError">>;
  readonly #onError: (error: unknown) => void;
  readonly #rope: Rope;
  #version: number;
  /** Recent ops; `#recent[i]` was applied at version `#recentBase + i`. Trimmed lazily to the window. */
  #recent: StoredOp[] = [];
  #recentBase: number;
  /** (src, seq) of every op in `#recent` → the version its ack gave. */
  readonly #applied = new Map<string, number>();
  #snapshotVersion: number;
  /** Every submission and snapshot runs after the previous one: one document, one sequence. */
  #tail: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<AppliedListener>();

  private constructor(
    docId: string,
    store: SessionStore,
    rope: Rope,
    version: number,
    options: SessionOptions,
  ) {
    this.docId = docId;
    this.#store = store;
    const { onError, ...limits } = options;
    this.#limits = { ...SESSION_DEFAULTS, ...limits };
    for (const [name, value] of Object.entries(this.#limits)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`session option ${name} must be a positive integer, got ${value}`);
      }
    }
    this.#onError = onError ?? (() => {});
    this.#rope = rope;
    this.#version = version;
    this.#recentBase = version;
    this.#snapshotVersion = version;
  }

  /** Creates a document at version 0 in the store and opens it. */
  static async create(
    docId: string,
    store: SessionStore,
    content = "",
    options: SessionOptions = {},
  ): Promise<DocumentSession> {
    let rope: Rope;
    try {
      rope = Rope.from(content);
    } catch (error) {
      throw new SessionError("invalid_submission", `content: ${(error as Error).message}`);
    }
    const session = new DocumentSession(docId, store, rope, 0, options);
    if (rope.length > session.#limits.maxDocumentLength) {
      throw new SessionError(
        "document_too_large",
        `content has ${rope.length} code points, more than maxDocumentLength (${session.#limits.maxDocumentLength})`,
      );
    }
    try {
      await store.create(docId, content);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new SessionError("already_exists", `document ${docId} already exists`, error);
      }
      throw error;
    }
    return session;
  }

  /** Rebuilds a document from the store: its latest snapshot, the ops after it, and the recent window. */
  static async open(
    docId: string,
    store: SessionStore,
    options: SessionOptions = {},
  ): Promise<DocumentSession> {
    const loaded = await store.load(docId);
    if (loaded === null) throw new SessionError("not_found", `document ${docId} does not exist`);
    const { snapshot, ops } = loaded;
    const session = new DocumentSession(docId, store, Rope.from(snapshot.content), snapshot.version, options);
    // Ops from before the snapshot too, so stale submissions and resends across a restart still work.
    const want = session.#limits.historyWindow - ops.length;
    const from = Math.max(0, snapshot.version - Math.max(0, want));
    const earlier = from < snapshot.version ? await store.ops(docId, from, snapshot.version) : [];
    session.#recentBase = snapshot.version - earlier.length;
    for (const entry of earlier) session.#remember(entry);
    session.#applyStored(ops);
    return session;
  }

  get version(): number {
    return this.#version;
  }

  /** Length of the document in code points. */
  get length(): number {
    return this.#rope.length;
  }

  text(): string {
    return this.#rope.toString();
  }

  /** Resolves when every submission and snapshot queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }

  /**
   * Calls `listener` with every op applied from now on, synchronously at the moment it is applied (so a
   * listener sees them in version order, interleaved correctly with anything it reads from the session).
   * Returns the function that removes it.
   */
  onApplied(listener: AppliedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The ops applied at versions `from..version-1`, from memory, or null when `from` is outside the window
   * the session keeps (then read the store, or send the whole text).
   */
  opsSince(from: number): StoredOp[] | null {
    if (!Number.isSafeInteger(from) || from < this.#recentBase || from > this.#version) return null;
    return this.#recent.slice(from - this.#recentBase);
  }

  /**
   * Applies ops that another replica stored (the store is the authority on order). Queued like a
   * submission; resolves with how many ops were applied.
   */
  catchUp(): Promise<number> {
    const result = this.#tail.then(() => this.#catchUp());
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Sequences one submission: validates it, transforms it against every op since `v` (one at a time),
   * stores it, applies it, and resolves with the ack. Rejects with a SessionError, leaving the document
   * unchanged. Submissions run one after another, in the order of the calls.
   */
  submit(submission: Submission): Promise<Ack> {
    const result = this.#tail.then(() => this.#sequence(submission));
    this.#tail = result.then(
      () => this.#snapshotIfDue(),
      () => undefined,
    );
    return result;
  }

  /** Stored ops from version `from` on (for GET …/history?from=v). */
  async history(from: number, to?: number): Promise<StoredOp[]> {
    if (!Number.isSafeInteger(from) || from < 0 || from > this.#version) {
      throw new SessionError(
        "invalid_submission",
        `from must be an integer in 0..${this.#version}, got ${from}`,
      );
    }
    return this.#store.ops(this.docId, from, to);
  }

  async #sequence({ v, op: raw, src, seq }: Submission): Promise<Ack> {
    checkSubmission(v, src, seq);
    // A replica that has not heard of the newest ops yet reads them before calling the client wrong.
    if (v > this.#version) await this.#tryCatchUp();
    if (v > this.#version) {
      throw new SessionError("version_ahead", `v ${v} is above the document's version ${this.#version}`);
    }
    const known = this.#applied.get(dedupeKey(src, seq));
    if (known !== undefined) return { version: known, duplicate: true };
    let op = checkOpSize(raw, this.#limits);
    let at = v; // `op` is written against version `at`
    if (at < this.#recentBase) {
      const older = await this.#olderOps(at);
      // The window forgot these (src, seq): a resend of one of them is found among the ops read back.
      const earlier = older.find((entry) => entry.src === src && entry.seq === seq);
      if (earlier) return { version: earlier.v + 1, duplicate: true };
      op = transformAll(op, older);
      at = this.#recentBase;
    }
    for (let attempt = 1; ; attempt++) {
      op = this.#rebase(op, at);
      at = this.#version;
      const entry: StoredOp = { v: at, op, src, seq };
      try {
        await this.#store.append(this.docId, at, { op, src, seq });
      } catch (error) {
        // Another replica stored this version first: apply what it stored, then transform again.
        if (
          error instanceof StoreConflictError &&
          attempt < APPEND_ATTEMPTS &&
          (await this.#tryCatchUp()) > 0
        ) {
          const again = this.#applied.get(dedupeKey(src, seq));
          if (again !== undefined) return { version: again, duplicate: true };
          continue;
        }
        throw new SessionError(
          "storage_failed",
          `op not stored, not applied: ${(error as Error).message}`,
          error,
        );
      }
      // Durable: only now does the in-memory state move (the op was checked above, so this cannot throw).
      this.#apply(entry);
      return { version: this.#version, op };
    }
  }

  /** Transforms `op`, written against version `at`, to the current version and checks it applies there. */
  #rebase(op: TextOp, at: number): TextOp {
    const rebased = transformAll(op, this.#recent.slice(at - this.#recentBase));
    try {
      checkOp(rebased, this.#rope.length, (pos, count) => this.#rope.slice(pos, count));
    } catch (error) {
      if (!(error instanceof OpError || error instanceof RopeError)) throw error;
      throw new SessionError("invalid_op", `op does not apply at version ${this.#version}: ${error.message}`);
    }
    const newLength = this.#rope.length + lengthDelta(rebased);
    if (newLength > this.#limits.maxDocumentLength) {
      throw new SessionError(
        "document_too_large",
        `the document would have ${newLength} code points, more than maxDocumentLength (${this.#limits.maxDocumentLength})`,
      );
    }
    return rebased;
  }

  /** The stored ops from `from` to the start of the memory window, or `too_old` beyond maxStoreRebase. */
  async #olderOps(from: number): Promise<StoredOp[]> {
    if (this.#recentBase - from > this.#limits.maxStoreRebase) {
      throw new SessionError(
        "too_old",
        `v ${from} is too old: the session transforms against at most ${this.#limits.maxStoreRebase} ops before version ${this.#recentBase}; resync`,
      );
    }
    try {
      return await this.#store.ops(this.docId, from, this.#recentBase);
    } catch (error) {
      throw new SessionError("storage_failed", `history not read: ${(error as Error).message}`, error);
    }
  }

  /** Applies the store's ops after this session's version; returns how many. */
  async #catchUp(): Promise<number> {
    const ops = await this.#store.ops(this.docId, this.#version);
    this.#applyStored(ops);
    return ops.length;
  }

  /** #catchUp for the conflict path: a store that fails to answer counts as nothing caught up. */
  async #tryCatchUp(): Promise<number> {
    try {
      return await this.#catchUp();
    } catch (error) {
      this.#onError(error);
      return 0;
    }
  }

  /** Applies ops read from the store, which must continue this session's version without a gap. */
  #applyStored(ops: StoredOp[]): void {
    for (const entry of ops) {
      if (entry.v !== this.#version) {
        throw new Error(
          `store for ${this.docId}: op at version ${entry.v} where ${this.#version} was expected`,
        );
      }
      this.#apply(entry);
    }
  }

  #apply(entry: StoredOp): void {
    this.#rope.applyOp(entry.op);
    this.#version++;
    this.#remember(entry);
    this.#trim();
    for (const listener of this.#listeners) listener(entry);
  }

  #remember(entry: StoredOp): void {
    this.#recent.push(entry);
    this.#applied.set(dedupeKey(entry.src, entry.seq), entry.v + 1);
  }

  /**
   * Drops ops older than the window once there are twice as many (amortized O(1) per op). Forgetting
   * their (src, seq) is safe: a resend of one of them has a `v` at or below its version, so it is read
   * back from the store with the ops it must be transformed against, and recognised there.
   */
  #trim(): void {
    const window = this.#limits.historyWindow;
    if (this.#recent.length <= 2 * window) return;
    const drop = this.#recent.length - window;
    for (const entry of this.#recent.slice(0, drop)) this.#applied.delete(dedupeKey(entry.src, entry.seq));
    this.#recent = this.#recent.slice(drop);
    this.#recentBase += drop;
  }

  async #snapshotIfDue(): Promise<void> {
    if (this.#version - this.#snapshotVersion < this.#limits.snapshotEvery) return;
    const version = this.#version;
    try {
      await this.#store.snapshot(this.docId, version, this.#rope.toString());
      this.#snapshotVersion = version;
    } catch (error) {
      this.#onError(error); // the ops are stored; the next submission tries again
    }
  }
}

/**
 * `op` transformed through `ops`, one at a time (a composed history would not transform the same way).
 * Cannot throw: `op` is normalized, and transform accepts any pair of normalized ops.
 */
function transformAll(op: TextOp, ops: readonly StoredOp[]): TextOp {
  let rebased = op;
  for (const entry of ops) rebased = transform(rebased, entry.op, "left");
  return rebased;
}
