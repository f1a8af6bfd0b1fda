import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import type { Logger } from "./logger.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out;
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
    const traceId = parent?.traceId ?? randomHex(16);
    const spanId = randomHex(8);
    c.set("requestId", requestId);
    c.set("traceId", traceId);
    c.set("spanId", spanId);
    c.set("log", baseLog.child({ requestId, traceId }));
    await next();
    c.header("X-Request-Id", requestId);
    c.header("traceparent", `00-${traceId}-${spanId}-${parent?.flags ?? "01"}`);
  };
}
