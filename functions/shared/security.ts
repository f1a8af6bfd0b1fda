import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";

/**
 * Security headers for every answer. Pages load their script and style from the service's own origin
 * (no inline code), so one static CSP serves every route and no per-request nonce is needed on the hot path.
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    xFrameOptions: "DENY",
    xContentTypeOptions: "nosniff",
    referrerPolicy: "strict-origin-when-cross-origin",
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
  });
}

/**
 * CSRF for browser form posts: a form-encoded, multipart or text/plain POST must come from our own origin
 * (Origin header, or Sec-Fetch-Site). JSON bodies cannot be sent cross-site without a CORS preflight.
 */
export function csrfProtection(): MiddlewareHandler {
  return csrf();
}
