/**
 * Live updates, the in-process side: a hub of subscribers (SSE streams, WebSockets) each with the follow
 * filter of the person behind it. `publish` hands a batch of new articles to every subscriber whose
 * follows match (anonymous subscribers, and people who follow nothing, get everything) and keeps the
 * last events for `Last-Event-ID` replay. Across replicas, live-redis.ts carries batches between hubs.
 */
import type { ArticleRecord } from "./store-articles.ts";
import type { FeedRecord } from "./store-feeds.ts";

/** An article as the live channel sends it (docs/api/newsfeed.md, "Live updates"). */
export interface LiveArticle {
  id: string;
  title: string | null;
  link: string | null;
  feedId: string;
  feedTitle: string | null;
  publishedAt: string;
  topics: string[];
}

/** One batch of new articles; `id` is unique across replicas (the publishing replica assigns it). */
export interface LiveEvent {
  id: string;
  articles: LiveArticle[];
}

/** What a subscriber follows; null means everything. */
export interface LiveFilter {
  sources: ReadonlySet<string>;
  topics: ReadonlySet<string>;
}

export interface LiveSubscriber {
  filter: LiveFilter | null;
  /** Receives the articles of an event that match the filter (never an empty list). */
  send(event: LiveEvent): void;
  /** Called when the hub shuts down, so the connection can end. */
  close(): void;
}

export const REPLAY_EVENTS = 200;

/** Where live WebSockets connect (SSE is `GET /api/live`). */
export const LIVE_SOCKET_PATH = "/api/live/socket";

/** An event id unique across replicas and restarts (Web Crypto: the same on Node and the edge). */
export const newEventId = (): string => `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;

export function liveArticle(feed: Pick<FeedRecord, "id" | "title">, article: ArticleRecord): LiveArticle {
  return {
    id: String(article.id),
    title: article.title,
    link: article.link,
    feedId: String(feed.id),
    feedTitle: feed.title,
    publishedAt: new Date(article.postedAt).toISOString(),
    topics: article.topics,
  };
}

/** A filter from a user's follows; following nothing means seeing everything (as their feed does). */
export function followFilter(follows: {
  sources: readonly number[];
  topics: readonly string[];
}): LiveFilter | null {
  if (follows.sources.length + follows.topics.length === 0) return null;
  return { sources: new Set(follows.sources.map(String)), topics: new Set(follows.topics) };
}

/** An event read back from JSON (another replica's message, the edge hub's log); undefined if malformed. */
export function parseLiveEvent(value: unknown): LiveEvent | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { id, articles } = value as Record<string, unknown>;
  if (typeof id !== "string" || !Array.isArray(articles)) return undefined;
  const valid = articles.every(
    (a) =>
      typeof a === "object" &&
      a !== null &&
      typeof a.id === "string" &&
      typeof a.feedId === "string" &&
      typeof a.publishedAt === "string" &&
      Array.isArray(a.topics),
  );
  return valid ? { id, articles: articles as LiveArticle[] } : undefined;
}

/** An event as a WebSocket message; its `id` is what `?lastEventId=` takes on reconnect. */
export const socketMessage = (event: LiveEvent): string =>
  JSON.stringify({ type: "articles", id: event.id, articles: event.articles });

/** A filter as plain JSON (a socket attachment, a header between the Worker and the hub object). */
export type LiveFilterJson = { sources: string[]; topics: string[] } | null;

export const filterToJson = (filter: LiveFilter | null): LiveFilterJson =>
  filter ? { sources: [...filter.sources], topics: [...filter.topics] } : null;

export const filterFromJson = (json: LiveFilterJson): LiveFilter | null =>
  json ? { sources: new Set(json.sources), topics: new Set(json.topics) } : null;

export function matches(filter: LiveFilter | null, article: LiveArticle): boolean {
  if (!filter) return true;
  return filter.sources.has(article.feedId) || article.topics.some((t) => filter.topics.has(t));
}

/** The part of `event` a subscriber with `filter` sees; undefined when nothing matches. */
export function visibleTo(filter: LiveFilter | null, event: LiveEvent): LiveEvent | undefined {
  const articles = event.articles.filter((a) => matches(filter, a));
  return articles.length > 0 ? { id: event.id, articles } : undefined;
}

export class LiveHub {
  readonly #subscribers = new Set<LiveSubscriber>();
  readonly #recent: LiveEvent[] = [];
  readonly #replayEvents: number;
  #closed = false;

  /** `recent`: events remembered from before (the edge hub reloads them after hibernation). */
  constructor(options: { replayEvents?: number; recent?: readonly LiveEvent[] } = {}) {
    this.#replayEvents = options.replayEvents ?? REPLAY_EVENTS;
    this.#recent.push(...(options.recent ?? []).slice(-this.#replayEvents));
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: LiveSubscriber): () => void {
    if (this.#closed) {
      subscriber.close();
      return () => {};
    }
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /**
   * The remembered events after `lastEventId`, filtered for `filter`. Undefined when that id is not
   * remembered (too old, or from before a restart): the client has missed more than a replay can give.
   */
  since(lastEventId: string, filter: LiveFilter | null): LiveEvent[] | undefined {
    const at = this.#recent.findIndex((e) => e.id === lastEventId);
    if (at < 0) return undefined;
    return this.#recent.slice(at + 1).flatMap((e) => visibleTo(filter, e) ?? []);
  }

  /** Delivers an event to the subscribers it concerns, once; false for an empty or repeated event. */
  publish(event: LiveEvent): boolean {
    if (event.articles.length === 0 || this.#recent.some((e) => e.id === event.id)) return false;
    this.#recent.push(event);
    if (this.#recent.length > this.#replayEvents) this.#recent.shift();
    for (const subscriber of this.#subscribers) {
      const visible = visibleTo(subscriber.filter, event);
      if (!visible) continue;
      try {
        subscriber.send(visible);
      } catch {
        // A connection that cannot take a message is being torn down; its own close handler removes it.
      }
    }
    return true;
  }

  /** Ends every subscription (shutdown); later subscribers are closed at once. */
  close(): void {
    this.#closed = true;
    for (const subscriber of this.#subscribers) subscriber.close();
    this.#subscribers.clear();
  }
}
