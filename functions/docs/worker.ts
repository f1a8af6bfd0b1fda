/**
 * Docs on the edge (workerd): the same Hono app as on Node. Document metadata and access lists live in
 * the SqlDatabase object named "docs"; each document's text is a DocumentRoom object (durable/), reached
 * over RPC for the HTTP API. A document socket is authorized here (authorizeSocket, as on Node), then the
 * upgrade is handed to the document's room, which keeps the socket through hibernation.
 */
import type { DocumentRoom, RoomResult } from "../../durable/document-room.ts";
import { ROOM_HEADERS } from "../../durable/document-room-sockets.ts";
import { cloudflareClientIp } from "../shared/client-ip.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import { AppError, errorBody } from "../shared/errors.ts";
import { createLogger } from "../shared/logger.ts";
import { durableRateLimiter, type RateLimiterNamespace } from "../shared/rate-limit-durable.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate, type SqlExecutor } from "../shared/sql.ts";
import { remoteSqlExecutor } from "../shared/sql-durable.ts";
import { databaseStub, type SqlDatabaseNamespace } from "../tinyurl/worker.ts";
import { createDocsApp, SERVICE } from "./app.ts";
import { DOCUMENTS_SCHEMA, DocumentStore } from "./documents.ts";
import type { Submission } from "./session.ts";
import { authorizeSocket, socketDocId } from "./socket-auth.ts";
import type { DocumentTexts, TextHistory, TextState, UpdateOutcome } from "./texts.ts";

/** The bindings and variables Docs reads from the Worker's `env` (see wrangler.toml). */
export interface DocsWorkerEnv {
  /** `SqlDatabase` objects; Docs' metadata and access lists are in the one named "docs". */
  SQL_DATABASE: SqlDatabaseNamespace;
  RATE_LIMITER: RateLimiterNamespace;
  /** `DocumentRoom` objects (durable/document-room.ts), one per document id. */
  DOCUMENT_ROOM: DurableObjectNamespace<DocumentRoom>;
  [name: string]: unknown;
}

/**
 * The metadata and access lists: the SqlDatabase object named "docs". Also reached by each
 * DocumentRoom, which moves a document's `updatedAt` when it applies an op.
 */
export function docsDatabase(env: Pick<DocsWorkerEnv, "SQL_DATABASE">): SqlExecutor {
  return remoteSqlExecutor(databaseStub(env.SQL_DATABASE, SERVICE));
}

/** Turns a room's error back into the AppError the Node runtime would throw, so the answers match. */
function unwrap<T>(result: RoomResult<T>): T {
  if (result.ok) return result.value;
  const { status, code, message } = result.error;
  throw new AppError(status as AppError["status"], code, message);
}

/**
 * DocumentTexts over DocumentRoom objects. Each call takes a fresh stub: a stub is tied to the request
 * that made it (see databaseStub), and `get` is local and cheap.
 */
export class RoomTexts implements DocumentTexts {
  constructor(private readonly rooms: DurableObjectNamespace<DocumentRoom>) {}

  #room(id: string) {
    return this.rooms.get(this.rooms.idFromName(id));
  }

  async create(id: string, content: string): Promise<void> {
    unwrap(await this.#room(id).create(id, content));
  }

  async read(id: string): Promise<TextState> {
    return unwrap(await this.#room(id).read(id));
  }

  async submit(id: string, submission: Submission): Promise<UpdateOutcome> {
    return unwrap(await this.#room(id).submit(id, submission));
  }

  async replace(id: string, content: string, src: string, seq: number): Promise<UpdateOutcome> {
    return unwrap(await this.#room(id).replace(id, content, src, seq));
  }

  async history(id: string, from: number, limit: number): Promise<TextHistory> {
    return unwrap(await this.#room(id).history(id, from, limit));
  }

  async delete(id: string): Promise<void> {
    unwrap(await this.#room(id).destroy(id));
  }

  async roleChanged(id: string, user: string): Promise<void> {
    unwrap(await this.#room(id).roleChanged(id, user));
  }
}

interface DocsEdge {
  app: ServiceApp;
  docs: DocumentStore;
  config: Config;
  ready: Promise<void>;
}

/** Builds the app and starts the schema migration; the caller awaits `ready` before serving. */
export function createDocsEdge(env: DocsWorkerEnv): DocsEdge {
  const config = loadConfig(env);
  const log = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const db = docsDatabase(env);
  const app = createDocsApp(
    {
      config,
      db,
      texts: new RoomTexts(env.DOCUMENT_ROOM),
      log,
      limiter: durableRateLimiter(env.RATE_LIMITER),
    },
    cloudflareClientIp,
  );
  return { app, docs: new DocumentStore(db), config, ready: migrate(db, DOCUMENTS_SCHEMA) };
}

/**
 * Authorizes a socket (401, 400 or 404 as the JSON error, before any upgrade), then forwards the upgrade
 * to the document's room with the identity in ROOM_HEADERS. The forwarded request is built from scratch:
 * no header the client sent reaches the room, so nobody can claim another user or role.
 */
async function openSocket(request: Request, edge: DocsEdge, env: DocsWorkerEnv): Promise<Response> {
  let grant: Awaited<ReturnType<typeof authorizeSocket>>;
  try {
    grant = await authorizeSocket(
      { url: request.url, header: (name) => request.headers.get(name) },
      edge.docs,
      edge.config.AUTH_SECRET,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return Response.json(errorBody(error.code, error.message), {
      status: error.status,
      headers: error.headers,
    });
  }
  const headers = new Headers({
    upgrade: "websocket",
    [ROOM_HEADERS.user]: grant.user,
    [ROOM_HEADERS.role]: grant.role,
    [ROOM_HEADERS.src]: grant.src,
  });
  if (grant.knownVersion !== undefined) headers.set(ROOM_HEADERS.version, String(grant.knownVersion));
  if (grant.protocol) headers.set(ROOM_HEADERS.protocol, grant.protocol);
  const room = env.DOCUMENT_ROOM.get(env.DOCUMENT_ROOM.idFromName(grant.docId));
  return room.fetch(new Request(request.url, { headers }));
}

// One app per isolate, made on the first request because `env` only arrives with a request.
let instance: DocsEdge | undefined;

export const docsWorker = {
  async fetch(request: Request, env: DocsWorkerEnv, ctx: ExecutionContext): Promise<Response> {
    instance ??= createDocsEdge(env);
    const current = instance;
    try {
      await current.ready;
    } catch (err) {
      if (instance === current) instance = undefined; // the next request tries again
      console.error(JSON.stringify({ level: "error", msg: "docs start failed", err: String(err) }));
      return Response.json(errorBody("unavailable", "The service is starting; try again"), { status: 503 });
    }
    const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    if (upgrade && socketDocId(new URL(request.url).pathname) !== null)
      return openSocket(request, current, env);
    return current.app.fetch(request, env, ctx);
  },
};
