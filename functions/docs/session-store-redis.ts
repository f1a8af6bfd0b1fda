/**
 * Several Node replicas serving one document: Redis sequences each document's ops (a Lua script takes a
 * version only if it is the next one) and fans them out over pub/sub; SQL (libSQL, shared by every
 * replica) stays the durable record. An op is acknowledged only once SQL holds it, and readers are only
 * ever handed ops SQL holds, so Redis can lose everything at any moment without losing or reordering an
 * acknowledged op: it is a fast sequencer and a cache of the log's tail, never the authority.
 *
 * Keys and scripts: session-store-redis-scripts.ts; replicas hearing of each other's ops and events
 * (deletions, role changes): session-store-redis-replication.ts.
 *
 * Crash windows of `append`, and why each is safe:
 * - After Redis took the version, before SQL stored it: the op was never acknowledged. Redis holds it
 *   above `durable`, and the first reader it reaches stores it before handing it out; no session can
 *   append after it without reading it, so SQL gets no gap. The client resends the same (src, seq) and
 *   the session dedupes it.
 * - After SQL stored it, before `durable` was raised and the version published: the op is durable but
 *   unacknowledged; readers check it against SQL and raise `durable`; the resend is deduped.
 * - Redis restarted or flushed: the state is missing and starts again from SQL's next version. An op in
 *   flight still goes through SQL's guarded insert, so SQL's primary key arbitrates any version taken twice.
 * - Redis behind SQL (restored from an old snapshot, or an op taken back whose write did land): the next
 *   version Redis hands out is taken in SQL; the appender sees another op there, drops Redis' view of the
 *   document and reports a conflict, so the session catches up from SQL and retries.
 */
import type { Redis } from "ioredis";
import type { Logger } from "../shared/logger.ts";
import type { RedisConnection } from "../shared/redis.ts";
import type { LoadedDocument, OpEntry, SessionStore, StoredOp } from "./session-store.ts";
import { StoreConflictError } from "./session-store.ts";
import { RedisReplication } from "./session-store-redis-replication.ts";
import {
  type DocKeys,
  decode,
  defineScripts,
  docKeys,
  encode,
  type LogEntry,
  type ScriptedRedis,
} from "./session-store-redis-scripts.ts";
import type { SqlSessionStore } from "./session-store-sql.ts";

export { RedisReplication } from "./session-store-redis-replication.ts";

export interface RedisDocsOptions {
  /** Prefix of every key and channel (default `canary:docs:`). */
  prefix?: string;
  /** How many recent ops Redis keeps per document (default 10,000); older ones are read from SQL. */
  window?: number;
  /** A document's keys expire after this long without an op (default one day); SQL has everything. */
  idleSeconds?: number;
  log?: Logger;
}

/** APPEND's reply: ["ok"], ["conflict", next] or ["missing"]. */
type Reply = [status: "ok" | "conflict" | "missing", next?: number];

const sameAuthor = (a: OpEntry | undefined, b: OpEntry) => a?.src === b.src && a.seq === b.seq;

export class RedisSessionStore implements SessionStore {
  readonly #redis: ScriptedRedis;
  readonly #sql: SqlSessionStore;
  readonly #prefix: string;
  readonly #window: number;
  readonly #idleSeconds: number;
  readonly #log: Logger | undefined;

  constructor(client: Redis, durable: SqlSessionStore, options: RedisDocsOptions = {}) {
    this.#sql = durable;
    this.#prefix = options.prefix ?? "canary:docs:";
    this.#window = options.window ?? 10_000;
    this.#idleSeconds = options.idleSeconds ?? 86_400;
    this.#log = options.log;
    for (const [name, value] of Object.entries({ window: this.#window, idleSeconds: this.#idleSeconds })) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`redis docs option ${name} must be a positive integer, got ${value}`);
    }
    this.#redis = defineScripts(client);
  }

  keys(docId: string): DocKeys {
    return docKeys(docId, this.#prefix);
  }

  async create(docId: string, content: string): Promise<void> {
    const { state, log } = this.keys(docId);
    // Leftovers of a removed document of the same id (if remove() could not reach Redis) must not outlive it.
    await this.#redis.del(state, log);
    await this.#sql.create(docId, content);
    await this.#redis.multi().hsetnx(state, "next", 0).expire(state, this.#idleSeconds).exec();
  }

  async append(docId: string, version: number, entry: OpEntry): Promise<void> {
    const keys = this.keys(docId);
    const member = encode(version, entry);
    await this.#claim(docId, keys, version, member);
    try {
      // SQL holds every op before this one: the caller got to `version` through this store, which hands
      // out only stored ops (an op whose appender crashed is stored by the first reader it reaches).
      await this.#sql.append(docId, version, entry);
    } catch (error) {
      await this.#settle(docId, keys, version, entry, member, error);
    }
    // Stored. Telling readers and replicas is best effort: they also learn of it on their next conflict.
    await this.#redis
      .docsCommit(keys.state, keys.log, version, version + 1, member, keys.channel, String(version + 1))
      .catch((error) =>
        this.#log?.warn("docs: publishing a stored op failed", { doc: docId, err: String(error) }),
      );
  }

  async load(docId: string): Promise<LoadedDocument | null> {
    const loaded = await this.#sql.load(docId);
    if (loaded === null) return null;
    const next = loaded.snapshot.version + loaded.ops.length;
    const window = await this.#read(docId, next);
    if (window === null) return loaded;
    return { snapshot: loaded.snapshot, ops: [...loaded.ops, ...(await this.#settled(docId, window, next))] };
  }

  snapshot(docId: string, version: number, content: string): Promise<void> {
    return this.#sql.snapshot(docId, version, content);
  }

  async ops(docId: string, from: number, to?: number): Promise<StoredOp[]> {
    const window = await this.#read(docId, from, to);
    if (window === null) return this.#sql.ops(docId, from, to);
    return this.#settled(docId, window, from, to);
  }

  async remove(docId: string): Promise<void> {
    await this.#sql.remove(docId);
    const { state, log } = this.keys(docId);
    await this.#redis.del(state, log);
  }

  /** Takes `version` in Redis, or rejects with StoreConflictError. */
  async #claim(docId: string, keys: DocKeys, version: number, member: string): Promise<void> {
    const limits = [this.#window, this.#idleSeconds];
    const take = async (floor: number) =>
      (await this.#redis.docsAppend(keys.state, keys.log, version, member, ...limits, floor)) as Reply;
    let [status, next] = await take(-1);
    // Redis lost the document (restart, flush, expiry) or is behind this session, which only got to
    // `version` through SQL: continue from SQL's version, so the sequence never rewinds.
    if (status === "missing" || (status === "conflict" && next! < version)) {
      const stored = await this.#sql.nextVersion(docId);
      if (stored === null) throw new StoreConflictError(`document ${docId} does not exist`);
      [status, next] = await take(stored);
    }
    if (status !== "ok")
      throw new StoreConflictError(`document ${docId} is at version ${next}, not ${version}`);
  }

  /** The SQL write failed or was refused: resolves if SQL holds the op anyway, else rejects. */
  async #settle(
    docId: string,
    keys: DocKeys,
    version: number,
    entry: OpEntry,
    member: string,
    cause: unknown,
  ): Promise<void> {
    let next: number | null;
    try {
      next = await this.#sql.nextVersion(docId);
    } catch {
      // SQL is unreachable, so whether the write landed is unknown: Redis keeps the op, and whoever reads
      // or appends next stores it (the resend is then a duplicate), unless a flush drops it first.
      throw cause;
    }
    if (next === null) throw new StoreConflictError(`document ${docId} does not exist`);
    if (next <= version) {
      // Not stored: take it back, so the next op gets this version, unless a reader was already handed it.
      await this.#redis.docsUndo(keys.state, keys.log, version, member).catch(() => 0); // else Redis keeps it
      throw cause;
    }
    // A reader stored it for us, or SQL holds another op here because Redis was behind SQL.
    const [stored] = await this.#sql.ops(docId, version, version + 1);
    if (sameAuthor(stored, entry)) return;
    await this.#redis.docsReset(keys.state, keys.log, version, member);
    throw new StoreConflictError(`document ${docId} is at version ${next}, not ${version}`);
  }

  async #read(docId: string, from: number, to?: number): Promise<[durable: number, LogEntry[]] | null> {
    const { state, log } = this.keys(docId);
    const reply = (await this.#redis.docsRead(state, log, from, to ?? "")) as [number, string[]] | null;
    return reply && [reply[0], reply[1].map(decode)];
  }

  /**
   * The ops in [from, to) from a window of the Redis log. Entries below `durable` are in SQL as they are;
   * the others are stored first (their appender may still be writing, or may have crashed) and then read
   * back from SQL, which is what the caller gets: nobody is handed an op SQL does not hold.
   */
  async #settled(
    docId: string,
    [durable, entries]: [number, LogEntry[]],
    from: number,
    to?: number,
  ): Promise<StoredOp[]> {
    const pending = entries.filter((e) => e.op.v >= durable);
    if (pending.length === 0) return entries.filter((e) => e.op.v >= from).map((e) => e.op);
    const first = pending[0]!.op.v;
    const unconfirmed = pending.map((e) => e.op);
    await this.#sql.persist(docId, unconfirmed);
    const stored = await this.#sql.ops(docId, Math.min(from, first), to);
    const byVersion = new Map(stored.map((op) => [op.v, op]));
    const { state, log } = this.keys(docId);
    const wrong = pending.find((e) => !sameAuthor(byVersion.get(e.op.v), e.op));
    if (wrong) {
      this.#log?.warn("docs: Redis log disagrees with SQL; dropping it", { doc: docId, v: wrong.op.v });
      await this.#redis.docsReset(state, log, wrong.op.v, wrong.member);
    } else {
      const last = pending[pending.length - 1]!;
      await this.#redis.docsCommit(state, log, durable, last.op.v + 1, last.member, "", "");
    }
    return stored.filter((op) => op.v >= from);
  }
}

/** The Redis-sequenced store and its replication, for node.ts when REDIS_URL is set. */
export function redisDocs(
  connection: RedisConnection,
  durable: SqlSessionStore,
  options: RedisDocsOptions = {},
): { store: RedisSessionStore; replication: RedisReplication } {
  const store = new RedisSessionStore(connection.client, durable, options);
  const replication = new RedisReplication({
    subscriber: connection.subscriber(),
    publisher: connection.client,
    channelOf: (docId) => store.keys(docId).channel,
    log: options.log,
  });
  return { store, replication };
}
