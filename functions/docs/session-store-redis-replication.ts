/**
 * The Replication port over Redis pub/sub (session-store-redis.ts sequences the ops themselves). Each
 * document has one channel, carrying two kinds of message, told apart by their first character:
 * - a decimal version (`"42"`): an op was stored; published by the COMMIT script. Replicas older than
 *   events treat every message this way, so an event only makes them catch up, which is harmless;
 * - a JSON object (`{"kind":"deleted","from":…}`, `{"kind":"role","user":…,"from":…}`): an event a
 *   replica published. `from` names the publishing replica, which ignores its own events (it has acted
 *   already); events of an unknown kind (from a newer replica) are ignored.
 */
import type { Redis } from "ioredis";
import type { Logger } from "../shared/logger.ts";
import type { Replication, ReplicationEvent } from "./sessions.ts";

export interface RedisReplicationOptions {
  /** The subscribed connection (a subscribed connection can do nothing else). */
  subscriber: Redis;
  /** A command connection, to publish events on. */
  publisher: Pick<Redis, "publish">;
  /** The channel of a document. */
  channelOf: (docId: string) => string;
  log?: Logger;
}

interface Watcher {
  changed: () => void;
  event?: (event: ReplicationEvent) => void;
}

interface Channel {
  watchers: Set<Watcher>;
  listening: boolean;
}

/** The event in a channel message, or null for a version (or anything that is not an event). */
export function decodeEvent(message: string): { from: unknown; event: ReplicationEvent | undefined } | null {
  if (!message.startsWith("{")) return null;
  let parsed: { kind?: unknown; user?: unknown; from?: unknown };
  try {
    parsed = JSON.parse(message) as typeof parsed;
  } catch {
    return null;
  }
  const { kind, user, from } = parsed;
  if (kind === "deleted") return { from, event: { kind } };
  if (kind === "role" && typeof user === "string") return { from, event: { kind, user } };
  return { from, event: undefined };
}

/**
 * One subscription per document however many watchers it has, dropped when the last one leaves.
 * Messages sent while the connection was down are lost, so after a reconnect every watcher is told the
 * log may have grown (a lost event is not replayed: see `publish`).
 */
export class RedisReplication implements Replication {
  readonly #sub: Redis;
  readonly #pub: Pick<Redis, "publish">;
  readonly #channelOf: (docId: string) => string;
  readonly #log: Logger | undefined;
  readonly #channels = new Map<string, Channel>();
  /** This replica's name in the events it publishes. */
  readonly #origin = crypto.randomUUID();
  #lost = false;

  constructor(options: RedisReplicationOptions) {
    this.#sub = options.subscriber;
    this.#pub = options.publisher;
    this.#channelOf = options.channelOf;
    this.#log = options.log;
    this.#sub.on("message", this.#onMessage);
    this.#sub.on("close", this.#onClose);
    this.#sub.on("ready", this.#onReady);
  }

  watch(docId: string, changed: () => void, event?: (event: ReplicationEvent) => void): () => void {
    const name = this.#channelOf(docId);
    const watcher: Watcher = { changed, event }; // its own identity, so one callback may watch twice
    let channel = this.#channels.get(name);
    if (channel === undefined) {
      channel = { watchers: new Set(), listening: false };
      this.#channels.set(name, channel);
      this.#listen(name, channel);
    } else if (channel.listening) {
      queueMicrotask(() => changed()); // already listening: this watcher's "started" call
    }
    channel.watchers.add(watcher);
    const mine = channel;
    return () => {
      if (!mine.watchers.delete(watcher) || mine.watchers.size > 0 || this.#channels.get(name) !== mine)
        return;
      this.#channels.delete(name);
      this.#sub.unsubscribe(name).catch((error) => this.#warn("unsubscribe", error));
    };
  }

  /**
   * Tells every other replica watching the document. Pub/sub delivers at most once: a replica whose
   * subscriber is reconnecting misses it (its sockets then stay as they were until they reconnect).
   */
  async publish(docId: string, event: ReplicationEvent): Promise<void> {
    await this.#pub.publish(this.#channelOf(docId), JSON.stringify({ ...event, from: this.#origin }));
  }

  /** Stops listening to every document (shutdown). */
  async close(): Promise<void> {
    this.#sub.off("message", this.#onMessage);
    this.#sub.off("close", this.#onClose);
    this.#sub.off("ready", this.#onReady);
    const names = [...this.#channels.keys()];
    this.#channels.clear();
    if (names.length > 0)
      await this.#sub.unsubscribe(...names).catch((error) => this.#warn("unsubscribe", error));
  }

  #listen(name: string, channel: Channel): void {
    this.#sub.subscribe(name).then(
      () => {
        if (this.#channels.get(name) !== channel) return;
        channel.listening = true;
        for (const watcher of [...channel.watchers]) watcher.changed();
      },
      (error) => this.#warn("subscribe", error),
    );
  }

  readonly #onMessage = (name: string, message: string): void => {
    const watchers = [...(this.#channels.get(name)?.watchers ?? [])];
    const decoded = decodeEvent(message);
    if (decoded === null) {
      for (const watcher of watchers) watcher.changed();
      return;
    }
    const { from, event } = decoded;
    if (from === this.#origin || event === undefined) return;
    for (const watcher of watchers) watcher.event?.(event);
  };

  readonly #onClose = (): void => {
    this.#lost = true;
    for (const channel of this.#channels.values()) channel.listening = false;
  };

  readonly #onReady = (): void => {
    if (!this.#lost) return;
    this.#lost = false;
    // ioredis resubscribes by itself; subscribing again is idempotent and says when it took effect.
    for (const [name, channel] of this.#channels) this.#listen(name, channel);
  };

  #warn(what: string, error: unknown): void {
    this.#log?.warn(`docs: redis ${what} failed`, { err: String(error) });
  }
}
