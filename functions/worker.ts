/**
 * The one Worker of the platform (root wrangler.toml). The services' seed API paths do not collide, so
 * one entry routes each request by path: services list the prefixes they own, and TinyURL answers the
 * rest because its short codes live at `/{code}` (and it owns `/`, `/healthz`, `/openapi.json`, …).
 * Durable Object classes must be exported by the main module, so they are re-exported here.
 */
import type { DocumentRoom } from "../durable/document-room.ts";
import type { FeedHub } from "../durable/feed-hub.ts";
import type { RateLimiterObject } from "../durable/rate-limiter.ts";
import type { SqlDatabase } from "../durable/sql-database.ts";
import { type DocsWorkerEnv, docsWorker } from "./docs/worker.ts";
import type { NewsfeedWorkerEnv } from "./newsfeed/worker.ts";
import { type TinyUrlWorkerEnv, tinyUrlWorker } from "./tinyurl/worker.ts";

export { DocumentRoom } from "../durable/document-room.ts";
export { FeedHub } from "../durable/feed-hub.ts";
export { RateLimiterObject } from "../durable/rate-limiter.ts";
export { SqlDatabase } from "../durable/sql-database.ts";

export interface WorkerEnv extends TinyUrlWorkerEnv, DocsWorkerEnv, NewsfeedWorkerEnv {
  SQL_DATABASE: DurableObjectNamespace<SqlDatabase>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiterObject>;
  DOCUMENT_ROOM: DurableObjectNamespace<DocumentRoom>;
  FEED_HUB: DurableObjectNamespace<FeedHub>;
}

interface EdgeService {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response>;
}

/**
 * Path prefixes of the services other than TinyURL, first match wins. Docs owns its API (sockets
 * included) and its editor pages at `/d/{id}`; Newsfeed its API (NEWSFEED_PREFIXES); `/` stays TinyURL's.
 */
/**
 * Newsfeed is loaded on its first request or cron event: its feed parsing and sanitising modules are
 * large, and the other services' requests need none of them.
 */
const newsfeed = () => import("./newsfeed/worker.ts").then((m) => m.newsfeedWorker);
const newsfeedService: EdgeService = {
  fetch: async (request, env, ctx) => (await newsfeed()).fetch(request, env, ctx),
};

/** Newsfeed's paths: its API (docs/api/newsfeed.md), live updates included. */
export const NEWSFEED_ROUTES = [
  "/api/newsfeed",
  "/api/like/",
  "/api/recommendations/",
  "/api/search",
  "/api/feeds",
  "/api/follows",
  "/api/articles",
  "/api/live",
];

const ROUTES: { prefixes: string[]; service: EdgeService }[] = [
  { prefixes: ["/api/documents", "/d/"], service: docsWorker },
  { prefixes: NEWSFEED_ROUTES, service: newsfeedService },
];

export function serviceFor(pathname: string): EdgeService {
  const route = ROUTES.find((r) => r.prefixes.some((prefix) => pathname.startsWith(prefix)));
  return route?.service ?? tinyUrlWorker;
}

export default {
  fetch(request, env, ctx) {
    return serviceFor(new URL(request.url).pathname).fetch(request, env, ctx);
  },
  /** Cron Triggers (wrangler.toml `[triggers]`): Newsfeed's due feed checks are the only scheduled work. */
  async scheduled(controller, env, ctx) {
    return (await newsfeed()).scheduled(controller, env, ctx);
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
