import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "./errors.ts";
import { csrfProtection, SECURITY_HEADERS, securityHeaders } from "./security.ts";

function app(trusted: string[] = []) {
  const a = new Hono();
  a.onError(handleError);
  a.use(securityHeaders());
  a.use(csrfProtection(trusted));
  a.post("/form", (c) => c.text("accepted"));
  a.get("/page", (c) => c.text("page"));
  return a;
}

const form = { "content-type": "application/x-www-form-urlencoded" };
const post = (headers: Record<string, string>) =>
  app(["https://sho.rt"]).request("http://svc.local/form", { method: "POST", headers, body: "a=1" });

describe("csrfProtection", () => {
  it("refuses a form post from another site with the error shape", async () => {
    const res = await post({ ...form, origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "csrf_rejected" } });
  });

  it("refuses a cross-site post that only says so in Sec-Fetch-Site", async () => {
    expect((await post({ ...form, "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("accepts the same host (also behind a TLS proxy), a trusted origin, and same-origin fetch metadata", async () => {
    expect((await post({ ...form, origin: "http://svc.local" })).status).toBe(200);
    expect((await post({ ...form, origin: "https://svc.local" })).status).toBe(200);
    expect((await post({ ...form, origin: "https://sho.rt" })).status).toBe(200);
    expect((await post({ ...form, "sec-fetch-site": "same-origin" })).status).toBe(200);
  });

  it("leaves non-browser clients (no Origin, no Sec-Fetch-Site) and bearer-token requests alone", async () => {
    expect((await post(form)).status).toBe(200);
    expect((await post({ ...form, origin: "https://evil.example", authorization: "Bearer x" })).status).toBe(
      200,
    );
  });
});

describe("securityHeaders", () => {
  it("sets every header on an answer", async () => {
    const res = await app().request("/page");
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });
});
