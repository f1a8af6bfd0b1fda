import type { MiddlewareHandler } from "hono";
import { sign, verify } from "hono/jwt";
import type { AppEnv } from "./context.ts";
import { unauthorized } from "./errors.ts";

/**
 * The platform's one identity scheme: HS256 JWTs whose `sub` is the user id, signed with AUTH_SECRET.
 * Every service accepts the same tokens; `canary token <user>` mints one for development.
 */
export async function signToken(
  userId: string,
  secret: string,
  ttlSeconds = 30 * 24 * 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + ttlSeconds }, secret, "HS256");
}

/**
 * Tokens already verified, so a client sending the same token on every request (every API call does)
 * costs one HMAC, not one per request. Keyed by secret and token; an entry is trusted only until the
 * token's own `exp`. Cleared when full rather than tracked per entry: a cold miss only costs a verify.
 */
const verified = new Map<string, { sub: string; exp: number }>();
const MAX_VERIFIED = 10_000;

/** Returns the token's user id, or throws 401 with a reason a developer can act on. */
export async function verifyToken(token: string, secret: string): Promise<string> {
  const key = `${secret}\n${token}`;
  const known = verified.get(key);
  if (known && known.exp > Date.now() / 1000) return known.sub;
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, "HS256")) as Record<string, unknown>;
  } catch (err) {
    throw unauthorized(`Invalid bearer token: ${(err as Error).message}`);
  }
  const { sub, exp } = payload;
  if (typeof sub !== "string" || sub.length === 0) {
    throw unauthorized("Invalid bearer token: no subject");
  }
  // A token without `exp` never expires; it is verified every time rather than trusted forever.
  if (typeof exp === "number") {
    if (verified.size >= MAX_VERIFIED) verified.clear();
    verified.set(key, { sub, exp });
  }
  return sub;
}

/**
 * Reads `Authorization: Bearer …` when present and sets `userId`. No header means anonymous; a header
 * with a bad token is a 401 (never silently anonymous).
 */
export function bearerAuth(secret: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthorized("Authorization header must be 'Bearer <token>'");
      c.set("userId", await verifyToken(match[1]!, secret));
    }
    await next();
  };
}

/** The authenticated user id, or 401. */
export function requireUser(c: { var: { userId?: string } }): string {
  if (!c.var.userId) throw unauthorized();
  return c.var.userId;
}
