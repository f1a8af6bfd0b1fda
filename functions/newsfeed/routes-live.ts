/**
 * `GET /api/live`: new articles as Server-Sent Events (the fallback to the WebSocket, and what the page
 * uses). Whose follows filter the stream: the bearer token's user, else `?token=` (EventSource cannot set
 * headers), else `?user=` (a public demo view, as on the feed), else nobody (everything). The filter is
 * read once per connection: following something new shows up after the next reconnect. Where the stream
 * comes from is the runtime's: this process's hub on Node, the FeedHub Durable Object on the edge.
 */
import { verifyToken } from "../shared/auth.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { NewsfeedDeps } from "./deps.ts";
import { followFilter, type LiveFilter, type LiveHub } from "./live.ts";
import { type LiveRequest, liveSseStream, SSE_HEADERS } from "./live-stream.ts";
import type { NewsfeedStore } from "./store.ts";

const USER_ID = /^[^\s]{1,200}$/;

/** Opens one SSE stream for a live request. */
export interface LiveStreams {
  sse(request: LiveRequest): Response | Promise<Response>;
}

/** Streams from a hub in this process (Node). */
export function hubStreams(hub: LiveHub, heartbeatMs?: number): LiveStreams {
  return {
    sse: (request) => new Response(liveSseStream(hub, request, heartbeatMs), { headers: SSE_HEADERS }),
  };
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

export function mountLiveRoutes(app: ServiceApp, deps: NewsfeedDeps, live: LiveStreams): void {
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
    const res = await live.sse({ filter, lastEventId });
    // A copy with mutable headers: the middlewares add theirs (a fetched Response's are immutable).
    return new Response(res.body, { status: res.status, headers: new Headers(res.headers) });
  });
}
