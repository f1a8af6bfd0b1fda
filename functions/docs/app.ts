/**
 * The Docs service as a portable Hono app: the HTTP API over a DocumentStore (metadata, access list) and
 * DocumentTexts (sessions in this process on Node, DocumentRoom objects on the edge). WebSockets are
 * attached by each runtime (socket-node.ts, durable/document-room.ts), not routed through Hono.
 */
import type { Context } from "hono";
import type { AppEnv } from "../shared/context.ts";
import { rateLimit, userOrIpKey } from "../shared/rate-limit-middleware.ts";
import { createServiceApp, type ServiceApp } from "../shared/service.ts";
import type { DocsDeps } from "./deps.ts";
import { DocumentStore } from "./documents.ts";
import { mountDocsPages } from "./page.ts";
import { mountDocumentRoutes } from "./routes-documents.ts";

export const SERVICE = "docs";

export function createDocsApp(
  deps: DocsDeps,
  clientIp: (c: Context<AppEnv>) => string = () => "unknown",
): ServiceApp {
  const docs = new DocumentStore(deps.db);
  const { config } = deps;
  const app = createServiceApp({
    name: SERVICE,
    version: config.APP_VERSION,
    log: deps.log,
    authSecret: config.AUTH_SECRET,
    metrics: deps.metrics,
    readiness: { store: () => docs.ping(), ...deps.readiness },
    trustedOrigins: config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).origin] : [],
    fault: { errorRate: config.FAULT_ERROR_RATE, latencyMs: config.FAULT_LATENCY_MS },
    // A full-content update carries the whole text (up to 1,000,000 code points, ≤ 4 bytes each).
    maxBodyBytes: 4 * 1024 * 1024 + 64 * 1024,
  });
  if (deps.limiter) {
    app.use(
      "/api/*",
      rateLimit({
        limiter: deps.limiter,
        rule: {
          limit: config.RATE_LIMIT_DOCS,
          windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
          algorithm: config.RATE_LIMIT_ALGORITHM,
        },
        name: "docs",
        key: userOrIpKey(clientIp),
      }),
    );
  }
  mountDocsPages(app);
  mountDocumentRoutes(app, deps, docs, deps.texts);
  return app;
}
