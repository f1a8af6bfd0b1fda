/** The contract of who sees what: password links, analytics, and links owned through a bearer token. */
import { describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import {
  BROWSER_UA,
  type ContractClient,
  type ContractOptions,
  expectError,
  expectRedirect,
  type LinkJson,
  unique,
} from "./contract-client.ts";

interface AnalyticsJson {
  total: number;
  humans: number;
  bots: number;
  uniqueVisitors: number;
  referrers: { value: string; visits: number }[];
  countries: { value: string; visits: number }[];
  browsers: { value: string; visits: number }[];
}

export function accessContract(api: ContractClient, options: ContractOptions): void {
  /** Visits are written after the response (buffered on Node, waitUntil on workerd): poll for them. */
  const analyticsOnceCounted = async (code: string, total: number, as?: string) => {
    await options.flushVisits?.();
    return eventually(
      async () => (await (await api.send(`/api/analytics/${code}`, { as })).json()) as AnalyticsJson,
      (stats) => stats.total >= total,
      { what: `${total} visits of ${code}`, intervalMs: 100 },
    );
  };

  describe("password links", () => {
    const password = "correct horse";
    const create = async () => {
      const target = `https://example.com/${unique("private")}`;
      const link = await api.shorten({ url: target, password, title: "Quarterly numbers" });
      return { link, target };
    };

    it("asks for the password with a 401 form that does not contain the target", async () => {
      const { link, target } = await create();
      expect(link.url).toBe(target); // the creator sees it once, in the 201
      const res = await api.follow(link.code);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("location")).toBeNull();
      const page = await res.text();
      expect(page).toContain("<form");
      expect(page).not.toContain(new URL(target).pathname);
      const details = (await (await api.send(`/api/links/${link.code}`)).json()) as LinkJson;
      expect(details).toMatchObject({ hasPassword: true, url: null });
    });

    it("redirects after the right password and refuses a wrong one", async () => {
      const { link, target } = await create();
      const form = (value: string) =>
        api.send(`/${link.code}`, {
          body: new URLSearchParams({ password: value }),
          headers: { origin: new URL(api.url("/")).origin, "user-agent": BROWSER_UA },
        });
      const wrong = await form("wrong");
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).not.toContain(new URL(target).pathname);
      await expectRedirect(await form(password), 302, target);
      const json = await api.send(`/${link.code}`, {
        json: { password: "wrong" },
        headers: { accept: "application/json" },
      });
      await expectError(json, 401, "unauthorized");
    });

    it("answers API clients with the error shape, and a null or malformed body with 401, not 500", async () => {
      const { link } = await create();
      const asked = await api.send(`/${link.code}`, { headers: { accept: "application/json" } });
      await expectError(asked, 401, "password_required");
      const json = { accept: "application/json", "content-type": "application/json" };
      await expectError(
        await api.send(`/${link.code}`, { body: "null", headers: json }),
        401,
        "unauthorized",
      );
      const multipart = { accept: "application/json", "content-type": "multipart/form-data; boundary=xyz" };
      await expectError(
        await api.send(`/${link.code}`, { body: "garbage", headers: multipart }),
        401,
        "unauthorized",
      );
    });

    it("refuses a form post from another site (CSRF) with 403", async () => {
      const { link } = await create();
      const res = await api.send(`/${link.code}`, {
        body: new URLSearchParams({ password }),
        headers: { origin: "https://evil.example" },
      });
      await expectError(res, 403, "csrf_rejected");
    });
  });

  describe("GET /api/analytics/{code}", () => {
    it("counts visits by referrer, country and browser; HEAD is not a visit", async () => {
      const link = await api.shorten({ url: "https://example.com/counted" });
      const visit = { referer: "https://news.example/item?id=1", "cf-ipcountry": "DE" };
      await expectRedirect(await api.follow(link.code, "GET", visit), 302, "https://example.com/counted");
      await expectRedirect(await api.follow(link.code, "GET", visit), 302, "https://example.com/counted");
      await expectRedirect(await api.follow(link.code, "HEAD", visit), 302, "https://example.com/counted");
      const stats = await analyticsOnceCounted(link.code, 2);
      expect(stats).toMatchObject({ total: 2, humans: 2, bots: 0, uniqueVisitors: 1 });
      expect(stats.referrers).toEqual([{ value: "news.example", visits: 2 }]);
      expect(stats.countries).toEqual([{ value: "DE", visits: 2 }]);
      expect(stats.browsers).toEqual([{ value: "Chrome", visits: 2 }]);
    });

    it("answers 404 for an unknown code and 400 for a bad range", async () => {
      await expectError(await api.send(`/api/analytics/${unique("none")}`), 404, "not_found");
      const link = await api.shorten({ url: "https://example.com/range" });
      await expectError(await api.send(`/api/analytics/${link.code}?from=yesterday`), 400, "invalid_request");
      await expectError(await api.send(`/api/analytics/${link.code}?interval=week`), 400, "invalid_request");
      for (const to of ["9999999999999999", "99999999999999999999"]) {
        await expectError(await api.send(`/api/analytics/${link.code}?to=${to}`), 400, "invalid_request");
      }
    });
  });

  describe("links owned through a bearer token", () => {
    it("lists only the caller's links", async () => {
      const mine = await api.shorten({ url: "https://example.com/mine" }, "alice");
      expect(mine.owned).toBe(true);
      const res = await api.send("/api/links?limit=100", { as: "alice" });
      expect(res.status).toBe(200);
      const { links } = (await res.json()) as { links: LinkJson[] };
      expect(links.map((l) => l.code)).toContain(mine.code);
      const theirs = (await (await api.send("/api/links?limit=100", { as: "bob" })).json()) as {
        links: LinkJson[];
      };
      expect(theirs.links.map((l) => l.code)).not.toContain(mine.code);
    });

    it("needs a valid token: none → 401, a forged one → 401", async () => {
      const res = await api.send("/api/links");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      await expectError(res, 401, "unauthorized");
      const forged = await api.send("/api/links", { headers: { authorization: "Bearer not.a.jwt" } });
      await expectError(forged, 401, "unauthorized");
    });

    it("lets the owner change the target; the redirect follows at once", async () => {
      const link = await api.shorten({ url: "https://example.com/before" }, "alice");
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/before"); // now cached
      const patch = { json: { url: "https://example.com/after" }, method: "PATCH" };
      await expectError(await api.send(`/api/links/${link.code}`, patch), 401, "unauthorized");
      await expectError(await api.send(`/api/links/${link.code}`, { ...patch, as: "bob" }), 403, "forbidden");
      const res = await api.send(`/api/links/${link.code}`, { ...patch, as: "alice" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as LinkJson).url).toBe("https://example.com/after");
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/after");
    });

    it("shows analytics of an owned link to its owner only", async () => {
      const link = await api.shorten({ url: "https://example.com/owned-stats" }, "alice");
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/owned-stats");
      await expectError(await api.send(`/api/analytics/${link.code}`), 403, "forbidden");
      await expectError(await api.send(`/api/analytics/${link.code}`, { as: "bob" }), 403, "forbidden");
      expect((await analyticsOnceCounted(link.code, 1, "alice")).total).toBe(1);
    });

    it("lets the owner delete a link; then it is gone everywhere", async () => {
      const link = await api.shorten({ url: "https://example.com/doomed" }, "alice");
      await expectRedirect(await api.follow(link.code), 302, "https://example.com/doomed");
      const del = { method: "DELETE" };
      await expectError(await api.send(`/api/links/${link.code}`, del), 401, "unauthorized");
      await expectError(await api.send(`/api/links/${link.code}`, { ...del, as: "bob" }), 403, "forbidden");
      const res = await api.send(`/api/links/${link.code}`, { ...del, as: "alice" });
      expect(res.status).toBe(204);
      await expectError(
        await api.send(`/${link.code}`, { headers: { accept: "application/json" } }),
        404,
        "not_found",
      );
      await expectError(await api.send(`/api/links/${link.code}`, { as: "alice" }), 404, "not_found");
      await expectError(await api.send(`/api/links/${link.code}`, { ...del, as: "alice" }), 404, "not_found");
    });
  });
}
