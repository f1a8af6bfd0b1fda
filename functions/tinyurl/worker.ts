/**
 * TinyURL on the edge (workerd): the same Hono app as on Node. The database is a SQLite-backed Durable
 * Object reached over RPC, rate limits are Durable Objects keyed by client, visits are written after the
 * response inside `ctx.waitUntil`. No Prometheus here: `/metrics` answers that it is a Node feature.
 */
import { memoryCache } from "../shared/cache.ts";
import { cloudflareClientIp } from "../shared/client-ip.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import { errorBody } from "../shared/errors.ts";
import { createLogger } from "../shared/logger.ts";
import { durableRateLimiter, type RateLimiterNamespace } from "../shared/rate-limit-durable.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate } from "../shared/sql.ts";
import { remoteSqlExecutor, type SqlDatabaseStub } from "../shared/sql-durable.ts";
import { createTinyUrlApp, SERVICE } from "./app.ts";
import { LinkStore, SCHEMA } from "./store.ts";
import { WaitUntilVisitRecorder } from "./visits.ts";

/**
 * An isolate's cache cannot hear invalidations from other isolates (there is no pub/sub between them),
 * so a changed or deleted link may be served stale by another isolate for at most this long.
 */
export const EDGE_CACHE_TTL_SECONDS = 10;

/** The bindings and variables TinyURL reads from the Worker's `env` (see wrangler.toml). */
export interface TinyUrlWorkerEnv {
  /** `SqlDatabase` objects (durable/sql-database.ts); TinyURL's data is in the one named "tinyurl". */
  SQL_DATABASE: { idFromName(name: string): unknown; get(id: unknown): SqlDatabaseStub };
  /** `RateLimiterObject` objects (durable/rate-limiter.ts), one per client key. */
  RATE_LIMITER: RateLimiterNamespace;
  /** `[vars]` and secrets, parsed by loadConfig. */
  [name: string]: unknown;
}

/** The namespace of `SqlDatabase` objects, as far as a service needs it. */
export type SqlDatabaseNamespace = TinyUrlWorkerEnv["SQL_DATABASE"];

/**
 * The named database object as a stub that outlives requests. A real stub is tied to the request that
 * made it (workerd refuses I/O through it from another request), so each call takes a fresh one: `get`
 * is local and cheap, and the id is computed once.
 */
export function databaseStub(namespace: SqlDatabaseNamespace, name: string): SqlDatabaseStub {
  const id = namespace.idFromName(name);
  return {
    query: (sql, args) => namespace.get(id).query(sql, args),
    run: (sql, args) => namespace.get(id).run(sql, args),
    batch: (statements) => namespace.get(id).batch(statements),
  };
}

export function edgeConfig(env: TinyUrlWorkerEnv): Config {
  const config = loadConfig(env);
  return { ...config, CACHE_TTL_SECONDS: Math.min(config.CACHE_TTL_SECONDS, EDGE_CACHE_TTL_SECONDS) };
}

/** Builds the app and starts the schema migration; the caller awaits `ready` before serving. */
export function createTinyUrlEdge(env: TinyUrlWorkerEnv): { app: ServiceApp; ready: Promise<void> } {
  const config = edgeConfig(env);
  const log = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  if (config.AUTH_SECRET === "canary-dev-secret-change-me") {
    log.warn("AUTH_SECRET is the development default; set it with `wrangler secret put AUTH_SECRET`");
  }
  const db = remoteSqlExecutor(databaseStub(env.SQL_DATABASE, SERVICE));
  const store = new LinkStore(db);
  const app = createTinyUrlApp({
    config,
    store,
    cache: memoryCache(),
    limiter: durableRateLimiter(env.RATE_LIMITER),
    visits: new WaitUntilVisitRecorder(store, config.VISITOR_SALT ?? `visitor:${config.AUTH_SECRET}`, log),
    log,
    clientIp: cloudflareClientIp,
  });
  return { app, ready: migrate(db, SCHEMA) };
}

// One app per isolate, made on the first request because `env` only arrives with a request.
let instance: ReturnType<typeof createTinyUrlEdge> | undefined;

export const tinyUrlWorker = {
  async fetch(request: Request, env: TinyUrlWorkerEnv, ctx: ExecutionContext): Promise<Response> {
    instance ??= createTinyUrlEdge(env);
    const current = instance;
    try {
      await current.ready;
    } catch (err) {
      if (instance === current) instance = undefined; // the next request tries again
      console.error(JSON.stringify({ level: "error", msg: "tinyurl start failed", err: String(err) }));
      return Response.json(errorBody("unavailable", "The service is starting; try again"), { status: 503 });
    }
    return current.app.fetch(request, env, ctx);
  },
};
