import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { AppError } from "./errors.ts";

/** The headers every answer carries. Legacy ones modern browsers ignore (X-XSS-Protection, …) are left out. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
const securityEntries = Object.entries(SECURITY_HEADERS);

/**
 * Security headers for every answer. Pages load their script and style from the service's own origin (no
 * inline code), so one static CSP serves every route and no per-request nonce is needed. The headers are
 * staged before the handler runs (`c.header`), so they are part of the Response when it is built: setting
 * them afterwards, as hono's secureHeaders does, costs a Headers.set per header on the redirect hot path.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of securityEntries) c.header(name, value);
    await next();
  };
}

/**
 * CSRF for browser form posts: a form-encoded, multipart or text/plain POST must come from our own site
 * (Sec-Fetch-Site: same-origin, or an Origin on this host or in `trustedOrigins`). JSON bodies cannot be
 * sent cross-site without a CORS preflight. Matching on host rather than full origin keeps this working
 * behind a TLS-terminating proxy, where the app sees http:// but the browser says https://.
 */
export function csrfProtection(trustedOrigins: readonly string[] = []): MiddlewareHandler {
  const check = csrf({
    origin: (origin, c) => {
      if (trustedOrigins.includes(origin)) return true;
      try {
        return new URL(origin).host === new URL(c.req.url).host;
      } catch {
        return false;
      }
    },
  });
  return async (c, next) => {
    // Forms and other requests a page can send cross-site without a preflight are GET/HEAD/POST only. A
    // body-less DELETE from an API client has no Origin and no content type, which hono's check would
    // take for text/plain and refuse.
    // A bearer token is never sent ambiently by a browser, so a request carrying one cannot be forged; and
    // browsers always send Origin or Sec-Fetch-Site on a cross-site POST, so a request with neither comes
    // from a non-browser client (curl, a server) and is left to the API's own validation.
    if (c.req.method !== "POST" || c.req.header("authorization")) return next();
    if (!c.req.header("origin") && !c.req.header("sec-fetch-site")) return next();
    try {
      await check(c, next);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) {
        throw new AppError(
          403,
          "csrf_rejected",
          "Cross-site form submission refused: the Origin is not this site",
        );
      }
      throw err;
    }
  };
}
