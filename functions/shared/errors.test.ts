import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "./context.ts";
import {
  AppError,
  badRequest,
  conflict,
  errorBody,
  forbidden,
  handleError,
  handleNotFound,
  notFound,
  unauthorized,
} from "./errors.ts";
import { requestContext } from "./request-id.ts";
import { captureLog } from "./testing/log.ts";

describe("error helpers", () => {
  it.each([
    [badRequest("bad"), 400, "invalid_request", "bad"],
    [notFound(), 404, "not_found", "Not found"],
    [notFound("No link"), 404, "not_found", "No link"],
    [forbidden(), 403, "forbidden", "Forbidden"],
    [unauthorized(), 401, "unauthorized", "Authentication required"],
    [conflict("taken"), 409, "conflict", "taken"],
  ])("%#: builds status, code and message", (err, status, code, message) => {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect([err.status, err.code, err.message]).toEqual([status, code, message]);
  });

  it("asks for a bearer token on 401", () => {
    expect(unauthorized().headers).toEqual({ "WWW-Authenticate": "Bearer" });
  });

  it("keeps details only when given", () => {
    expect(errorBody("c", "m")).toEqual({ error: { code: "c", message: "m" } });
    expect(Object.keys(errorBody("c", "m").error)).toEqual(["code", "message"]);
    expect(errorBody("c", "m", [1])).toEqual({ error: { code: "c", message: "m", details: [1] } });
    expect(badRequest("x", { field: "url" }).details).toEqual({ field: "url" });
  });
});

function app(thrower: () => never) {
  const { log, lines } = captureLog();
  const hono = new Hono<AppEnv>();
  hono.onError(handleError);
  hono.notFound(handleNotFound);
  hono.use(requestContext(log));
  hono.get("/throw", () => thrower());
  return { hono, lines };
}

describe("handleError", () => {
  it("answers an AppError with its status, body and headers", async () => {
    const { hono } = app(() => {
      throw new AppError(429, "rate_limited", "slow down", { limit: 5 }, { "Retry-After": "7" });
    });
    const res = await hono.request("/throw");
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("7");
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: { code: "rate_limited", message: "slow down", details: { limit: 5 } },
    });
  });

  it.each([
    [405, "", "method_not_allowed", "method not allowed"],
    [413, "", "payload_too_large", "payload too large"],
    [400, "Malformed JSON in request body", "invalid_request", "Malformed JSON in request body"],
    [418, "teapot", "error", "teapot"],
    [503, "", "internal", "internal"],
  ])("maps an HTTPException %i to the error shape", async (status, message, code, expected) => {
    const { hono } = app(() => {
      throw new HTTPException(status as ContentfulStatusCode, { message });
    });
    const res = await hono.request("/throw");
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { code, message: expected } });
  });

  it("turns anything else into a logged 500 without internals", async () => {
    const { hono, lines } = app(() => {
      throw new Error("secret database detail");
    });
    const res = await hono.request("/throw");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "Internal server error" } });
    expect(text).not.toContain("secret");
    const logged = lines.find((l) => l.msg === "unhandled error");
    expect(logged?.level).toBe("error");
    expect(String(logged?.err)).toContain("secret database detail");
  });

  it("still answers a 500 when the error happened before the logger was set", async () => {
    const hono = new Hono();
    hono.onError(handleError);
    hono.get("/", () => {
      throw new Error("early");
    });
    const res = await hono.request("/");
    expect(res.status).toBe(500);
  });
});

describe("handleNotFound", () => {
  it("names the method and path", async () => {
    const { hono } = app(() => {
      throw new Error("unused");
    });
    const res = await hono.request("/nowhere/else?q=1", { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "No route for DELETE /nowhere/else" },
    });
  });
});
