/**
 * What the services' WebSocket endpoints on Node (`ws` on the service's own server) share: refusing a
 * handshake with the platform's JSON error, dropping half-open sockets, and closing slow consumers, so
 * that one stuck client cannot grow memory.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerType } from "@hono/node-server";
import type { WebSocket, WebSocketServer } from "ws";
import { AppError, errorBody } from "./errors.ts";
import type { Logger } from "./logger.ts";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  500: "Internal Server Error",
};

/** Answers a refused handshake on the raw socket with the platform's JSON error, then drops the connection. */
export function refuseUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify(errorBody(error.code, error.message));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? "Error"}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}

/**
 * Runs `handshake` for each upgrade request on `server`. A handshake that throws an AppError is refused
 * with it; any other failure is logged (as `{name} socket handshake failed`) and refused with a 500.
 */
export function onUpgrades(
  server: ServerType,
  name: string,
  log: Logger,
  handshake: (request: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>,
): void {
  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    try {
      await handshake(request, socket, head);
    } catch (error) {
      if (error instanceof AppError) {
        refuseUpgrade(socket, error);
        return;
      }
      log.error(`${name} socket handshake failed`, { err: String(error) });
      refuseUpgrade(socket, new AppError(500, "internal", "The server failed to open the socket"));
    }
  };
  server.on("upgrade", (request, socket, head) => void upgrade(request, socket, head));
}

export interface Heartbeat {
  /** Marks `ws` alive now and on every pong; call it for each accepted socket. */
  watch(ws: WebSocket): void;
  stop(): void;
}

/**
 * Pings `wss`'s sockets every `intervalMs`; a socket that answered no ping within a whole interval is
 * half-open and is terminated (its close handlers then run, so whatever it joined is left).
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): Heartbeat {
  const alive = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return {
    watch(ws) {
      alive.add(ws);
      ws.on("pong", () => alive.add(ws));
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Sends `text` on `ws` if it is open; a socket with more than `maxBufferedBytes` already queued is too
 * slow and is closed (1008) instead.
 */
export function sendOrDropSlow(ws: WebSocket, text: string, maxBufferedBytes: number): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > maxBufferedBytes) {
    ws.close(1008, "too slow: messages are piling up");
    return;
  }
  ws.send(text);
}

export interface SocketServerHandle {
  /** Connected sockets. */
  readonly size: number;
  /** Closes every socket (1001, going away) and stops accepting. */
  close(): Promise<void>;
}

/**
 * The handle on `wss` that a service keeps. Closing stops the heartbeat, runs `closeAll` (which starts
 * each socket's close handshake), gives those a moment so clients see their code (1001: reconnect) rather
 * than a reset, then terminates the rest and closes the server.
 */
export function socketServerHandle(
  wss: WebSocketServer,
  heartbeat: Heartbeat,
  closeAll: () => void,
  graceMs = 1000,
): SocketServerHandle {
  return {
    get size() {
      return wss.clients.size;
    },
    async close() {
      heartbeat.stop();
      closeAll();
      const deadline = Date.now() + graceMs;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
