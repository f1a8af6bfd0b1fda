/**
 * `GET /api/live`: new articles as Server-Sent Events (the fallback to the WebSocket, and what the page
 * uses). Whose follows filter the stream: the bearer token's user, else `?token=` (EventSource cannot set
 * headers), else `?user=` (a public demo view, as on the feed), else nobody (everything). The filter is
 * read once per connection: following something new shows up after the next reconnect.
 */
import { streamSSE } from "hono/streaming";
import { verifyToken } from "../shared/auth.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { followFilter, type LiveEvent, type LiveFilter, type LiveHub } from "./live.ts";
import type { NewsfeedStore } from "./store.ts";

export const HEARTBEAT_MS = 25_000;
/** What EventSource waits before reconnecting. */
export const RETRY_MS = 3000;
/** Events queued for a stream that does not drain; beyond this the client is too slow and is cut off. */
const MAX_QUEUED = 100;
const USER_ID = /^[^\s]{1,200}$/;

export interface LiveOptions {
  hub: LiveHub;
  heartbeatMs?: number;
}

/** How a live connection said who it is: its verified bearer user, `?token=`, `?user=`. */
export interface LiveCredentials {
  userId?: string;
  token?: string | null;
  user?: string | null;
}

/** The user whose follows filter the connection (a bad `?token=` is 401, as everywhere). */
export async function liveSubject(credentials: LiveCredentials, authSecret: string): Promise<string | null> {
  if (credentials.userId) return credentials.userId;
  if (credentials.token) return verifyToken(credentials.token, authSecret);
  const user = credentials.user?.trim();
  return user && USER_ID.test(user) ? user : null;
}

export async function liveFilter(store: NewsfeedStore, subject: string | null): Promise<LiveFilter | null> {
  return subject ? followFilter(await store.people.follows(subject)) : null;
}

/** An event as SSE text. */
export const sseEvent = (event: LiveEvent) => ({
  event: "articles",
  id: event.id,
  data: JSON.stringify({ articles: event.articles }),
});

export function mountLiveRoutes(app: ServiceApp, deps: NewsfeedDeps, live: LiveOptions): void {
  const { hub } = live;
  const heartbeatMs = live.heartbeatMs ?? HEARTBEAT_MS;
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/api/live",
    summary:
      "New articles of your follows as Server-Sent Events (`articles` events); auth by bearer, ?token= or ?user=",
    responses: { 200: { description: "text/event-stream" }, 401: { description: "Bad token" } },
  });

  app.get("/api/live", async (c) => {
    const subject = await liveSubject(
      { userId: c.var.userId, token: c.req.query("token"), user: c.req.query("user") },
      deps.config.AUTH_SECRET,
    );
    const filter = await liveFilter(deps.store, subject);
    const lastEventId = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId");
    c.header("X-Accel-Buffering", "no"); // proxies must not hold events back
    return streamSSE(c, async (stream) => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      // Writes are asynchronous and the hub is not: chain them, so events keep their order.
      let queued = 0;
      let chain = Promise.resolve();
      const enqueue = (write: () => Promise<unknown>) => {
        if (queued >= MAX_QUEUED) return finish();
        queued++;
        chain = chain
          .then(async () => {
            await write();
          })
          .catch(() => finish())
          .finally(() => {
            queued--;
          });
      };
      stream.onAbort(() => finish());
      enqueue(() => stream.write(`retry: ${RETRY_MS}\n\n`));
      // Replay and subscribe in one tick: no event can fall between them.
      if (lastEventId)
        for (const event of hub.since(lastEventId, filter) ?? [])
          enqueue(() => stream.writeSSE(sseEvent(event)));
      const unsubscribe = hub.subscribe({
        filter,
        send: (event) => enqueue(() => stream.writeSSE(sseEvent(event))),
        close: () => finish(),
      });
      // Comments keep idle proxies and load balancers from closing the stream.
      const heartbeat = setInterval(() => enqueue(() => stream.write(": heartbeat\n\n")), heartbeatMs);
      try {
        await finished;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
        await chain;
      }
    });
  });
}
