/**
 * Live updates on the edge, the Worker's side: one FeedHub Durable Object (durable/feed-hub.ts, named
 * "newsfeed") holds every live connection. The Worker finds out who is asking and what they follow, then
 * forwards the request with that filter in LIVE_HEADERS; the request is built from scratch, so no header
 * a client sent reaches the hub. New articles reach the hub by RPC (`publish`) from the cron's ingest.
 */
import { AppError, errorBody } from "../shared/errors.ts";
import { filterFromJson, filterToJson, type LiveEvent, type LiveFilterJson, newEventId } from "./live.ts";
import type { LiveRequest } from "./live-stream.ts";
import { type LiveStreams, liveFilter, liveSubject } from "./routes-live.ts";
import type { NewsfeedStore } from "./store.ts";

export const LIVE_HEADERS = {
  filter: "x-newsfeed-filter",
  lastEventId: "x-newsfeed-last-event-id",
} as const;

/** The hub object as the Worker sees it (a stub of durable/feed-hub.ts). */
export interface FeedHubStub {
  fetch(request: Request): Promise<Response>;
  publish(event: LiveEvent): Promise<boolean>;
}

export interface FeedHubNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): FeedHubStub;
}

/** The one hub: every live connection of the service hangs off it. */
export const feedHub = (namespace: FeedHubNamespace): FeedHubStub =>
  namespace.get(namespace.idFromName("newsfeed"));

export function liveRequestHeaders(request: LiveRequest): Headers {
  const headers = new Headers({ [LIVE_HEADERS.filter]: JSON.stringify(filterToJson(request.filter)) });
  if (request.lastEventId) headers.set(LIVE_HEADERS.lastEventId, request.lastEventId);
  return headers;
}

const strings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

/** The live request the Worker forwarded; null when the filter header is missing or malformed. */
export function liveRequestFrom(headers: Headers): LiveRequest | null {
  let json: unknown;
  try {
    json = JSON.parse(headers.get(LIVE_HEADERS.filter) ?? "");
  } catch {
    return null;
  }
  if (json !== null) {
    if (typeof json !== "object") return null;
    const { sources, topics } = json as Record<string, unknown>;
    if (!strings(sources) || !strings(topics)) return null;
  }
  const lastEventId = headers.get(LIVE_HEADERS.lastEventId) ?? undefined;
  return { filter: filterFromJson(json as LiveFilterJson), lastEventId };
}

/** `GET /api/live` on the edge: the stream comes from the hub object. */
export function hubObjectStreams(namespace: FeedHubNamespace): LiveStreams {
  return {
    sse: (request) =>
      feedHub(namespace).fetch(new Request("https://feed-hub/sse", { headers: liveRequestHeaders(request) })),
  };
}

/** Hands a batch of new articles to the hub; an empty batch is not sent. */
export async function publishToHub(
  namespace: FeedHubNamespace,
  articles: LiveEvent["articles"],
): Promise<void> {
  if (articles.length > 0) await feedHub(namespace).publish({ id: newEventId(), articles });
}

/**
 * `GET /api/live/socket` on the edge: who is asking (bearer header, `?token=`, `?user=`, as on Node),
 * their follows as the filter, then the upgrade forwarded to the hub. A bad token is 401 before any upgrade.
 */
export async function openLiveSocket(
  request: Request,
  deps: { store: NewsfeedStore; authSecret: string; namespace: FeedHubNamespace },
): Promise<Response> {
  const url = new URL(request.url);
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  let subject: string | null;
  try {
    subject = await liveSubject(
      { token: bearer ?? url.searchParams.get("token"), user: url.searchParams.get("user") },
      deps.authSecret,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return Response.json(errorBody(error.code, error.message), { status: error.status });
  }
  const filter = await liveFilter(deps.store, subject);
  const headers = liveRequestHeaders({
    filter,
    lastEventId: url.searchParams.get("lastEventId") ?? undefined,
  });
  headers.set("upgrade", "websocket");
  return feedHub(deps.namespace).fetch(new Request("https://feed-hub/socket", { headers }));
}
