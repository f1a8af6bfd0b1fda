/** The weighted proxy's upgrade path (WebSocket): relay the handshake, then pipe the two sockets. */
import { type IncomingMessage, request } from "node:http";
import type { Socket } from "node:net";
import {
  endToEndHeaders,
  errorJson,
  forwardedRequestHeaders,
  VERSION_HEADER,
  writeResponseHead,
} from "./proxy-headers.ts";

export interface TunnelTarget {
  /** The backend chosen; undefined when there is none (503). */
  backend: URL | undefined;
  /** For error messages, e.g. "new backend http://127.0.0.1:4001". */
  describe: string;
  version: string;
  /** Open tunnels, so the proxy can cut them when it closes. */
  tunnels: Set<Socket>;
  /** The handshake's outcome: 101, the backend's refusal, 503, or null when the backend did not answer. */
  record: (status: number | null) => void;
}

export function tunnelUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  target: TunnelTarget,
): void {
  const { backend, version, tunnels, record } = target;
  socket.on("error", () => socket.destroy());
  if (!backend) {
    writeResponseHead(socket, 503, "Service Unavailable", { connection: "close", "content-length": 0 });
    socket.end();
    record(503);
    return;
  }
  const headers = forwardedRequestHeaders(req);
  headers.connection = "Upgrade";
  headers.upgrade = req.headers.upgrade;
  const upstream = request({
    host: backend.hostname,
    port: backend.port,
    method: req.method,
    path: req.url,
    headers,
    agent: false,
  });
  socket.once("close", () => upstream.destroy());
  upstream.once("upgrade", (answer, backendSocket, backendHead) => {
    record(101);
    writeResponseHead(socket, 101, answer.statusMessage ?? "Switching Protocols", {
      ...answer.headers,
      [VERSION_HEADER]: version,
    });
    if (backendHead.length > 0) socket.write(backendHead);
    if (head.length > 0) backendSocket.write(head);
    tunnels.add(socket);
    const closeBoth = () => {
      tunnels.delete(socket);
      socket.destroy();
      backendSocket.destroy();
    };
    backendSocket.on("error", closeBoth).on("close", closeBoth);
    socket.on("close", closeBoth);
    socket.pipe(backendSocket).pipe(socket);
  });
  upstream.once("response", (answer) => {
    // The backend refused the upgrade: relay its answer, then close.
    record(answer.statusCode ?? null);
    writeResponseHead(socket, answer.statusCode ?? 502, answer.statusMessage ?? "", {
      ...endToEndHeaders(answer.headers),
      connection: "close",
      [VERSION_HEADER]: version,
    });
    answer.pipe(socket);
  });
  upstream.once("error", (err: NodeJS.ErrnoException) => {
    if (socket.destroyed) return;
    const body = errorJson("bad_gateway", `${target.describe} failed: ${err.code ?? err.message}`);
    writeResponseHead(socket, 502, "Bad Gateway", {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
      [VERSION_HEADER]: version,
    });
    socket.end(body);
    record(null);
  });
  upstream.end();
}
