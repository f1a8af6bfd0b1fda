/**
 * The one Worker of the platform (root wrangler.toml). The services' seed API paths do not collide, so
 * one entry routes each request by path: services list the prefixes they own, and TinyURL answers the
 * rest because its short codes live at `/{code}` (and it owns `/`, `/healthz`, `/openapi.json`, …).
 * Durable Object classes must be exported by the main module, so they are re-exported here.
 */
import type { DocumentRoom } from "../durable/document-room.ts";
import type { RateLimiterObject } from "../durable/rate-limiter.ts";
import type { SqlDatabase } from "../durable/sql-database.ts";
import { type DocsWorkerEnv, docsWorker } from "./docs/worker.ts";
import { type TinyUrlWorkerEnv, tinyUrlWorker } from "./tinyurl/worker.ts";

export { DocumentRoom } from "../durable/document-room.ts";
export { RateLimiterObject } from "../durable/rate-limiter.ts";
export { SqlDatabase } from "../durable/sql-database.ts";

export interface WorkerEnv extends TinyUrlWorkerEnv, DocsWorkerEnv {
  SQL_DATABASE: DurableObjectNamespace<SqlDatabase>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiterObject>;
  DOCUMENT_ROOM: DurableObjectNamespace<DocumentRoom>;
}

interface EdgeService {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response>;
}

/**
 * Path prefixes of the services other than TinyURL, first match wins. Newsfeed will add
 * `/api/newsfeed`, `/api/like/`, `/api/recommendations/`. Docs owns its API (sockets included) and its
 * editor pages at `/d/{id}`; `/` stays TinyURL's.
 */
const ROUTES: { prefixes: string[]; service: EdgeService }[] = [
  { prefixes: ["/api/documents", "/d/"], service: docsWorker },
];

export function serviceFor(pathname: string): EdgeService {
  const route = ROUTES.find((r) => r.prefixes.some((prefix) => pathname.startsWith(prefix)));
  return route?.service ?? tinyUrlWorker;
}

export default {
  fetch(request, env, ctx) {
    return serviceFor(new URL(request.url).pathname).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<WorkerEnv>;

// What `wrangler types` would generate: types `env` and `exports` from "cloudflare:workers".
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import("./worker.ts");
      durableNamespaces: "SqlDatabase" | "RateLimiterObject" | "DocumentRoom";
    }
  }
}
