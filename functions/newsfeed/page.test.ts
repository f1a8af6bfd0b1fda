/** The Newsfeed page without a browser: markup, headers, hashed assets, nothing echoed from the request. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../shared/logger.ts";
import { createServiceApp } from "../shared/service.ts";
import { NEWSFEED_SCRIPT } from "./client/bundle.generated.ts";
import { NEWSFEED_STYLE } from "./client/style.ts";
import { ASSETS, mountNewsfeedPage } from "./page.ts";

function pageApp() {
  const app = createServiceApp({
    name: "newsfeed",
    version: "test",
    log: createLogger({ service: "newsfeed", level: "silent" }),
    authSecret: "secret",
    readiness: {},
  });
  mountNewsfeedPage(app);
  return app;
}

describe("mountNewsfeedPage", () => {
  it("serves the page under the strict CSP with its hashed script and style, and no inline code", async () => {
    const res = await pageApp().request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const page = await res.text();
    expect(page).toContain(`<script type="module" src="${ASSETS.script.path}"></script>`);
    expect(page).toContain(`<link rel="stylesheet" href="${ASSETS.style.path}" />`);
    for (const id of [
      "token-form",
      "user-form",
      "feed-list",
      "new-items",
      "recs-list",
      "search-form",
      "search-list",
      "feed-form",
      "feeds-list",
      "follows-card",
      "follows-sources",
      "follows-topics",
      "follows-empty",
    ]) {
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain("npx canary token &lt;user&gt;");
    // Every card reports its failures to assistive technology, and says what changed without a reload.
    for (const id of ["feed-error", "search-error", "recs-error", "feeds-error", "follows-error"]) {
      expect(page).toContain(`id="${id}" class="error" role="alert"`);
    }
    expect(page).toContain('id="follows-status" class="hint status-line" role="status"');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it("echoes nothing from the address into the markup", async () => {
    const hostile = '"><script>alert(1)</script>';
    const res = await pageApp().request(`/?user=${encodeURIComponent(hostile)}#token=x`);
    const page = await res.text();
    expect(page).not.toContain("alert(1)");
    expect(page).toBe(await (await pageApp().request("/")).text());
  });

  it("serves its assets at their content hash, immutable; another hash gets them uncached", async () => {
    const app = pageApp();
    for (const [path, body, type] of [
      [ASSETS.script.path, NEWSFEED_SCRIPT, "text/javascript; charset=utf-8"],
      [ASSETS.style.path, NEWSFEED_STYLE, "text/css; charset=utf-8"],
    ] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await res.text()).toBe(body);
    }
    const other = await app.request(ASSETS.script.path.replace(/\.[0-9a-f]{8}\./, ".00000000."));
    expect(other.headers.get("cache-control")).toBe("no-cache");
    expect(await other.text()).toBe(NEWSFEED_SCRIPT);
    for (const path of ["/assets/nope.00000000.js", "/assets/newsfeed.js", "/assets/editor.00000000.js"]) {
      expect((await app.request(path)).status, path).toBe(404);
    }
  });
});
