/**
 * The Docs WebSocket protocol, shared by the server (room.ts on Node and in the DocumentRoom Durable
 * Object) and the client (client/sync.ts, in browsers, tests and the benchmark). JSON text frames.
 *
 * Connect: `GET /api/documents/{id}/socket?src=<client id>&v=<known version>` with the bearer token in
 * `Authorization` or, from a browser (which cannot set headers on a WebSocket), as the subprotocol
 * `bearer.<token>` next to {@link SUBPROTOCOL}. `src` names the client for its whole life (reconnects
 * included), so a resent op keeps its `(src, seq)` and is never applied twice. `v` (optional) is the
 * last version the client saw: the server answers with the ops since then instead of the whole text.
 *
 * ShareDB's client discipline: one op in flight; the server acks it (`ack`) in the same ordered stream
 * that carries everyone else's ops (`op`), so a client always knows which ops its own was transformed
 * against.
 */
import { type Selection, type TextOp, transformSelection } from "./ot/index.ts";
import type { Role } from "./roles.ts";

/** The subprotocol the server picks; a browser offers it together with `bearer.<token>`. */
export const SUBPROTOCOL = "canary-docs.v1";
export const BEARER_PROTOCOL_PREFIX = "bearer.";

/** Close codes (4000–4999 are the application's). */
export const CLOSE = {
  /** The same client (`src`) connected again; this older socket is dropped. */
  replaced: 4000,
  /** Your role on the document changed: reconnect to work with the new one. */
  roleChanged: 4003,
  /** The document was deleted. */
  deleted: 4004,
  /** The client broke the protocol (unparseable or unknown message, too large). */
  protocolError: 4400,
  /** The server is shutting down or evicting the document; reconnect. */
  goingAway: 1001,
} as const;

/**
 * A peer's id, and the `src` of its ops on the wire and in the history: the user and the client's own
 * `src`, so no one can act under another user's client id (a resend under a stolen src would otherwise
 * hide the victim's op as a duplicate). A client `src` has no "/", so the last one separates the two.
 */
export function authorId(user: string, src: string): string {
  return `${user}/${src}`;
}

/** Who is in the room, as other clients see them. `id` is the peer's author id (authorId). */
export interface PeerView {
  id: string;
  user: string;
  name: string;
  color: string;
  /** Their selection at the version of the message that carries it, or null (unknown / no focus). */
  sel: Selection | null;
}

// ---- client → server ----

/** An op written against version `v`: the client's `seq`-th op (seq counts from 0, never reused). */
export interface OpMessage {
  type: "op";
  v: number;
  op: TextOp;
  seq: number;
}

/**
 * The client's selection at version `v`. Clients send it only when they have no unacknowledged ops, so
 * its positions are in the coordinates of version `v` (which the server can transform to any later one).
 */
export interface CursorMessage {
  type: "cursor";
  v: number;
  sel: Selection | null;
}

export type ClientMessage = OpMessage | CursorMessage;

// ---- server → client ----

/**
 * The first message. `ops` are the ops since the client's `v` (a catch-up: apply them, treating any whose
 * `src` is `you.id` as the ack of that op); when the server cannot send them (no `v`, or too old)
 * `content` is the whole text at `v`. `you.id` is the id your ops carry: authorId(your user, your src).
 */
export interface InitMessage {
  type: "init";
  v: number;
  role: Role;
  you: PeerView;
  peers: PeerView[];
  content?: string;
  ops?: RemoteOpMessage[];
}

/** Your op `seq` was applied at version `v` (it turned v into v + 1). Acks of unknown seqs are ignored. */
export interface AckMessage {
  type: "ack";
  v: number;
  seq: number;
}

/** Someone's op, applied at version `v`; `src` is its author id (authorId). */
export interface RemoteOpMessage {
  type: "op";
  v: number;
  op: TextOp;
  src: string;
  seq: number;
}

/** A peer's selection, at version `v` (the version after every op sent before this message). */
export interface RemoteCursorMessage {
  type: "cursor";
  id: string;
  v: number;
  sel: Selection | null;
}

export interface JoinMessage {
  type: "join";
  peer: PeerView;
}

export interface LeaveMessage {
  type: "leave";
  id: string;
}

/**
 * A refused message. `seq` names the refused op when there is one: with `retryAfterMs` (rate limited,
 * or storage briefly failing) resend it unchanged later; otherwise the client is out of step and must
 * reconnect without `v` (a fresh start).
 */
export interface ErrorMessage {
  type: "error";
  code: string;
  message: string;
  seq?: number;
  retryAfterMs?: number;
}

export type ServerMessage =
  | InitMessage
  | AckMessage
  | RemoteOpMessage
  | RemoteCursorMessage
  | JoinMessage
  | LeaveMessage
  | ErrorMessage;

/** Largest frame either side sends or accepts (an op may insert up to 100,000 code points). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Why a client message was refused before reaching the document. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

const isInt = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

function parseSelection(value: unknown): Selection | null {
  if (value === null || value === undefined) return null;
  const sel = value as { anchor?: unknown; head?: unknown };
  if (typeof value !== "object" || !isInt(sel.anchor) || !isInt(sel.head)) {
    throw new ProtocolError("sel must be null or {anchor, head} with integers >= 0");
  }
  return { anchor: sel.anchor, head: sel.head };
}

/**
 * Parses one client frame. The op itself is checked later by the session (normalize, limits), so a
 * malformed op is refused with a session error naming its seq, not a protocol error.
 */
export function parseClientMessage(data: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    throw new ProtocolError("a message must be JSON");
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    throw new ProtocolError("a message must be a JSON object");
  }
  const m = message as Record<string, unknown>;
  if (m.type === "op") {
    if (!isInt(m.v) || !isInt(m.seq)) throw new ProtocolError("op: v and seq must be integers >= 0");
    return { type: "op", v: m.v, seq: m.seq, op: m.op as TextOp };
  }
  if (m.type === "cursor") {
    if (!isInt(m.v)) throw new ProtocolError("cursor: v must be an integer >= 0");
    return { type: "cursor", v: m.v, sel: parseSelection(m.sel) };
  }
  throw new ProtocolError(`unknown message type ${JSON.stringify(m.type)}; expected "op" or "cursor"`);
}

/** A stable colour for a peer, from its id (the same person keeps a colour across reconnects). */
export function peerColor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360} 70% 42%)`;
}

/**
 * Where a peer's selection goes when an op is applied. Text its owner typed at their caret pushes it
 * forward (their caret follows their typing); text someone else inserted exactly there stays after it.
 * Server and clients use this one rule, so everyone draws a cursor in the same place.
 */
export function moveSelection(sel: Selection, op: TextOp, ownerWroteOp: boolean): Selection {
  return transformSelection(sel, op, ownerWroteOp ? "right" : "left");
}
