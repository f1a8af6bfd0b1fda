/** Docs on Node: libSQL (embedded `docs.db` by default), documents sequenced in this process, prom-client. */
import type { Config } from "../shared/config.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { prometheusMetrics } from "../shared/metrics-prometheus.ts";
import { closeServer, databaseUrl, listenService, type RunningService } from "../shared/node-runtime.ts";
import { migrate } from "../shared/sql.ts";
import { openDatabase } from "../shared/sql-libsql.ts";
import { createDocsApp, SERVICE } from "./app.ts";
import { DOCUMENTS_SCHEMA } from "./documents.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "./session-store-sql.ts";
import { SessionRegistry } from "./sessions.ts";
import { LocalDocumentTexts } from "./texts.ts";

export async function startDocs(
  config: Config,
  log: Logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL }),
): Promise<RunningService> {
  const { db, client } = await openDatabase(databaseUrl(config, SERVICE), config.DATABASE_AUTH_TOKEN);
  await migrate(db, [...DOCUMENTS_SCHEMA, ...SESSION_SCHEMA]);
  const store = new SqlSessionStore(db);
  const texts = new LocalDocumentTexts(new SessionRegistry(store, { log }), store);
  const app = createDocsApp({
    config,
    db,
    texts,
    log,
    metrics: prometheusMetrics(SERVICE, config.APP_VERSION),
  });
  const { server, url } = await listenService(app, config, config.DOCS_PORT, log);
  return {
    name: SERVICE,
    url,
    server,
    async close() {
      // Every op is acknowledged only after it is stored, so closing the server then the database loses none.
      await closeServer(server);
      client.close();
    },
  };
}
