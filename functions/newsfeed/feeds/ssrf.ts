/**
 * Which addresses a feed fetch may connect to (SSRF protection). A feed URL is supplied by a user, so
 * without this check anyone could make the server read its own metadata endpoint, a database on the
 * private network, or a service on loopback.
 *
 * Rule: only http(s) URLs, and only hosts whose every address is ordinary global unicast. ipaddr.js'
 * `range()` classifies an address by the IANA special-purpose registries; anything it does not call
 * `unicast` is refused: private (10/8, 172.16/12, 192.168/16), loopback, link-local (169.254/16, fe80::/10),
 * unspecified (0/8, ::), multicast, broadcast, carrier-grade NAT (100.64/10), reserved and documentation
 * ranges, unique-local (fc00::/7), IPv4-mapped and translated IPv6 (::ffff:0:0/96, 64:ff9b::/96, which
 * would smuggle an IPv4 address past the IPv4 rules), 6to4, Teredo… Names under `localhost` are refused
 * before any resolution (RFC 6761 says they are loopback whatever DNS says).
 *
 * The allowlist (FEED_ALLOWLIST) opens exceptions for local development and tests: a host name allows
 * whatever that exact name resolves to (not its subdomains, nor another name it redirects to); an address
 * or CIDR allows those addresses whichever name led to them. Plain code (no Node modules): the edge uses it
 * too; Node's resolver and the pinned lookup are in resolve-node.ts.
 */
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface Allowlist {
  /** Exact host names, lower case, without a trailing dot. */
  hosts: ReadonlySet<string>;
  ranges: readonly (readonly [Address, number])[];
}

export const EMPTY_ALLOWLIST: Allowlist = { hosts: new Set(), ranges: [] };

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

const unbracket = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);
const normalizeHost = (host: string) => unbracket(host.trim().toLowerCase()).replace(/\.$/, "");

/**
 * Parses FEED_ALLOWLIST's entries: host names, addresses (`127.0.0.1`, `::1`, `[::1]`) or CIDRs
 * (`10.0.0.0/8`). Throws on an entry that is none of these, so a typo fails at startup, not silently.
 */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const ranges: (readonly [Address, number])[] = [];
  for (const raw of entries) {
    const entry = normalizeHost(raw);
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (HOST_NAME.test(entry)) hosts.add(entry);
    else throw new Error(`FEED_ALLOWLIST: "${raw}" is neither a host name, an address nor a CIDR`);
  }
  return { hosts, ranges };
}

function inRanges(address: Address, allowlist: Allowlist): boolean {
  return allowlist.ranges.some(
    ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
  );
}

/** The ipaddr.js range name of an address (`unicast` for an ordinary public one), or null if unparsable. */
export function addressRange(address: string): string | null {
  return ipaddr.isValid(address) ? ipaddr.parse(address).range() : null;
}

/** True when a connection to `address` is acceptable: global unicast, or inside an allowlisted range. */
export function isAddressAllowed(address: string, allowlist: Allowlist): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.range() === "unicast" || inRanges(parsed, allowlist)) return true;
  // An allowlisted IPv4 address also allows its IPv4-mapped IPv6 spelling.
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? inRanges((parsed as ipaddr.IPv6).toIPv4Address(), allowlist)
    : false;
}

export type UrlRefusal = { ok: false; reason: "invalid_url" | "unsupported_scheme"; message: string };

/** The URL, if it is an absolute http(s) URL without credentials. */
export function checkFeedUrl(raw: string, base?: string): { ok: true; url: URL } | UrlRefusal {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return { ok: false, reason: "invalid_url", message: `not a valid URL: ${raw.slice(0, 200)}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return {
      ok: false,
      reason: "unsupported_scheme",
      message: `only http and https are fetched, not ${url.protocol}`,
    };
  // Credentials would be sent to whatever host a redirect names; feeds needing them are not supported.
  if (url.username || url.password)
    return { ok: false, reason: "invalid_url", message: "credentials in feed URLs are not supported" };
  if (!url.hostname) return { ok: false, reason: "invalid_url", message: "the URL has no host" };
  return { ok: true, url };
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → every address it has (`dns.lookup` with `all`). Injectable so tests can play DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type Resolution =
  | { ok: true; addresses: ResolvedAddress[] }
  | { ok: false; reason: "blocked_address" | "dns"; message: string };

/**
 * Resolves `hostname` (a URL's `hostname`) and checks every address it has. Every one must pass, not
 * just the first: the connection may use any of them, so one private answer among public ones is refused.
 * The caller connects only to the returned addresses, so DNS cannot answer differently later (rebinding).
 */
export async function resolveAllowed(
  hostname: string,
  allowlist: Allowlist,
  resolve: Resolver,
): Promise<Resolution> {
  const host = normalizeHost(hostname);
  if (ipaddr.isValid(host)) {
    const family = ipaddr.parse(host).kind() === "ipv4" ? 4 : 6;
    return isAddressAllowed(host, allowlist)
      ? { ok: true, addresses: [{ address: host, family }] }
      : { ok: false, reason: "blocked_address", message: `${host} is a ${addressRange(host)} address` };
  }
  const named = allowlist.hosts.has(host);
  if (!named && (host === "localhost" || host.endsWith(".localhost")))
    return { ok: false, reason: "blocked_address", message: `${host} is a loopback name` };
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { ok: false, reason: "dns", message: `could not resolve ${host} (${code})` };
  }
  if (addresses.length === 0) return { ok: false, reason: "dns", message: `${host} has no address` };
  if (named) return { ok: true, addresses };
  const refused = addresses.find((a) => !isAddressAllowed(a.address, allowlist));
  if (refused)
    return {
      ok: false,
      reason: "blocked_address",
      message: `${host} resolves to ${refused.address}, a ${addressRange(refused.address) ?? "invalid"} address`,
    };
  return { ok: true, addresses };
}
