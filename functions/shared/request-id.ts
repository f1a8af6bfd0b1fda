import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import type { Logger } from "./logger.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A new 16-byte trace id and 8-byte span id. randomUUID draws from a cached entropy pool, which makes it
 * several times cheaper than getRandomValues on Node; its 122 random bits are plenty for a trace id.
 */
function newIds(): { traceId: string; spanId: string } {
  const a = crypto.randomUUID().replaceAll("-", "");
  const b = crypto.randomUUID().replaceAll("-", "");
  return { traceId: a, spanId: b.slice(16) };
}

export interface TraceContext {
  traceId: string;
  parentId?: string;
  flags: string;
}

/** Parses a W3C `traceparent` header; invalid or all-zero ids are treated as absent, as the spec says. */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!m) return undefined;
  const [, version, traceId, parentId, flags] = m as unknown as [string, string, string, string, string];
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane) and a span in the caller's trace
 * (W3C `traceparent`, a new trace otherwise); both are echoed in response headers and carried by the log.
 */
export function requestContext(baseLog: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    const parent = parseTraceparent(c.req.header("traceparent"));
    const ids = newIds();
    const traceId = parent?.traceId ?? ids.traceId;
    const spanId = ids.spanId;
    c.set("requestId", requestId);
    c.set("traceId", traceId);
    c.set("spanId", spanId);
    c.set("log", baseLog.child({ requestId, traceId }));
    // Staged before the handler so they are built into the Response (no Headers.set on a finished one).
    c.header("X-Request-Id", requestId);
    c.header("traceparent", `00-${traceId}-${spanId}-${parent?.flags ?? "01"}`);
    await next();
  };
}
