/**
 * Docs WebSockets on Node: the `ws` server on the service's own port. The handshake is checked before
 * the upgrade (socket-auth.ts: token, role, a stranger gets 404), then each socket becomes a Room peer.
 * Slow consumers and half-open connections are dropped, so one stuck client cannot grow memory.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerType } from "@hono/node-server";
import { type WebSocket, WebSocketServer } from "ws";
import { AppError, errorBody } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { DocumentStore } from "./documents.ts";
import type { DocsMetrics } from "./metrics.ts";
import { authorId, CLOSE, MAX_MESSAGE_BYTES, type ServerMessage, SUBPROTOCOL } from "./protocol.ts";
import type { Peer } from "./room.ts";
import type { SessionRegistry } from "./sessions.ts";
import { authorizeSocket, socketDocId } from "./socket-auth.ts";

export interface DocSocketOptions {
  docs: DocumentStore;
  sessions: SessionRegistry;
  authSecret: string;
  log: Logger;
  /** How often sockets are pinged; one that misses a whole interval is dropped (default 30 s). */
  heartbeatMs?: number;
  /** A socket with more than this many bytes queued for it is too slow and is closed (default 8 MiB). */
  maxBufferedBytes?: number;
  metrics?: DocsMetrics;
}

export interface DocSockets {
  /** Connected sockets. */
  readonly size: number;
  /** Closes every socket (1001, going away) and stops accepting. */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  500: "Internal Server Error",
};

/** Answers a refused handshake with the platform's JSON error, then drops the connection. */
function refuse(socket: Duplex, error: AppError): void {
  const body = JSON.stringify(errorBody(error.code, error.message));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? "Error"}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}

export function attachDocSockets(server: ServerType, options: DocSocketOptions): DocSockets {
  const { sessions, log } = options;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = `http://${request.headers.host ?? "localhost"}${request.url ?? "/"}`;
    if (socketDocId(new URL(url).pathname) === null) {
      refuse(socket, new AppError(404, "not_found", "No WebSocket endpoint at this path"));
      return;
    }
    try {
      const grant = await authorizeSocket(
        { url, header: (name) => request.headers[name] as string | undefined },
        options.docs,
        options.authSecret,
      );
      const room = await sessions.room(grant.docId);
      await room.catchUpTo(grant.knownVersion);
      wss.handleUpgrade(request, socket, head, (ws) => {
        alive.add(ws);
        options.metrics?.socketOpened();
        const peer: Peer = {
          id: authorId(grant.user, grant.src),
          user: grant.user,
          role: grant.role,
          send(message: ServerMessage) {
            if (ws.readyState !== ws.OPEN) return;
            if (ws.bufferedAmount > maxBuffered) {
              ws.close(1008, "too slow: messages are piling up");
              return;
            }
            ws.send(JSON.stringify(message));
          },
          close: (code, reason) => ws.close(code, reason),
        };
        ws.on("pong", () => alive.add(ws));
        ws.on("message", (data, isBinary) => {
          if (isBinary) {
            ws.close(CLOSE.protocolError, "text frames only");
            return;
          }
          void room.receive(peer, data.toString());
        });
        ws.on("close", () => {
          options.metrics?.socketClosed();
          room.leave(peer);
        });
        ws.on("error", (err) => log.warn("docs socket error", { doc: grant.docId, err: String(err) }));
        room.join(peer, grant.knownVersion);
      });
    } catch (error) {
      if (error instanceof AppError) {
        refuse(socket, error);
        return;
      }
      log.error("docs socket handshake failed", { err: String(error) });
      refuse(socket, new AppError(500, "internal", "The server failed to open the socket"));
    }
  };
  server.on("upgrade", (request, socket, head) => void onUpgrade(request, socket, head));

  // A socket that answered no ping within a whole interval is half-open: drop it so its peer leaves.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    get size() {
      return wss.clients.size;
    },
    async close() {
      clearInterval(heartbeat);
      sessions.closeAll(CLOSE.goingAway, "server shutting down");
      // Give the close handshakes a moment, so clients see 1001 (reconnect) rather than a reset.
      const deadline = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
