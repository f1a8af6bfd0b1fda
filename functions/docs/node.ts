/**
 * Docs on Node: libSQL (embedded `docs.db` by default) for documents and op logs, WebSockets on the same
 * port. Without REDIS_URL this process sequences each document in memory; with it, several replicas
 * serve one document (Redis sequences appends and fans them out; libSQL stays the durable record).
 */
import type { Config } from "../shared/config.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { prometheusMetrics } from "../shared/metrics-prometheus.ts";
import {
  closeServer,
  databaseUrl,
  listenService,
  nodeIp,
  type RunningService,
} from "../shared/node-runtime.ts";
import { MemoryRateLimiter } from "../shared/rate-limit.ts";
import { RedisRateLimiter } from "../shared/rate-limit-redis.ts";
import { connectRedis } from "../shared/redis.ts";
import { migrate } from "../shared/sql.ts";
import { openDatabase } from "../shared/sql-libsql.ts";
import { createDocsApp, SERVICE } from "./app.ts";
import { DOCUMENTS_SCHEMA, DocumentStore } from "./documents.ts";
import { prometheusDocsMetrics } from "./metrics.ts";
import { redisDocs } from "./session-store-redis.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "./session-store-sql.ts";
import { SessionRegistry } from "./sessions.ts";
import { attachDocSockets } from "./socket-node.ts";
import { LocalDocumentTexts } from "./texts.ts";

/** How often documents nobody uses are closed. */
const EVICT_EVERY_MS = 60_000;

export async function startDocs(
  config: Config,
  log: Logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL }),
): Promise<RunningService> {
  const { db, client } = await openDatabase(databaseUrl(config, SERVICE), config.DATABASE_AUTH_TOKEN);
  await migrate(db, [...DOCUMENTS_SCHEMA, ...SESSION_SCHEMA]);
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log) : undefined;
  const metrics = prometheusMetrics(SERVICE, config.APP_VERSION);
  const docsMetrics = prometheusDocsMetrics(metrics.registry);
  const sql = new SqlSessionStore(db);
  const replicated = redis ? redisDocs(redis, sql, { log }) : undefined;
  const store = replicated?.store ?? sql;
  const docs = new DocumentStore(db);
  const sessions = new SessionRegistry(store, {
    log,
    replication: replicated?.replication,
    // Every applied op, from a socket or over HTTP, moves updatedAt (at most once a second per document).
    onApplied: (docId) => {
      docs
        .touch(docId, Date.now())
        .catch((error) => log.warn("docs updatedAt not written", { doc: docId, err: String(error) }));
    },
    room: { opsPerSecond: config.DOCS_OPS_PER_SECOND, metrics: docsMetrics },
    session: { onError: (error) => log.error("docs snapshot failed", { err: String(error) }) },
  });
  const texts = new LocalDocumentTexts(sessions, store);
  const app = createDocsApp(
    {
      config,
      db,
      texts,
      log,
      limiter: redis ? new RedisRateLimiter(redis.client) : new MemoryRateLimiter(),
      metrics,
      readiness: redis ? { redis: () => redis.client.ping() } : {},
    },
    nodeIp(config),
  );
  const { server, url } = await listenService(app, config, config.DOCS_PORT, log);
  const sockets = attachDocSockets(server, {
    docs,
    sessions,
    authSecret: config.AUTH_SECRET,
    log,
    metrics: docsMetrics,
  });
  const evictor = setInterval(() => sessions.evictIdle(), EVICT_EVERY_MS);
  evictor.unref();
  return {
    name: SERVICE,
    url,
    server,
    async close() {
      // Every op is acknowledged only after it is stored, so closing sockets, server, then database loses none.
      clearInterval(evictor);
      await sockets.close();
      await closeServer(server);
      await replicated?.replication.close();
      await redis?.close();
      client.close();
    },
  };
}
