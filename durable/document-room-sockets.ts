/**
 * The sockets of a DocumentRoom (document-room.ts): the identity the Worker forwards with an upgrade,
 * what each socket carries through hibernation, and a socket adapted to a Room peer.
 */
import { authorId, SUBPROTOCOL } from "../functions/docs/protocol.ts";
import { isRole, type Role } from "../functions/docs/roles.ts";
import type { Peer, Room } from "../functions/docs/room.ts";
import { socketDocId } from "../functions/docs/socket-auth.ts";
import { AppError, errorBody } from "../functions/shared/errors.ts";

/**
 * The identity the Worker puts on an upgrade it forwards, after authorizeSocket. The Worker builds that
 * request from scratch, so a client can never set these itself.
 */
export const ROOM_HEADERS = {
  user: "x-docs-user",
  role: "x-docs-role",
  src: "x-docs-src",
  version: "x-docs-version",
  protocol: "x-docs-protocol",
} as const;

export type Presence = NonNullable<ReturnType<Room["presenceOf"]>>;

/** What each socket carries through hibernation, so a woken object can rebuild its peers. */
export interface SocketAttachment {
  doc: string;
  /** This connection (a reconnect of the same client is another one). */
  conn: string;
  /** The peer id: authorId(user, the client's src). */
  id: string;
  user: string;
  role: Role;
  presence: Presence | null;
}

export const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as SocketAttachment | null;

export const jsonError = (error: AppError) =>
  Response.json(errorBody(error.code, error.message), { status: error.status, headers: error.headers });

export const badUpgrade = () =>
  jsonError(new AppError(400, "bad_request", "Expected a socket upgrade forwarded by the Worker"));

/**
 * The socket a forwarded upgrade asks for: its attachment (a new connection), the version the client
 * knows, and whether it offered the subprotocol. Null unless it is an upgrade with a whole identity.
 */
export function forwardedUpgrade(
  request: Request,
): { attachment: SocketAttachment; knownVersion?: number; offered: boolean } | null {
  const header = (name: string) => request.headers.get(name);
  const doc = socketDocId(new URL(request.url).pathname);
  const [user, role, src] = [header(ROOM_HEADERS.user), header(ROOM_HEADERS.role), header(ROOM_HEADERS.src)];
  if (header("upgrade")?.toLowerCase() !== "websocket" || doc === null || !user || !src || !isRole(role)) {
    return null;
  }
  const known = header(ROOM_HEADERS.version);
  return {
    attachment: { doc, conn: crypto.randomUUID(), id: authorId(user, src), user, role, presence: null },
    ...(known === null ? {} : { knownVersion: Number(known) }),
    offered: header(ROOM_HEADERS.protocol) === SUBPROTOCOL,
  };
}

/** A socket as a Room peer. */
export function socketPeer(ws: WebSocket, { id, user, role }: SocketAttachment): Peer {
  return {
    id,
    user,
    role,
    send(message) {
      try {
        ws.send(JSON.stringify(message));
      } catch {
        // The socket is closing; its close event removes the peer.
      }
    },
    close: (code, reason) => closeQuietly(ws, code, reason),
  };
}

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
