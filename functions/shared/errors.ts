import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one error body every service returns: `{"error": {"code", "message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A failure the client can act on. `code` is stable and machine-readable; `message` is for people. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, "invalid_request", message, details);
export const notFound = (message = "Not found") => new AppError(404, "not_found", message);
export const forbidden = (message = "Forbidden") => new AppError(403, "forbidden", message);
export const unauthorized = (message = "Authentication required") =>
  new AppError(401, "unauthorized", message, undefined, { "WWW-Authenticate": "Bearer" });
export const conflict = (message: string) => new AppError(409, "conflict", message);

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const codeForStatus: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  410: "gone",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/** `app.onError` handler: known errors keep their status; anything else is a logged 500 with no internals. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof AppError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = codeForStatus[status] ?? (status >= 500 ? "internal" : "error");
    return c.json(errorBody(code, err.message || code.replace(/_/g, " ")), status);
  }
  c.var.log?.error("unhandled error", { err: err.stack ?? String(err) });
  return c.json(errorBody("internal", "Internal server error"), 500);
}

export function handleNotFound(c: Context): Response {
  return c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
