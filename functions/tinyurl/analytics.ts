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
 * Unique visitors are counted with sha256(daySalt ‖ ip ‖ ua), where the salt changes every UTC day and is
 * derived from a server secret: the same person is one visitor within a day, and hashes cannot be joined
 * across days or reversed by enumerating IPs without the secret.
 */
export async function visitorHash(secret: string, ts: number, ip: string, userAgent: string): Promise<string> {
  const day = Math.floor(ts / DAY_MS);
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const digest = await crypto.subtle.sign("HMAC", key, enc.encode(`${day}\n${ip}\n${userAgent}`));
  return hex(digest).slice(0, 32);
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

export function describeAgent(userAgent: string): { browser: string; os: string; device: string; isBot: boolean } {
  const bot = isbot(userAgent);
  if (!userAgent) return { browser: "unknown", os: "unknown", device: "unknown", isBot: bot };
  const parsed = Bowser.parse(userAgent);
  const device = bot ? "bot" : (parsed.platform.type ?? "unknown");
  return {
    browser: parsed.browser.name || "unknown",
    os: parsed.os.name || "unknown",
    device,
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
