import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "./context.ts";
import { parseTraceparent, requestContext } from "./request-id.ts";
import { captureLog } from "./testing/log.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads a valid header", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: "01",
    });
    expect(parseTraceparent(`  00-${TRACE}-${PARENT}-00 `)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: "00",
    });
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["garbage", "hello"],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ["short trace id", `00-${TRACE.slice(1)}-${PARENT}-01`],
    ["long parent id", `00-${TRACE}-${PARENT}0-01`],
    ["missing flags", `00-${TRACE}-${PARENT}`],
    ["non-hex", `00-${TRACE.replace("4", "g")}-${PARENT}-01`],
    ["wrong separators", `00_${TRACE}_${PARENT}_01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
  ])("treats %s as absent", (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});

function app() {
  const { log, lines } = captureLog();
  const hono = new Hono<AppEnv>();
  hono.use(requestContext(log));
  hono.get("/", (c) => {
    c.var.log.info("inside");
    return c.json({ requestId: c.var.requestId, traceId: c.var.traceId, spanId: c.var.spanId });
  });
  return { hono, lines };
}

function parseOutgoing(res: Response) {
  const header = res.headers.get("traceparent") ?? "";
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header);
  expect(m, `traceparent ${header}`).not.toBeNull();
  return { traceId: m![1]!, spanId: m![2]!, flags: m![3]! };
}

describe("requestContext", () => {
  it("echoes a sane X-Request-Id and carries it in the request's log lines", async () => {
    const { hono, lines } = app();
    const res = await hono.request("/", { headers: { "X-Request-Id": "req-123.abc:9" } });
    expect(res.headers.get("X-Request-Id")).toBe("req-123.abc:9");
    const body = (await res.json()) as { requestId: string };
    expect(body.requestId).toBe("req-123.abc:9");
    expect(lines.find((l) => l.msg === "inside")).toMatchObject({
      requestId: "req-123.abc:9",
      service: "test",
    });
  });

  it.each([
    ["with spaces", "a b"],
    ["too long", "x".repeat(129)],
    ["with markup", "<script>"],
  ])("replaces a request id %s with a fresh UUID", async (_name, id) => {
    const { hono } = app();
    const res = await hono.request("/", { headers: { "X-Request-Id": id } });
    expect(res.headers.get("X-Request-Id")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("gives each request its own id when none is sent", async () => {
    const { hono } = app();
    const [a, b] = await Promise.all([hono.request("/"), hono.request("/")]);
    expect(a.headers.get("X-Request-Id")).toBeTruthy();
    expect(a.headers.get("X-Request-Id")).not.toBe(b.headers.get("X-Request-Id"));
  });

  it("keeps the caller's trace id and flags and answers with a new span id", async () => {
    const { hono, lines } = app();
    const res = await hono.request("/", { headers: { traceparent: `00-${TRACE}-${PARENT}-00` } });
    const out = parseOutgoing(res);
    expect(out.traceId).toBe(TRACE);
    expect(out.flags).toBe("00");
    expect(out.spanId).not.toBe(PARENT);
    expect(out.spanId).not.toBe("0".repeat(16));
    expect(await res.json()).toMatchObject({ traceId: TRACE, spanId: out.spanId });
    expect(lines.find((l) => l.msg === "inside")).toMatchObject({ traceId: TRACE });
  });

  it("starts a new sampled trace when the incoming header is absent or invalid", async () => {
    const { hono } = app();
    const a = parseOutgoing(await hono.request("/"));
    const b = parseOutgoing(
      await hono.request("/", { headers: { traceparent: `ff-${TRACE}-${PARENT}-01` } }),
    );
    expect(a.flags).toBe("01");
    expect(b.traceId).not.toBe(TRACE);
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.traceId).not.toBe("0".repeat(32));
  });
});
