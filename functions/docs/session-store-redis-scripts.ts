/**
 * The Redis layout of the Docs session store (session-store-redis.ts): key names, how an entry is stored,
 * and the Lua scripts, each of which runs atomically over one document's two keys, KEYS[1] = state and
 * KEYS[2] = log. `{docId}` is the keys' hash tag, so one document lives in one Redis Cluster slot:
 *   <prefix>{docId}:state  hash: next    — the version the next op gets (the sequence);
 *                                durable — every entry below it is in SQL, identical (missing = 0);
 *                                seen    — a reader was handed entries below it (missing = 0), so they
 *                                          can no longer be taken back
 *   <prefix>{docId}:log    sorted set: the last `window` entries as JSON, scored by version
 *   <prefix>{docId}:ops    pub/sub channel: the new version, published after each stored op
 */
import type { Redis } from "ioredis";
import type { OpEntry, StoredOp } from "./session-store.ts";

export interface DocKeys {
  state: string;
  log: string;
  channel: string;
}

export function docKeys(docId: string, prefix = "canary:docs:"): DocKeys {
  const base = `${prefix}{${docId}}`;
  return { state: `${base}:state`, log: `${base}:log`, channel: `${base}:ops` };
}

/** An entry of the Redis log: the op, and the exact string stored (its identity in the scripts). */
export interface LogEntry {
  op: StoredOp;
  member: string;
}

export const encode = (v: number, entry: OpEntry): string =>
  JSON.stringify({ v, op: entry.op, src: entry.src, seq: entry.seq });
export const decode = (member: string): LogEntry => ({ op: JSON.parse(member) as StoredOp, member });

type Keyed = (state: string, log: string, ...args: (string | number)[]) => Promise<unknown>;
export type ScriptedRedis = Redis &
  Record<"docsAppend" | "docsRead" | "docsCommit" | "docsUndo" | "docsReset", Keyed>;

/** Adds the scripts as commands; ioredis runs them with EVALSHA and falls back to EVAL on NOSCRIPT. */
export function defineScripts(client: Redis): ScriptedRedis {
  const scripts = {
    docsAppend: APPEND,
    docsRead: READ,
    docsCommit: COMMIT,
    docsUndo: UNDO,
    docsReset: RESET,
  };
  for (const [name, lua] of Object.entries(scripts)) client.defineCommand(name, { lua, numberOfKeys: 2 });
  return client as ScriptedRedis;
}

/**
 * Takes version ARGV[1] for entry ARGV[2] if it is the next one, keeps the last ARGV[3] entries, and
 * refreshes the keys' expiry (ARGV[4] seconds). ARGV[5] is SQL's next version when the caller read it
 * (else -1): a missing state, or one behind SQL, starts again from it.
 * Returns {'ok'}, {'conflict', next} or {'missing'}.
 */
const APPEND = `
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '-1')
local floor = tonumber(ARGV[5])
if next < floor then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'next', floor, 'durable', floor)
  next = floor
end
if next < 0 then return {'missing'} end
local v = tonumber(ARGV[1])
if next ~= v then return {'conflict', next} end
redis.call('ZADD', KEYS[2], v, ARGV[2])
redis.call('HSET', KEYS[1], 'next', v + 1)
local size = redis.call('ZCARD', KEYS[2])
local keep = tonumber(ARGV[3])
if size > keep then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, size - keep - 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {'ok'}
`;

/**
 * The entries from version ARGV[1] (or from `durable`, if lower) to ARGV[2] (exclusive; '' = the end), as
 * {durable, entries}; nil when the log does not reach back to ARGV[1] (then SQL answers). Handing out
 * entries at or above `durable` raises `seen`, so their appender can no longer take them back.
 */
const READ = `
local next = redis.call('HGET', KEYS[1], 'next')
if not next then return nil end
local from = tonumber(ARGV[1])
local durable = tonumber(redis.call('HGET', KEYS[1], 'durable') or '0')
local last = tonumber(next) - 1
if ARGV[2] ~= '' then last = math.min(last, tonumber(ARGV[2]) - 1) end
if from > last then return {durable, {}} end
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #first == 0 or tonumber(first[2]) > from then return nil end
if last >= durable and tonumber(redis.call('HGET', KEYS[1], 'seen') or '0') <= last then
  redis.call('HSET', KEYS[1], 'seen', last + 1)
end
local start = math.max(math.min(from, durable), tonumber(first[2]))
return {durable, redis.call('ZRANGEBYSCORE', KEYS[2], start, last)}
`;

/**
 * Raises `durable` to ARGV[2] once the entries in [ARGV[1], ARGV[2]) were checked against SQL: only if
 * `durable` already reaches ARGV[1] and the checked entry ARGV[3] is still at ARGV[2] - 1 (the log was
 * not dropped meanwhile). Then publishes ARGV[5] on channel ARGV[4] unless it is ''.
 */
const COMMIT = `
if redis.call('HEXISTS', KEYS[1], 'next') == 1 then
  local durable = tonumber(redis.call('HGET', KEYS[1], 'durable') or '0')
  local to = tonumber(ARGV[2])
  local score = redis.call('ZSCORE', KEYS[2], ARGV[3])
  if durable >= tonumber(ARGV[1]) and durable < to and score and tonumber(score) == to - 1 then
    redis.call('HSET', KEYS[1], 'durable', to)
  end
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
`;

/**
 * Takes entry ARGV[2] back from version ARGV[1] when SQL did not store it: only while it is the last
 * entry, not durable, and no reader was handed it. Returns 1 when taken back, else 0.
 */
const UNDO = `
local v = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'next', 'durable', 'seen')
if tonumber(state[1] or '-1') ~= v + 1 or tonumber(state[2] or '0') > v or tonumber(state[3] or '0') > v then
  return 0
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not score or tonumber(score) ~= v then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], 'next', v)
return 1
`;

/**
 * Forgets the document (both keys) when entry ARGV[2] is still at version ARGV[1]: SQL holds another op
 * there, so Redis' view is wrong and the next append starts again from SQL. Returns 1 when dropped.
 */
const RESET = `
local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
if score and tonumber(score) == tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`;
