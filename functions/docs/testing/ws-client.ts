/**
 * A protocol-level Docs socket client for Node tests: connects with the `ws` package, queues every
 * server message, and lets a test wait for the next message of a type (with a timeout, never a sleep).
 */
import { WebSocket } from "ws";
import type { ServerMessage } from "../protocol.ts";
import { SUBPROTOCOL } from "../protocol.ts";

export interface TestSocket {
  ws: WebSocket;
  /** Every message received so far, in order. */
  received: ServerMessage[];
  send(message: unknown): void;
  /** The next not yet taken message matching `type` (and `where`), waiting up to `timeoutMs`. */
  next<T extends ServerMessage["type"]>(
    type: T,
    where?: (m: Extract<ServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: T }>>;
  /** Resolves with the close code once the socket closed. */
  closed: Promise<number>;
  close(): void;
}

export interface ConnectOptions {
  token?: string;
  src?: string;
  v?: number;
  /** Send the token as the `bearer.` subprotocol, as a browser does (default: Authorization header). */
  viaSubprotocol?: boolean;
}

/** Opens a socket to `/api/documents/{id}/socket`; rejects with the HTTP status when the handshake is refused. */
export function connectDoc(
  baseUrl: string,
  docId: string,
  options: ConnectOptions = {},
): Promise<TestSocket> {
  const url = new URL(`/api/documents/${docId}/socket`, baseUrl.replace(/^http/, "ws"));
  if (options.src) url.searchParams.set("src", options.src);
  if (options.v !== undefined) url.searchParams.set("v", String(options.v));
  const protocols =
    options.viaSubprotocol && options.token ? [SUBPROTOCOL, `bearer.${options.token}`] : [SUBPROTOCOL];
  const headers: Record<string, string> =
    options.token && !options.viaSubprotocol ? { authorization: `Bearer ${options.token}` } : {};
  const ws = new WebSocket(url, protocols, { headers });
  const received: ServerMessage[] = [];
  const taken = new Set<ServerMessage>();
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    received.push(JSON.parse(data.toString()) as ServerMessage);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  const socket: TestSocket = {
    ws,
    received,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    close: () => ws.close(),
    next(type, where, timeoutMs = 5000) {
      type M = Extract<ServerMessage, { type: typeof type }>;
      const find = () =>
        received.find((m) => !taken.has(m) && m.type === type && (!where || where(m as M))) as M | undefined;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return false;
          taken.add(found);
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no "${type}" message within ${timeoutMs} ms; got ${JSON.stringify(received)}`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}
