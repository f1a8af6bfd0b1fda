/**
 * Node's side of the SSRF check (ssrf.ts): the system resolver, and a lookup pinned to the addresses that
 * check let through, so the connection cannot reach anything else (DNS rebinding). Node only: the edge
 * cannot resolve names itself.
 */
import { lookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress, Resolver } from "./ssrf.ts";

export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/**
 * Answers every lookup with the addresses already checked, so the connection can only reach those. Node
 * 20 connects with autoSelectFamily (happy eyeballs) by default: it asks for `all` and tries each in turn.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all)
      return callback(
        null,
        addresses.map((a) => ({ ...a })),
      );
    const wanted = options.family === 6 || options.family === "IPv6" ? 6 : options.family ? 4 : 0;
    const pick = addresses.find((a) => !wanted || a.family === wanted);
    if (!pick)
      return callback(
        Object.assign(new Error("no checked address of that family"), { code: "ENOTFOUND" }),
        "",
      );
    callback(null, pick.address, pick.family);
  };
}
