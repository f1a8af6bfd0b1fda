/** The Docs pages without a browser: markup, headers, asset URLs and caching, escaping. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../shared/logger.ts";
import { createServiceApp } from "../shared/service.ts";
import { EDITOR_SCRIPT, HOME_SCRIPT } from "./client/bundle.generated.ts";
import { ASSETS, contentHash, editorPage, mountDocsPages } from "./page.ts";
import { PAGE_STYLE } from "./page-style.ts";

function pageApp() {
  const app = createServiceApp({
    name: "docs",
    version: "test",
    log: createLogger({ service: "docs", level: "silent" }),
    authSecret: "secret",
    readiness: {},
  });
  mountDocsPages(app);
  return app;
}

/** Every script tag has a src, and nothing is inline (the CSP would block it). */
function expectNoInlineCode(page: string): void {
  expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
}

describe("mountDocsPages", () => {
  it("serves the home page under the strict CSP, naming its hashed assets", async () => {
    const res = await pageApp().request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const page = await res.text();
    expect(page).toContain(`<script type="module" src="${ASSETS.home.path}"></script>`);
    expect(page).toContain(`<link rel="stylesheet" href="${ASSETS.style.path}" />`);
    for (const id of ["token-form", "create-form", "create-title", "doc-list", "list-empty"]) {
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain("npx canary token &lt;user&gt;");
    expectNoInlineCode(page);
  });

  it("serves the editor for a document id, with the id as data", async () => {
    const res = await pageApp().request("/d/Abc_12-x");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const page = await res.text();
    expect(page).toContain('data-doc-id="Abc_12-x"');
    expect(page).toContain(`<script type="module" src="${ASSETS.editor.path}"></script>`);
    for (const id of ["editor", "cursors", "status", "peers", "undo", "redo", "share-form", "token-form"]) {
      expect(page).toContain(`id="${id}"`);
    }
    expectNoInlineCode(page);
  });

  it("answers an id that cannot be a document with a 404 page that does not echo it", async () => {
    for (const path of ["/d/%3Cscript%3Ealert(1)%3C%2Fscript%3E", `/d/${"x".repeat(65)}`, "/d/a.b"]) {
      const res = await pageApp().request(path);
      expect(res.status, path).toBe(404);
      const page = await res.text();
      expect(page).toContain("Not found");
      expect(page).not.toContain("<script>alert");
      expect(page).not.toContain("x".repeat(65));
    }
  });

  it("escapes the id in the markup even if a caller let a hostile one through", async () => {
    const page = String(await editorPage('"><script>alert(1)</script>'));
    expect(page).toContain('data-doc-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain("<script>alert");
  });

  it("serves each asset at its content hash, immutable, with its type", async () => {
    const app = pageApp();
    const cases = [
      [ASSETS.editor.path, EDITOR_SCRIPT, "text/javascript; charset=utf-8"],
      [ASSETS.home.path, HOME_SCRIPT, "text/javascript; charset=utf-8"],
      [ASSETS.style.path, PAGE_STYLE, "text/css; charset=utf-8"],
    ] as const;
    for (const [path, body, type] of cases) {
      expect(path).toContain(`.${contentHash(body)}.`);
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await res.text()).toBe(body);
    }
  });

  it("serves the current asset uncached for another version's hash, and 404 for unknown files", async () => {
    const app = pageApp();
    const other = ASSETS.editor.path.replace(/\.[0-9a-f]{8}\./, ".00000000.");
    expect(other).not.toBe(ASSETS.editor.path);
    const res = await app.request(other);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toBe(EDITOR_SCRIPT);
    for (const path of ["/assets/nope.00000000.js", "/assets/editor.js", "/assets/docs.00000000.js"]) {
      expect((await app.request(path)).status, path).toBe(404);
    }
  });
});

describe("contentHash", () => {
  it("is stable, eight hex digits, and changes with the content", () => {
    expect(contentHash("")).toBe("811c9dc5");
    expect(contentHash("a")).toMatch(/^[0-9a-f]{8}$/);
    expect(contentHash("a")).toBe(contentHash("a"));
    expect(contentHash("a")).not.toBe(contentHash("b"));
  });
});
