/**
 * Link rules, pure: short codes, custom slugs, target validation and a link's redirect state.
 */

/** 56 symbols: no 0/O/o, 1/l/I, which people misread when they type a code from paper. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";
export const CODE_LENGTH = 7;
export const MAX_URL_LENGTH = 2048;
export const SLUG_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** Paths the service owns or may own; a slug may not shadow them. */
export const RESERVED_SLUGS = new Set([
  "api",
  "shorten",
  "healthz",
  "readyz",
  "metrics",
  "openapi.json",
  "static",
  "assets",
  "admin",
  "login",
  "logout",
  "app.js",
  "app.css",
  "favicon.ico",
  "robots.txt",
  "docs",
  "settings",
]);

export type RandomBytes = (n: number) => Uint8Array;
const cryptoRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/**
 * A random code from a CSPRNG. Bytes ≥ the largest multiple of the alphabet size are rejected so every
 * symbol is equally likely (no modulo bias).
 */
export function generateCode(random: RandomBytes = cryptoRandom, length = CODE_LENGTH): string {
  const n = CODE_ALPHABET.length;
  const limit = 256 - (256 % n);
  let code = "";
  while (code.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit) code += CODE_ALPHABET[byte % n];
      if (code.length === length) break;
    }
  }
  return code;
}

export type SlugProblem = "format" | "reserved";

export function checkSlug(slug: string): SlugProblem | undefined {
  if (!SLUG_PATTERN.test(slug)) return "format";
  if (RESERVED_SLUGS.has(slug.toLowerCase())) return "reserved";
  return undefined;
}

export interface TargetPolicy {
  /** Hosts of this service (a short link to itself would loop). */
  ownHosts: readonly string[];
  /** Hosts refused together with their subdomains. Lower case. */
  blockedHosts: readonly string[];
}

export type TargetCheck = { ok: true; url: string } | { ok: false; reason: string };

function hostMatches(host: string, rule: string): boolean {
  return host === rule || host.endsWith(`.${rule}`);
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether `hostname:port` reaches the server known as `own` ("host" or "host:port"): names compared
 * without a trailing dot, every loopback name counting as one, and a missing port matching any.
 */
function isSameServer(own: string, hostname: string, port: string): boolean {
  let ownUrl: URL;
  try {
    ownUrl = new URL(`http://${own}`);
  } catch {
    return false;
  }
  const a = ownUrl.hostname.toLowerCase().replace(/\.$/, "");
  const sameName = a === hostname || (LOOPBACK.test(a) && LOOPBACK.test(hostname));
  return sameName && (ownUrl.port === "" || port === "" || ownUrl.port === port);
}

/** Accepts only absolute http(s) URLs with a host, within the length limit, not ours, not blocked. */
export function checkTarget(raw: string, policy: TargetPolicy): TargetCheck {
  const input = raw.trim();
  if (input.length === 0) return { ok: false, reason: "url is empty" };
  if (input.length > MAX_URL_LENGTH)
    return { ok: false, reason: `url is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "url is not an absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, reason: `only http and https URLs can be shortened (got ${url.protocol})` };
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host) return { ok: false, reason: "url has no host" };
  if (url.username || url.password) return { ok: false, reason: "url may not contain credentials" };
  if (policy.ownHosts.some((own) => isSameServer(own, host, url.port))) {
    return { ok: false, reason: "url points to this shortener" };
  }
  const blocked = policy.blockedHosts.find((rule) => hostMatches(host, rule));
  if (blocked) return { ok: false, reason: `host ${host} is blocked` };
  const normalized = url.toString();
  if (normalized.length > MAX_URL_LENGTH) {
    return { ok: false, reason: `url is longer than ${MAX_URL_LENGTH} characters` };
  }
  return { ok: true, url: normalized };
}

export const REDIRECT_STATUSES = [301, 302, 307, 308] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

/** What the redirect path needs to know about a link (and what the cache holds). */
export interface LinkRecord {
  code: string;
  url: string;
  owner: string | null;
  title: string | null;
  tags: string[];
  passwordHash: string | null;
  redirectStatus: RedirectStatus;
  expiresAt: number | null;
  maxVisits: number | null;
  visitsUsed: number;
  createdAt: number;
  updatedAt: number;
}

export type LinkState = "active" | "expired" | "exhausted";

export function linkState(link: LinkRecord, nowMs: number): LinkState {
  if (link.expiresAt !== null && link.expiresAt <= nowMs) return "expired";
  if (link.maxVisits !== null && link.visitsUsed >= link.maxVisits) return "exhausted";
  return "active";
}
