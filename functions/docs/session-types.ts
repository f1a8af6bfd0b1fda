/** The sequencer's options and the shapes it takes and answers with (session.ts). */
import type { TextOp } from "./ot/index.ts";
import type { StoredOp } from "./session-store.ts";

export interface SessionOptions {
  /** Longest document, in code points (default 1,000,000). */
  maxDocumentLength?: number;
  /** Most components in one op (default 10,000). */
  maxOpComponents?: number;
  /** Most code points one op may insert (default 100,000). */
  maxInsertLength?: number;
  /** How many recent ops stay in memory to transform stale submissions against (default 10,000). */
  historyWindow?: number;
  /**
   * How far behind the memory window a submission may be (default 10,000 ops): those ops are read back
   * from the store to transform it. Older ones are refused with `too_old` (the client must resync).
   */
  maxStoreRebase?: number;
  /** Write a snapshot through the store every this many ops (default 1,000). */
  snapshotEvery?: number;
  /** Told about failures that reject no submission (a snapshot that could not be written). */
  onError?: (error: unknown) => void;
}

export const SESSION_DEFAULTS = {
  maxDocumentLength: 1_000_000,
  maxOpComponents: 10_000,
  maxInsertLength: 100_000,
  historyWindow: 10_000,
  maxStoreRebase: 10_000,
  snapshotEvery: 1_000,
};

/** What a client sends: an op written against version `v`, the `seq`-th op of the client `src`. */
export interface Submission {
  v: number;
  op: unknown;
  src: string;
  seq: number;
}

/** The op was applied; the document is now at `version`. `op` is what it became after transformation. */
export interface Applied {
  version: number;
  op: TextOp;
  duplicate?: never;
}

/** `(src, seq)` was applied before: nothing changed, `version` is the one the first ack gave. */
export interface Duplicate {
  version: number;
  duplicate: true;
  op?: never;
}

export type Ack = Applied | Duplicate;

/** Told about every op the session applies, in version order: submitted here or caught up from the store. */
export type AppliedListener = (entry: StoredOp) => void;
