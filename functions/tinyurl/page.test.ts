/** The page's routes without a browser: headers, no inline code, a script that parses, escaping. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../shared/logger.ts";
import { createServiceApp } from "../shared/service.ts";
import { messagePage, mountPage, passwordPage } from "./page.ts";
import { PAGE_SCRIPT } from "./page-script.ts";

function pageApp() {
  const app = createServiceApp({
    name: "tinyurl",
    version: "test",
    log: createLogger({ service: "tinyurl", level: "silent" }),
    authSecret: "secret",
    readiness: {},
  });
  mountPage(app);
  return app;
}

describe("mountPage", () => {
  it("serves the page under the strict CSP, with no inline script or style", async () => {
    const res = await pageApp().request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const page = await res.text();
    expect(page).toContain('<script type="module" src="/app.js"></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script has a src
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const id of [
      "shorten-form",
      "result",
      "recent-list",
      "analytics",
      "an-chart",
      "token-form",
      "mine-list",
    ]) {
      expect(page).toContain(`id="${id}"`);
    }
  });

  it("serves the script and style with their types and an ETag", async () => {
    const app = pageApp();
    const js = await app.request("/app.js");
    expect(js.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("no-cache");
    expect(await js.text()).toBe(PAGE_SCRIPT);
    const again = await app.request("/app.js", { headers: { "if-none-match": js.headers.get("etag")! } });
    expect(again.status).toBe(304);
    const css = await app.request("/app.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toContain("[hidden]");
  });

  it("ships a script that parses and never hands data to an HTML parser", () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });
});

describe("server-rendered pages", () => {
  it("escape what they show", async () => {
    const message = String(await messagePage("<b>t</b>", "<script>x</script>"));
    expect(message).toContain("&lt;b&gt;t&lt;/b&gt;");
    expect(message).not.toContain("<script>x");
    const password = String(await passwordPage("abc", '"><img src=x>', true));
    expect(password).toContain("&quot;&gt;&lt;img src=x&gt;");
    expect(password).toContain('role="alert"');
  });
});
