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

/** Returns the token's user id, or throws 401 with a reason a developer can act on. */
export async function verifyToken(token: string, secret: string): Promise<string> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, "HS256")) as Record<string, unknown>;
  } catch (err) {
    throw unauthorized(`Invalid bearer token: ${(err as Error).message}`);
  }
  if (typeof payload.sub !== "string" || payload.sub.length === 0) {
    throw unauthorized("Invalid bearer token: no subject");
  }
  return payload.sub;
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
