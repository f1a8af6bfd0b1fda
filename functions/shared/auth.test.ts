import { Hono } from "hono";
import { sign } from "hono/jwt";
import { describe, expect, it, vi } from "vitest";
import { bearerAuth, requireUser, signToken, verifyToken } from "./auth.ts";
import type { AppEnv } from "./context.ts";
import { AppError, handleError } from "./errors.ts";

const SECRET = "test-secret";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("signToken / verifyToken", () => {
  it("round-trips the user id", async () => {
    const token = await signToken("alice", SECRET);
    expect(token.split(".")).toHaveLength(3);
    expect(await verifyToken(token, SECRET)).toBe("alice");
  });

  it("sets iat and exp from the TTL", async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signToken("bob", SECRET, 60);
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<
      string,
      number
    >;
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
  });

  it("refuses a token signed with another secret", async () => {
    const err = await rejection(verifyToken(await signToken("alice", "other"), SECRET));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^Invalid bearer token: /);
  });

  it("refuses an expired token", async () => {
    const err = await rejection(verifyToken(await signToken("alice", SECRET, -60), SECRET));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^Invalid bearer token: .*expired/i);
  });

  it.each([
    ["no subject", {}],
    ["an empty subject", { sub: "" }],
    ["a numeric subject", { sub: 42 }],
  ])("refuses a token with %s", async (_name, claims) => {
    const token = await sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 }, SECRET, "HS256");
    const err = await rejection(verifyToken(token, SECRET));
    expect(err.message).toBe("Invalid bearer token: no subject");
  });

  it("refuses garbage", async () => {
    expect((await rejection(verifyToken("not-a-jwt", SECRET))).status).toBe(401);
  });

  it("remembers a verified token only under its secret and until its exp", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
    try {
      const token = await signToken("carol", SECRET, 60);
      expect(await verifyToken(token, SECRET)).toBe("carol");
      expect(await verifyToken(token, SECRET)).toBe("carol"); // from memory
      expect((await rejection(verifyToken(token, "another-secret"))).status).toBe(401);
      vi.setSystemTime(Date.parse("2026-01-01T00:02:00Z"));
      expect((await rejection(verifyToken(token, SECRET))).message).toMatch(/expired/i);
      // A token without exp is accepted, and checked again every time.
      const forever = await sign({ sub: "dave" }, SECRET, "HS256");
      expect(await verifyToken(forever, SECRET)).toBe("dave");
      expect(await verifyToken(forever, SECRET)).toBe("dave");
    } finally {
      vi.useRealTimers();
    }
  });
});

function app() {
  const hono = new Hono<AppEnv>();
  hono.onError(handleError);
  hono.use(bearerAuth(SECRET));
  hono.get("/whoami", (c) => c.json({ userId: c.var.userId ?? null }));
  hono.get("/private", (c) => c.json({ userId: requireUser(c) }));
  return hono;
}

describe("bearerAuth", () => {
  it("treats a request without Authorization as anonymous", async () => {
    const res = await app().request("/whoami");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: null });
  });

  it("sets the user of a valid token, whatever the scheme's case", async () => {
    const token = await signToken("alice", SECRET);
    for (const scheme of ["Bearer", "bearer"]) {
      const res = await app().request("/whoami", { headers: { Authorization: `${scheme} ${token}` } });
      expect(await res.json()).toEqual({ userId: "alice" });
    }
  });

  it("answers 401 with the error shape for a bad token, never anonymous", async () => {
    const res = await app().request("/whoami", { headers: { Authorization: "Bearer abc.def.ghi" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toMatch(/^Invalid bearer token: /);
  });

  it.each(["Basic dXNlcjpwdw==", "Bearer", "Bearer a b", "Token abc"])(
    "answers 401 for the malformed header %j",
    async (header) => {
      const res = await app().request("/whoami", { headers: { Authorization: header } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: "unauthorized", message: "Authorization header must be 'Bearer <token>'" },
      });
    },
  );
});

describe("requireUser", () => {
  it("is 401 for anonymous requests and the user id otherwise", async () => {
    const anonymous = await app().request("/private");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: { code: "unauthorized", message: "Authentication required" },
    });
    const token = await signToken("carol", SECRET);
    const res = await app().request("/private", { headers: { Authorization: `Bearer ${token}` } });
    expect(await res.json()).toEqual({ userId: "carol" });
  });
});
