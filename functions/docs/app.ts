/**
 * The Docs service as a portable Hono app. This Node version sequences each document in this process
 * (SessionRegistry); WebSocket, Redis and the Durable Object come later over the same stores.
 */
import { createServiceApp, type ServiceApp } from "../shared/service.ts";
import type { DocsDeps } from "./deps.ts";
import { DocumentStore } from "./documents.ts";
import { mountDocumentRoutes } from "./routes-documents.ts";
import { SqlSessionStore } from "./session-store-sql.ts";
import { SessionRegistry } from "./sessions.ts";

export const SERVICE = "docs";

export function createDocsApp(deps: DocsDeps): ServiceApp {
  const docs = new DocumentStore(deps.db);
  const sessions = new SessionRegistry(new SqlSessionStore(deps.db), {
    ...deps.session,
    onError: (error) => deps.log.error("snapshot failed", { err: String(error) }),
  });
  const app = createServiceApp({
    name: SERVICE,
    version: deps.config.APP_VERSION,
    log: deps.log,
    authSecret: deps.config.AUTH_SECRET,
    metrics: deps.metrics,
    readiness: { store: () => docs.ping(), ...deps.readiness },
    trustedOrigins: deps.config.PUBLIC_URL ? [new URL(deps.config.PUBLIC_URL).origin] : [],
    // A full-content update carries the whole text (up to 1,000,000 code points, ≤ 4 bytes each).
    maxBodyBytes: 4 * 1024 * 1024 + 64 * 1024,
  });
  mountDocumentRoutes(app, deps, docs, sessions);
  return app;
}
