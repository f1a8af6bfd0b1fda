/**
 * The Docs pages: the home page at `/` (your documents, a new one) and the editor at `/d/{id}`. Both are
 * static markup; the scripts (client/editor.ts and client/home.ts, bundled into client/bundle.generated.ts)
 * draw everything that shows user data with DOM APIs. The document id is the only data in the markup,
 * and hono/html escapes it. The CSP forbids inline code, so scripts and style have their own routes.
 * Assets are served at hashed URLs (shared/page-assets.ts explains the caching).
 */
import { html } from "hono/html";
import {
  type Asset,
  hashedAsset,
  mountHashedAssets,
  pageHead,
  pageResponse,
  tokenForm,
} from "../shared/page-assets.ts";
import type { ServiceApp } from "../shared/service.ts";
import { EDITOR_SCRIPT, HOME_SCRIPT } from "./client/bundle.generated.ts";
import { PAGE_STYLE } from "./page-style.ts";

const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Re-exported for the page tests, which check asset paths against it. */
export { contentHash } from "../shared/page-assets.ts";

export const ASSETS = {
  editor: hashedAsset("editor", "js", EDITOR_SCRIPT, "text/javascript; charset=utf-8"),
  home: hashedAsset("home", "js", HOME_SCRIPT, "text/javascript; charset=utf-8"),
  style: hashedAsset("docs", "css", PAGE_STYLE, "text/css; charset=utf-8"),
};

const layout = (title: string, body: unknown, script: Asset) => html`<!doctype html>
<html lang="en">
  ${pageHead(title, ASSETS.style, script)}
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
  ${tokenForm}
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
  app.get("/", (c) => pageResponse(c, homePage));
  app.get("/d/:id", (c) => {
    const id = c.req.param("id");
    return DOCUMENT_ID.test(id) ? pageResponse(c, editorPage(id)) : pageResponse(c, notFoundPage, 404);
  });
  mountHashedAssets(app, ASSETS);
}
