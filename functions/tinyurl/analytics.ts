/**
 * Visit analytics, pure: turning a raw visit into a stored row (bot, browser, OS, device, referrer host,
 * salted visitor hash) and shaping aggregate counts into the API's answer.
 */
import Bowser from "bowser";
import { isbot } from "isbot";

/** A visit as the redirect handler sees it. The IP never leaves memory: only its salted hash is stored. */
export interface VisitEvent {
  code: string;
  ts: number;
  ip: string;
  userAgent: string;
  referrer: string;
  country: string;
}

export interface VisitRow {
  code: string;
  ts: number;
  isBot: boolean;
  visitor: string;
  referrer: string;
  country: string;
  browser: string;
  os: string;
  device: string;
}

export const DAY_MS = 86_400_000;
const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  let s = "";
  for (const b of new Uint8Array(buf)) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Unique visitors are counted with HMAC-SHA256(secret, utcDay ‖ ip ‖ ua): the same person is one visitor
 * within a UTC day, and hashes can neither be joined across days nor reversed by enumerating IPs without
 * the secret.
 */
export async function visitorHash(
  secret: string,
  ts: number,
  ip: string,
  userAgent: string,
): Promise<string> {
  const input = `${Math.floor(ts / DAY_MS)}\n${ip}\n${userAgent}`;
  // Visitors come back within a day; a bounded memo saves an HMAC per repeat (it lives only in memory).
  const memoKey = `${secret}\n${input}`;
  const known = visitorMemo.get(memoKey);
  if (known) return known;
  const digest = await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(input));
  const hash = hex(digest).slice(0, 32);
  if (visitorMemo.size >= VISITOR_MEMO_MAX) visitorMemo.clear();
  visitorMemo.set(memoKey, hash);
  return hash;
}

const visitorMemo = new Map<string, string>();
const VISITOR_MEMO_MAX = 10_000;

// Importing the key costs as much as signing; the secret is fixed per process, so import it once.
const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** The referring host, `direct` when there is none, `unknown` when it is not a URL. */
export function referrerHost(referrer: string): string {
  if (!referrer) return "direct";
  try {
    return new URL(referrer).hostname.toLowerCase() || "unknown";
  } catch {
    return "unknown";
  }
}

export interface AgentDescription {
  browser: string;
  os: string;
  device: string;
  isBot: boolean;
}

/** Parsing a user agent is the costliest part of a visit, and a few agents make most traffic: memoize. */
const agentMemo = new Map<string, AgentDescription>();
const AGENT_MEMO_MAX = 2000;

export function describeAgent(userAgent: string): AgentDescription {
  const known = agentMemo.get(userAgent);
  if (known) return known;
  const described = parseAgent(userAgent);
  if (agentMemo.size >= AGENT_MEMO_MAX) agentMemo.clear();
  agentMemo.set(userAgent, described);
  return described;
}

function parseAgent(userAgent: string): AgentDescription {
  const bot = isbot(userAgent);
  if (!userAgent) return { browser: "unknown", os: "unknown", device: "unknown", isBot: bot };
  const parsed = Bowser.parse(userAgent);
  return {
    browser: parsed.browser.name || "unknown",
    os: parsed.os.name || "unknown",
    device: bot ? "bot" : (parsed.platform.type ?? "unknown"),
    isBot: bot,
  };
}

export async function toVisitRow(event: VisitEvent, secret: string): Promise<VisitRow> {
  const agent = describeAgent(event.userAgent);
  return {
    code: event.code,
    ts: event.ts,
    isBot: agent.isBot,
    visitor: await visitorHash(secret, event.ts, event.ip, event.userAgent),
    referrer: referrerHost(event.referrer),
    country: /^[A-Za-z]{2}$/.test(event.country) ? event.country.toUpperCase() : "unknown",
    browser: agent.browser,
    os: agent.os,
    device: agent.device,
  };
}

export type Interval = "hour" | "day";
export const INTERVAL_MS: Record<Interval, number> = { hour: 3_600_000, day: DAY_MS };
/** A series longer than this would be a denial of service on the caller's own browser. */
export const MAX_BUCKETS = 2000;

export interface Bucket {
  start: string;
  visits: number;
  humans: number;
}

/** Fills the series from `from` to `to` (bucket-aligned), with zero where nothing happened. */
export function buildSeries(
  counts: { bucket: number; visits: number; humans: number }[],
  from: number,
  to: number,
  interval: Interval,
): Bucket[] {
  const step = INTERVAL_MS[interval];
  const byBucket = new Map(counts.map((c) => [c.bucket, c]));
  const out: Bucket[] = [];
  for (let t = from - (from % step); t <= to && out.length < MAX_BUCKETS; t += step) {
    const c = byBucket.get(t);
    out.push({ start: new Date(t).toISOString(), visits: c?.visits ?? 0, humans: c?.humans ?? 0 });
  }
  return out;
}
