/**
 * The Docs pages: the home page at `/` (your documents, a new one) and the editor at `/d/{id}`. Both are
 * static markup; the scripts (client/editor.ts and client/home.ts, bundled into client/bundle.generated.ts)
 * draw everything that shows user data with DOM APIs. The document id is the only data in the markup,
 * and hono/html escapes it. The CSP forbids inline code, so scripts and style have their own routes.
 *
 * Caching: assets are served at URLs carrying a hash of their content, `immutable` for a year, so a
 * browser fetches each version once and a new deploy is picked up through the page (no-cache). During
 * a canary rollout a page from one version may ask a replica of the other for its asset: an unknown hash
 * gets the current asset with no-cache rather than a 404, so the page still works and nothing wrong is
 * cached under that URL.
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { ServiceApp } from "../shared/service.ts";
import { EDITOR_SCRIPT, HOME_SCRIPT } from "./client/bundle.generated.ts";
import { PAGE_STYLE } from "./page-style.ts";

const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Page = ReturnType<typeof html>;

/** FNV-1a, 32 bits, as hex: a version tag for a URL (not a security measure). */
export function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

interface Asset {
  body: string;
  type: string;
  path: string;
}

const asset = (name: string, ext: string, body: string, type: string): Asset => ({
  body,
  type,
  path: `/assets/${name}.${contentHash(body)}.${ext}`,
});

export const ASSETS = {
  editor: asset("editor", "js", EDITOR_SCRIPT, "text/javascript; charset=utf-8"),
  home: asset("home", "js", HOME_SCRIPT, "text/javascript; charset=utf-8"),
  style: asset("docs", "css", PAGE_STYLE, "text/css; charset=utf-8"),
};

const layout = (title: string, body: unknown, script: Asset) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${ASSETS.style.path}" />
    <script type="module" src="${script.path}"></script>
  </head>
  <body>
    <header class="top"><a class="brand" href="/">canary</a> <span>Docs</span></header>
    ${body}
    <footer class="foot"><a href="/openapi.json">API (OpenAPI)</a></footer>
  </body>
</html>`;

const tokenCard = (
  hidden: boolean,
) => html`<section id="token-card" class="card" aria-labelledby="token-h" ${hidden ? "hidden" : ""}>
  <h2 id="token-h">Your token</h2>
  <form id="token-form" class="toolbar">
    <label for="token">Bearer token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste a token" />
    <button type="submit">Save</button>
    <button id="token-forget" type="button" class="quiet">Forget</button>
  </form>
  <p class="hint">Get one with <code>npx canary token &lt;user&gt;</code> (signed with the server's AUTH_SECRET).
    It stays in this browser's storage and is sent only to this site. A link may carry one as <code>#token=…</code>.</p>
</section>`;

const homePage = layout(
  "canary · Docs",
  html`<main class="app">
    ${tokenCard(false)}
    <section id="create-card" class="card" aria-labelledby="create-h" hidden>
      <h2 id="create-h">New document</h2>
      <form id="create-form" class="toolbar">
        <label for="create-title">Title</label>
        <input id="create-title" name="title" type="text" required maxlength="300" aria-describedby="create-error" />
        <button id="create-submit" type="submit" class="primary">Create</button>
      </form>
      <p id="create-error" class="error" role="alert" hidden></p>
    </section>
    <section id="list-card" class="card" aria-labelledby="list-h" hidden>
      <h2 id="list-h">Your documents</h2>
      <p id="list-error" class="error" role="alert" hidden></p>
      <p id="list-empty" class="empty" hidden>No documents yet. Create one above.</p>
      <ul id="doc-list" class="docs"></ul>
    </section>
  </main>`,
  ASSETS.home,
);

/** The editor's markup for document `id` (exported for the escaping test). */
export const editorPage = (id: string) =>
  layout(
    "Document · canary Docs",
    html`<main id="doc" class="app wide" data-doc-id="${id}">
      <div class="doc-head">
        <h1 id="doc-title">Document</h1>
        <p id="status" class="status" role="status" aria-live="polite">Loading…</p>
      </div>
      <p id="doc-error" class="error" role="alert" hidden></p>
      ${tokenCard(true)}
      <div class="toolbar">
        <button id="undo" type="button" disabled aria-keyshortcuts="Control+Z Meta+Z">Undo</button>
        <button id="redo" type="button" disabled aria-keyshortcuts="Control+Shift+Z Control+Y Meta+Shift+Z">Redo</button>
        <span id="role" class="badge"></span>
        <ul id="peers" class="peers" aria-label="Also here"></ul>
      </div>
      <div class="editor-wrap">
        <textarea id="editor" aria-label="Document text" spellcheck="false" readonly></textarea>
        <div id="cursors" class="cursors" aria-hidden="true"></div>
      </div>
      <section id="share" class="card" aria-labelledby="share-h" hidden>
        <h2 id="share-h">Share</h2>
        <form id="share-form" class="toolbar">
          <label for="share-user">User</label>
          <input id="share-user" type="text" required maxlength="200" autocomplete="off" />
          <label for="share-role">Role</label>
          <select id="share-role">
            <option value="viewer">viewer (read only)</option>
            <option value="editor" selected>editor</option>
            <option value="owner">owner (may share and delete)</option>
          </select>
          <button type="submit">Share</button>
        </form>
        <p id="share-result" class="hint" role="status"></p>
        <p id="share-error" class="error" role="alert" hidden></p>
      </section>
    </main>`,
    ASSETS.editor,
  );

const notFoundPage = layout(
  "Not found · canary Docs",
  html`<main class="app"><section class="card"><h1>Not found</h1>
    <p>A document id is 1 to 64 characters from A–Z a–z 0–9 _ -.</p><p><a href="/">Your documents</a></p></section></main>`,
  ASSETS.home,
);

export function mountDocsPages(app: ServiceApp): void {
  // The pages are revalidated every time, so they always name the current assets.
  const page = (c: Context, body: Page, status: 200 | 404 = 200) =>
    c.html(body, status, { "Cache-Control": "no-cache" });
  app.get("/", (c) => page(c, homePage));
  app.get("/d/:id", (c) => {
    const id = c.req.param("id");
    return DOCUMENT_ID.test(id) ? page(c, editorPage(id)) : page(c, notFoundPage, 404);
  });
  app.get("/assets/:file", (c) => {
    const file = /^([a-z]+)\.[0-9a-f]{8}\.(js|css)$/.exec(c.req.param("file"));
    const current =
      file &&
      Object.values(ASSETS).find(
        (a) => a.path.startsWith(`/assets/${file[1]}.`) && a.path.endsWith(`.${file[2]}`),
      );
    if (!current) return c.notFound();
    const immutable = c.req.path === current.path;
    return c.body(current.body, 200, {
      "Content-Type": current.type,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
}
