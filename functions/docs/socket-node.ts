import type { ServerType } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { AppError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import {
  onUpgrades,
  type SocketServerHandle,
  sendOrDropSlow,
  socketServerHandle,
  startHeartbeat,
} from "../shared/ws-node.ts";
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

export type DocSockets = SocketServerHandle;

export function attachDocSockets(server: ServerType, options: DocSocketOptions): DocSockets {
  const { sessions, log } = options;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  // A socket that answered no ping within a whole interval is half-open: drop it so its peer leaves.
  const heartbeat = startHeartbeat(wss, options.heartbeatMs ?? 30_000);

  onUpgrades(server, "docs", log, async (request, socket, head) => {
    const url = `http://${request.headers.host ?? "localhost"}${request.url ?? "/"}`;
    if (socketDocId(new URL(url).pathname) === null)
      throw new AppError(404, "not_found", "No WebSocket endpoint at this path");
    const grant = await authorizeSocket(
      { url, header: (name) => request.headers[name] as string | undefined },
      options.docs,
      options.authSecret,
    );
    const room = await sessions.room(grant.docId);
    await room.catchUpTo(grant.knownVersion);
    wss.handleUpgrade(request, socket, head, (ws) => {
      heartbeat.watch(ws);
      options.metrics?.socketOpened();
      const peer: Peer = {
        id: authorId(grant.user, grant.src),
        user: grant.user,
        role: grant.role,
        send: (message: ServerMessage) => sendOrDropSlow(ws, JSON.stringify(message), maxBuffered),
        close: (code, reason) => ws.close(code, reason),
      };
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
  });

  return socketServerHandle(wss, heartbeat, () => sessions.closeAll(CLOSE.goingAway, "server shutting down"));
}
