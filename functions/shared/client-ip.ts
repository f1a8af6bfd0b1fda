import type { Context } from "hono";

/** How a runtime tells the client's IP. Each adapter picks the one source it can trust. */
export type ClientIp = (c: Context) => string;

/** On Cloudflare the edge sets `CF-Connecting-IP`; clients cannot forge it there. */
export const cloudflareClientIp: ClientIp = (c) => c.req.header("cf-connecting-ip") ?? "unknown";

/**
 * On Node: the first `X-Forwarded-For` hop when a trusted proxy sets it, else the socket address.
 * Never trust forwarding headers from the open internet: anyone could pick their own rate-limit key.
 */
export function nodeClientIp(
  trustProxy: boolean,
  socketAddress: (c: Context) => string | undefined,
): ClientIp {
  return (c) => {
    if (trustProxy) {
      const first = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
      if (first) return first;
    }
    return socketAddress(c) ?? "unknown";
  };
}
