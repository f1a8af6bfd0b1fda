/**
 * Newsfeed's live hub on the edge: one Durable Object (named "newsfeed") that every live connection hangs
 * off, the counterpart of Redis pub/sub between Node replicas. A thin shell over the Node runtime's code:
 * LiveHub filters and replays, live-stream.ts writes SSE, LiveEventLog keeps the replay in SQLite.
 * WebSockets use the Hibernation API (each carries its follow filter as its attachment), so idle sockets
 * cost nothing; SSE streams keep the object awake while they are open. The Worker authenticates and
 * forwards (functions/newsfeed/live-edge.ts); the cron's ingest calls `publish`.
 */
import { DurableObject } from "cloudflare:workers";
import {
  filterFromJson,
  filterToJson,
  type LiveEvent,
  type LiveFilterJson,
  LiveHub,
  REPLAY_EVENTS,
  socketMessage,
  visibleTo,
} from "../functions/newsfeed/live.ts";
import { liveRequestFrom } from "../functions/newsfeed/live-edge.ts";
import { LIVE_EVENT_SCHEMA, LiveEventLog } from "../functions/newsfeed/live-event-log.ts";
import { liveSseStream, SSE_HEADERS } from "../functions/newsfeed/live-stream.ts";
import { AppError } from "../functions/shared/errors.ts";
import { migrate } from "../functions/shared/sql.ts";
import { durableSqlExecutor } from "../functions/shared/sql-durable.ts";
import { jsonError } from "./document-room-sockets.ts";

export class FeedHub extends DurableObject<Cloudflare.Env> {
  readonly #log: LiveEventLog;
  /** The SSE subscribers and the replay memory; made once the log is read. */
  #hub = new LiveHub();
  readonly #ready: Promise<void>;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    const db = durableSqlExecutor(ctx.storage);
    this.#log = new LiveEventLog(db, REPLAY_EVENTS);
    // Woken from hibernation or eviction: the replay comes back from SQLite before any event is handled.
    this.#ready = ctx.blockConcurrencyWhile(async () => {
      await migrate(db, LIVE_EVENT_SCHEMA);
      this.#hub = new LiveHub({ recent: await this.#log.recent() });
    });
  }

  /** A connection the Worker forwarded: `/socket` (an upgrade) or `/sse`. */
  override async fetch(request: Request): Promise<Response> {
    await this.#ready;
    const live = liveRequestFrom(request.headers);
    if (!live)
      return jsonError(new AppError(400, "bad_request", "Expected a request forwarded by the Worker"));
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
      this.ctx.acceptWebSocket(server);
      server.serializeAttachment(filterToJson(live.filter));
      if (live.lastEventId)
        for (const event of this.#hub.since(live.lastEventId, live.filter) ?? [])
          server.send(socketMessage(event));
      return new Response(null, { status: 101, webSocket: client });
    }
    return new Response(liveSseStream(this.#hub, live), { headers: SSE_HEADERS });
  }

  /** New articles (RPC from the Worker's ingest): to every matching connection, once per event id. */
  async publish(event: LiveEvent): Promise<boolean> {
    await this.#ready;
    if (!this.#hub.publish(event)) return false;
    for (const ws of this.ctx.getWebSockets()) {
      const visible = visibleTo(filterFromJson(ws.deserializeAttachment() as LiveFilterJson), event);
      if (!visible) continue;
      try {
        ws.send(socketMessage(visible));
      } catch {
        // The socket is closing; the runtime drops it.
      }
    }
    await this.#log.append(event);
    return true;
  }

  /** Clients only listen; anything they send is ignored. */
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }
}
