/** What DocumentSync (sync.ts) tells its UI, and how it is set up. */
import type { TextOp } from "../ot/index.ts";

export type Connection = "offline" | "connecting" | "online";

export interface SyncStatus {
  /** offline: no socket; connecting: a socket, waiting for `init`; online: in step with the server. */
  connection: Connection;
  /** Local edits the server has not acknowledged yet (in flight or queued). */
  unacknowledged: boolean;
}

/** The text changed under the user: someone else's op (in local coordinates), or the server's whole text. */
export interface TextChange {
  kind: "remote" | "reset";
  /** The op that turned the previous text into `text` (for a reset, a diff). */
  op: TextOp;
  text: string;
}

export interface SyncProblem {
  code: string;
  message: string;
  /** True when local edits were thrown away (they could not be rebased onto the server's text). */
  dropped: boolean;
}

export interface SyncEvents {
  change?(change: TextChange): void;
  peers?(): void;
  status?(status: SyncStatus): void;
  problem?(problem: SyncProblem): void;
  /** The client is out of step: close this socket and connect again (`connectQuery` asks for the whole text). */
  restart?(reason: string): void;
}

/** Runs `task` after `ms`; returns what cancels it. */
export type Schedule = (task: () => void, ms: number) => () => void;

export interface DocumentSyncOptions {
  /** The client's id for its whole life: resent ops keep their `(src, seq)`. */
  src: string;
  events?: SyncEvents;
  schedule?: Schedule;
}
