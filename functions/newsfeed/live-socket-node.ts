/**
 * `GET /api/live/socket` on Node: new articles over a WebSocket (`ws` on the service's own server), as
 * `{"type":"articles","articles":[…]}` text frames. The handshake is checked before the upgrade, with the
 * same credentials as the SSE stream (bearer header, `?token=`, `?user=`); the socket is send-only.
 * Slow consumers and half-open connections are dropped, so one stuck client cannot grow memory.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerType } from "@hono/node-server";
import { type WebSocket, WebSocketServer } from "ws";
import { AppError, errorBody } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { LiveHub } from "./live.ts";
import { liveFilter, liveSubject } from "./routes-live.ts";
import type { NewsfeedStore } from "./store.ts";

export const LIVE_SOCKET_PATH = "/api/live/socket";

export interface LiveSocketOptions {
  hub: LiveHub;
  store: NewsfeedStore;
  authSecret: string;
  log: Logger;
  /** How often sockets are pinged; one that misses a whole interval is dropped (default 30 s). */
  heartbeatMs?: number;
  /** A socket with more than this many bytes queued is too slow and is closed (default 1 MiB). */
  maxBufferedBytes?: number;
}

export interface LiveSockets {
  readonly size: number;
  /** Closes every socket (1001, going away) and stops accepting. */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
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

export function attachLiveSockets(server: ServerType, options: LiveSocketOptions): LiveSockets {
  const { hub, log } = options;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    if (url.pathname !== LIVE_SOCKET_PATH) {
      refuse(socket, new AppError(404, "not_found", "No WebSocket endpoint at this path"));
      return;
    }
    try {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const subject = await liveSubject(
        { token: bearer ?? url.searchParams.get("token"), user: url.searchParams.get("user") },
        options.authSecret,
      );
      const filter = await liveFilter(options.store, subject);
      wss.handleUpgrade(request, socket, head, (ws) => {
        alive.add(ws);
        const unsubscribe = hub.subscribe({
          filter,
          send(event) {
            if (ws.readyState !== ws.OPEN) return;
            if (ws.bufferedAmount > maxBuffered) {
              ws.close(1008, "too slow: messages are piling up");
              return;
            }
            ws.send(JSON.stringify({ type: "articles", articles: event.articles }));
          },
          close: () => ws.close(1001, "server shutting down"),
        });
        ws.on("pong", () => alive.add(ws));
        ws.on("close", unsubscribe);
        ws.on("error", (err) => log.warn("live socket error", { err: String(err) }));
      });
    } catch (error) {
      if (error instanceof AppError) {
        refuse(socket, error);
        return;
      }
      log.error("live socket handshake failed", { err: String(error) });
      refuse(socket, new AppError(500, "internal", "The server failed to open the socket"));
    }
  };
  server.on("upgrade", (request, socket, head) => void onUpgrade(request, socket, head));

  // A socket that answered no ping within a whole interval is half-open: drop it.
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
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
      // Give the close handshakes a moment, so clients see 1001 (reconnect) rather than a reset.
      const deadline = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
