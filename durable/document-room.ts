/**
 * One document on the edge: a Durable Object per document (`idFromName(docId)`) that keeps the op log and
 * snapshots in its own SQLite and holds the document's WebSockets through the Hibernation API. A thin
 * shell: DocumentSession sequences, Room runs the live side and texts.ts says what an update means, the
 * same code the Node runtime runs. The Worker checks roles before it calls or forwards anything here.
 */
import { DurableObject } from "cloudflare:workers";
import { DocumentStore } from "../functions/docs/documents.ts";
import { CLOSE, MAX_MESSAGE_BYTES, SUBPROTOCOL } from "../functions/docs/protocol.ts";
import { type Peer, Room } from "../functions/docs/room.ts";
import {
  DocumentSession,
  SessionError,
  type SessionOptions,
  type Submission,
} from "../functions/docs/session.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "../functions/docs/session-store-sql.ts";
import {
  historyOfSession,
  replaceInSession,
  submitToSession,
  type TextHistory,
  type TextState,
  type UpdateOutcome,
} from "../functions/docs/texts.ts";
import { docsDatabase } from "../functions/docs/worker.ts";
import { type Config, loadConfig } from "../functions/shared/config.ts";
import { AppError } from "../functions/shared/errors.ts";
import { createLogger, type Logger } from "../functions/shared/logger.ts";
import { migrate, type SqlExecutor } from "../functions/shared/sql.ts";
import { durableSqlExecutor } from "../functions/shared/sql-durable.ts";
import {
  attachmentOf,
  badUpgrade,
  closeQuietly,
  forwardedUpgrade,
  jsonError,
  socketPeer,
} from "./document-room-sockets.ts";

/** Errors cross RPC as data, so the Worker rethrows the status and code the Node runtime answers with. */
export type RoomResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { status: number; code: string; message: string } };

interface Live {
  session: DocumentSession;
  room: Room;
  /** Room peers by connection. */
  peers: Map<string, Peer>;
}

export class DocumentRoom extends DurableObject<Cloudflare.Env> {
  readonly #config: Config;
  readonly #log: Logger;
  readonly #db: SqlExecutor;
  readonly #store: SqlSessionStore;
  readonly #sessionOptions: SessionOptions;
  /** The documents' metadata (the Worker's SqlDatabase "docs"), where an edit moves `updatedAt`. */
  readonly #metadata: DocumentStore;
  /** The schema migration; reset when the storage is deleted, so a later call creates it again. */
  #schema: Promise<void> | undefined;
  /** The open document: made on first use, and again after hibernation or eviction dropped it. */
  #live: Promise<Live> | undefined;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#config = loadConfig(env);
    this.#log = createLogger({ service: "docs", level: this.#config.LOG_LEVEL }).child({
      object: "DocumentRoom",
    });
    this.#db = durableSqlExecutor(ctx.storage);
    this.#store = new SqlSessionStore(this.#db);
    this.#metadata = new DocumentStore(docsDatabase(env));
    this.#sessionOptions = {
      onError: (error) => this.#log.error("docs snapshot failed", { err: String(error) }),
    };
    void ctx.blockConcurrencyWhile(async () => {
      await this.#ready();
      // Woken from hibernation with sockets still open: rebuild the document and adopt them before any event.
      const doc = ctx
        .getWebSockets()
        .map(attachmentOf)
        .find((a) => a !== null)?.doc;
      if (doc !== undefined)
        await this.#open(doc).catch((error) => this.#orphaned(error, ctx.getWebSockets()));
    });
  }

  // ---- RPC: the DocumentTexts port for this one document ----

  create(id: string, content: string): Promise<RoomResult<null>> {
    return answer(async () => {
      await this.#ready();
      const session = await DocumentSession.create(id, this.#store, content, this.#sessionOptions);
      this.#live = Promise.resolve(this.#goLive(session));
      return null;
    });
  }

  read(id: string): Promise<RoomResult<TextState>> {
    return answer(async () => {
      const { session } = await this.#open(id);
      return { version: session.version, content: session.text() };
    });
  }

  submit(id: string, submission: Submission): Promise<RoomResult<UpdateOutcome>> {
    return answer(async () => submitToSession((await this.#open(id)).session, submission));
  }

  replace(id: string, content: string, src: string, seq: number): Promise<RoomResult<UpdateOutcome>> {
    return answer(async () => replaceInSession((await this.#open(id)).session, content, src, seq));
  }

  history(id: string, from: number, limit: number): Promise<RoomResult<TextHistory>> {
    return answer(async () => historyOfSession((await this.#open(id)).session, from, limit));
  }

  /** Closes every socket with CLOSE.deleted and deletes all storage (the object then ceases to exist). */
  destroy(_id: string): Promise<RoomResult<null>> {
    return answer(async () => {
      const live = await this.#live?.catch(() => undefined);
      this.#live = undefined;
      // Queued submissions finish first, so none lands in the op log after the rows are gone.
      await live?.session.idle();
      live?.room.close(CLOSE.deleted, "document deleted");
      for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CLOSE.deleted, "document deleted");
      await this.ctx.storage.deleteAll();
      this.#schema = undefined;
      return null;
    });
  }

  /**
   * Closes `user`'s sockets with CLOSE.roleChanged, so they reconnect with their new role. A document
   * that is not live has no sockets (waking with sockets makes it live), so nothing is opened here.
   */
  roleChanged(_id: string, user: string): Promise<RoomResult<number>> {
    return answer(async () => {
      const live = await this.#live?.catch(() => undefined);
      const reason = "your role changed";
      const closed = live?.room.disconnectUser(user, CLOSE.roleChanged, reason) ?? 0;
      // Any socket of theirs the room does not hold (still being adopted) goes too.
      for (const ws of this.ctx.getWebSockets()) {
        if (attachmentOf(ws)?.user === user) closeQuietly(ws, CLOSE.roleChanged, reason);
      }
      return closed;
    });
  }

  // ---- WebSockets (Hibernation API) ----

  /** Accepts an upgrade the Worker authorized and forwarded; the identity is in ROOM_HEADERS. */
  override async fetch(request: Request): Promise<Response> {
    const upgrade = forwardedUpgrade(request);
    if (!upgrade) return badUpgrade();
    const { attachment } = upgrade;
    let live: Live;
    try {
      live = await this.#open(attachment.doc);
    } catch (error) {
      if (error instanceof AppError) return jsonError(error);
      throw error;
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(attachment);
    const peer = socketPeer(server, attachment);
    live.peers.set(attachment.conn, peer);
    live.room.join(peer, upgrade.knownVersion);
    // Answer with the subprotocol only when the client offered it (a client offering none wants none).
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: upgrade.offered ? { "Sec-WebSocket-Protocol": SUBPROTOCOL } : {},
    });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = attachmentOf(ws);
    if (!attachment) return closeQuietly(ws, CLOSE.protocolError, "unknown connection");
    // Text frames only, as on Node; an over-long one is refused like the `ws` server's maxPayload.
    if (typeof message !== "string") return closeQuietly(ws, CLOSE.protocolError, "text frames only");
    if (message.length > MAX_MESSAGE_BYTES) return closeQuietly(ws, 1009, "message too big");
    const live = await this.#open(attachment.doc).catch((error) => this.#orphaned(error, [ws]));
    if (!live) return;
    const peer = live.peers.get(attachment.conn);
    if (!peer) return closeQuietly(ws, CLOSE.goingAway, "reconnect");
    await live.room.receive(peer, message);
    // Keep the cursor with the socket, so a woken object still shows it to others.
    const presence = live.room.presenceOf(peer.id);
    if (presence && JSON.stringify(presence) !== JSON.stringify(attachment.presence)) {
      try {
        ws.serializeAttachment({ ...attachment, presence });
      } catch (error) {
        this.#log.warn("docs socket attachment not saved", { err: String(error) });
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.#drop(ws);
    // Complete the closing handshake (1005/1006 are reserved: they cannot be sent).
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#drop(ws);
  }

  // ---- internals ----

  #ready(): Promise<void> {
    this.#schema ??= migrate(this.#db, SESSION_SCHEMA);
    return this.#schema;
  }

  /** The document, opened from storage on first use; a failed open is not kept, so the next call retries. */
  async #open(id: string): Promise<Live> {
    if (!this.#live) {
      const opening = this.#ready()
        .then(() => DocumentSession.open(id, this.#store, this.#sessionOptions))
        .then((session) => this.#goLive(session));
      opening.catch(() => {
        if (this.#live === opening) this.#live = undefined;
      });
      this.#live = opening;
    }
    const live = await this.#live;
    if (live.session.docId !== id) throw new SessionError("not_found", `document ${id} does not exist`);
    return live;
  }

  /** A Room over the session, with every socket of the document already connected adopted into it. */
  #goLive(session: DocumentSession): Live {
    const room = new Room(session, { opsPerSecond: this.#config.DOCS_OPS_PER_SECOND, log: this.#log });
    const live: Live = { session, room, peers: new Map() };
    session.onApplied(() => this.#touch(session.docId));
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = attachmentOf(ws);
      if (attachment?.doc !== session.docId) continue;
      const peer = socketPeer(ws, attachment);
      live.peers.set(attachment.conn, peer);
      room.adopt(peer, attachment.presence ?? undefined);
    }
    return live;
  }

  /**
   * Every applied op (socket or HTTP) moves the document's `updatedAt`, which orders listings. Off the
   * op's path, and DocumentStore.touch writes at most once a second; a failure only leaves it older.
   */
  #touch(docId: string): void {
    const touching = this.#metadata
      .touch(docId, Date.now())
      .catch((error) => this.#log.warn("docs updatedAt not written", { doc: docId, err: String(error) }));
    this.ctx.waitUntil(touching);
  }

  async #drop(ws: WebSocket): Promise<void> {
    const attachment = attachmentOf(ws);
    const live = await this.#live?.catch(() => undefined);
    const peer = attachment && live?.peers.get(attachment.conn);
    if (!attachment || !live || !peer) return;
    live.peers.delete(attachment.conn);
    live.room.leave(peer);
  }

  /** Sockets whose document could not be opened: gone (deleted), or to reconnect later (a failure). */
  #orphaned(error: unknown, sockets: WebSocket[]): undefined {
    const deleted = error instanceof SessionError && error.code === "not_found";
    if (!deleted) this.#log.error("docs room could not open its document", { err: String(error) });
    for (const ws of sockets) {
      closeQuietly(ws, deleted ? CLOSE.deleted : CLOSE.goingAway, deleted ? "document deleted" : "reconnect");
    }
    return undefined;
  }
}

/** Runs an RPC method: an AppError (SessionError included) becomes data the Worker turns back into one. */
async function answer<T>(run: () => Promise<T>): Promise<RoomResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ok: false, error: { status: error.status, code: error.code, message: error.message } };
  }
}
