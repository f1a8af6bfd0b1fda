/**
 * Who may open a document's WebSocket, decided the same way on Node (socket-node.ts) and on the edge
 * (the Worker, before it hands the upgrade to the DocumentRoom object): the bearer token names the
 * user, the access list gives their role, and a stranger gets the same 404 as for an unknown document.
 */
import { verifyToken } from "../shared/auth.ts";
import { AppError, notFound, unauthorized } from "../shared/errors.ts";
import type { DocumentStore } from "./documents.ts";
import { BEARER_PROTOCOL_PREFIX, SUBPROTOCOL } from "./protocol.ts";
import type { Role } from "./roles.ts";

const SOCKET_PATH = /^\/api\/documents\/([A-Za-z0-9_-]{1,64})\/socket$/;
const SRC = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The document id when `pathname` is a document's socket path, else null. */
export function socketDocId(pathname: string): string | null {
  return SOCKET_PATH.exec(pathname)?.[1] ?? null;
}

export interface SocketGrant {
  docId: string;
  user: string;
  role: Role;
  /** The client's id (`src`): reconnects keep it, so resent ops are recognised. */
  src: string;
  /** The last version the client saw, when it said. */
  knownVersion?: number;
  /** The subprotocol to answer with, when the client offered any. */
  protocol?: string;
}

/** What the socket handshake needs from a request, on either runtime. */
export interface SocketRequest {
  url: string;
  header(name: string): string | null | undefined;
}

function bearerToken(request: SocketRequest): string {
  const header = request.header("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("Authorization header must be 'Bearer <token>'");
    return match[1]!;
  }
  const offered = (request.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const token = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (token) return token.slice(BEARER_PROTOCOL_PREFIX.length);
  throw unauthorized(
    `A document socket needs a bearer token: an Authorization header, or the subprotocol "${BEARER_PROTOCOL_PREFIX}<token>" next to "${SUBPROTOCOL}"`,
  );
}

/**
 * Checks a socket request; throws an AppError (401, 400, 404) the runtime turns into an HTTP answer
 * before any upgrade. Every role may connect: a viewer receives ops but its own are refused.
 */
export async function authorizeSocket(
  request: SocketRequest,
  docs: DocumentStore,
  secret: string,
): Promise<SocketGrant> {
  const url = new URL(request.url);
  const docId = socketDocId(url.pathname);
  if (docId === null) throw notFound("Not a document socket path");
  const user = await verifyToken(bearerToken(request), secret);
  const src = url.searchParams.get("src") ?? crypto.randomUUID();
  if (!SRC.test(src)) {
    throw new AppError(400, "bad_request", "src must be 1 to 100 characters from A-Z a-z 0-9 _ . : -");
  }
  const v = url.searchParams.get("v");
  let knownVersion: number | undefined;
  if (v !== null) {
    if (!/^\d{1,15}$/.test(v)) throw new AppError(400, "bad_request", "v must be an integer >= 0");
    knownVersion = Number(v);
  }
  const role = await docs.roleOf(docId, user);
  if (!role) throw notFound(`No document ${docId}`);
  const offered = (request.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  return {
    docId,
    user,
    role,
    src,
    ...(knownVersion === undefined ? {} : { knownVersion }),
    ...(offered.includes(SUBPROTOCOL) ? { protocol: SUBPROTOCOL } : {}),
  };
}
