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
import { LIVE_SOCKET_PATH, type LiveEvent, type LiveHub, socketMessage } from "./live.ts";
import { liveFilter, liveSubject } from "./routes-live.ts";
import type { NewsfeedStore } from "./store.ts";

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

export type LiveSockets = SocketServerHandle;

export function attachLiveSockets(server: ServerType, options: LiveSocketOptions): LiveSockets {
  const { hub, log } = options;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  // A socket that answered no ping within a whole interval is half-open: drop it.
  const heartbeat = startHeartbeat(wss, options.heartbeatMs ?? 30_000);

  onUpgrades(server, "live", log, async (request, socket, head) => {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    if (url.pathname !== LIVE_SOCKET_PATH)
      throw new AppError(404, "not_found", "No WebSocket endpoint at this path");
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const subject = await liveSubject(
      { token: bearer ?? url.searchParams.get("token"), user: url.searchParams.get("user") },
      options.authSecret,
    );
    const filter = await liveFilter(options.store, subject);
    wss.handleUpgrade(request, socket, head, (ws) => {
      heartbeat.watch(ws);
      const send = (event: LiveEvent) => sendOrDropSlow(ws, socketMessage(event), maxBuffered);
      // Replay and subscribe in one tick: no event can fall between them.
      const lastEventId = url.searchParams.get("lastEventId");
      if (lastEventId) for (const event of hub.since(lastEventId, filter) ?? []) send(event);
      const unsubscribe = hub.subscribe({
        filter,
        send,
        close: () => ws.close(1001, "server shutting down"),
      });
      ws.on("close", unsubscribe);
      ws.on("error", (err) => log.warn("live socket error", { err: String(err) }));
    });
  });

  return socketServerHandle(wss, heartbeat, () => {
    for (const ws of wss.clients) ws.close(1001, "server shutting down");
  });
}
