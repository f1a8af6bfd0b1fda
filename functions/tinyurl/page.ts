/**
 * Server-rendered HTML: the app page at `/`, and the small pages of the redirect path. The app page is
 * static markup; everything that shows user data is drawn by `/app.js` with DOM APIs (textContent), and
 * the server-side pages escape through hono/html. The CSP forbids inline code, so script and style are
 * served from their own routes.
 */
import type { Context } from "hono";
import { etag } from "hono/etag";
import { html } from "hono/html";
import type { ServiceApp } from "../shared/service.ts";
import { PAGE_SCRIPT } from "./page-script.ts";
import { PAGE_STYLE } from "./page-style.ts";

const layout = (title: string, body: unknown, script = false) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/app.css" />
    ${script ? html`<script type="module" src="/app.js"></script>` : ""}
  </head>
  <body>
    ${body}
  </body>
</html>`;

export function messagePage(title: string, message: string) {
  return layout(
    title,
    html`<main class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="/">Shorten a link</a></p></main>`,
  );
}

/** Asks for a link's password. Posts back to the same path; the target is never in this page. */
export function passwordPage(code: string, title: string | null, wrong: boolean) {
  return layout(
    "Password required",
    html`<main class="narrow">
      <h1>Password required</h1>
      <p>${title ? html`“${title}” is` : "This link is"} protected by a password.</p>
      ${wrong ? html`<p class="error" role="alert">Wrong password. Try again.</p>` : ""}
      <form method="post" action="/${code}">
        <label>Password <input type="password" name="password" required autofocus /></label>
        <button type="submit">Continue</button>
      </form>
    </main>`,
  );
}

const shortenForm = html`<section class="card" aria-labelledby="shorten-h">
  <h2 id="shorten-h">Shorten a link</h2>
  <form id="shorten-form" novalidate>
    <label for="f-url">Long URL</label>
    <input id="f-url" name="url" type="text" inputmode="url" autocomplete="url" required
      placeholder="https://example.com/a/long/path" aria-describedby="form-error" />
    <details>
      <summary>More options</summary>
      <div class="fields">
        <div><label for="f-slug">Custom code <span class="hint">(optional, 3–64 of A–Z a–z 0–9 _ -)</span></label>
          <input id="f-slug" name="slug" type="text" maxlength="64" autocomplete="off" spellcheck="false" /></div>
        <div><label for="f-title">Title <span class="hint">(optional)</span></label>
          <input id="f-title" name="title" type="text" maxlength="300" /></div>
        <div><label for="f-password">Password <span class="hint">(visitors must enter it)</span></label>
          <input id="f-password" name="password" type="password" maxlength="256" autocomplete="new-password" /></div>
        <div><label for="f-expires">Expires at <span class="hint">(your local time)</span></label>
          <input id="f-expires" name="expiresAt" type="datetime-local" /></div>
        <div><label for="f-max">Maximum visits</label>
          <input id="f-max" name="maxVisits" type="number" min="1" step="1" inputmode="numeric" /></div>
        <div><label for="f-redirect">Redirect type</label>
          <select id="f-redirect" name="redirectStatus">
            <option value="302" selected>302 Found (temporary, default)</option>
            <option value="301">301 Moved Permanently</option>
            <option value="307">307 Temporary Redirect</option>
            <option value="308">308 Permanent Redirect</option>
          </select></div>
      </div>
    </details>
    <p id="form-error" class="error" role="alert" hidden></p>
    <p id="owner-note" class="hint" hidden>Links you create are owned by your saved token’s user.</p>
    <button id="f-submit" type="submit" class="primary">Shorten</button>
  </form>
</section>`;

const result = html`<section id="result" class="card" aria-labelledby="result-h" hidden>
  <h2 id="result-h" tabindex="-1">Your short link</h2>
  <p id="result-title" class="link-title"></p>
  <div class="result-grid">
    <div>
      <label for="result-short">Short URL</label>
      <div class="copy-row">
        <input id="result-short" type="text" readonly />
        <button id="result-copy" type="button">Copy</button>
      </div>
      <p id="copy-status" class="hint" role="status"></p>
      <p class="target">Goes to <span id="result-target"></span></p>
      <p class="actions">
        <a id="result-open" href="/">Open short link</a>
        <button id="result-analytics" type="button">View analytics</button>
      </p>
    </div>
    <img id="result-qr" class="qr" src="data:," alt="" width="160" height="160" />
  </div>
</section>`;

const recent = html`<section class="card" aria-labelledby="recent-h">
  <div class="section-head">
    <h2 id="recent-h">Recent links</h2>
    <button id="recent-clear" type="button" class="quiet" hidden>Clear list</button>
  </div>
  <p class="hint">Links created in this browser. The list stays on this device.</p>
  <p id="recent-error" class="error" role="alert" hidden></p>
  <p id="recent-empty" class="empty">No links yet. Shorten one above.</p>
  <ul id="recent-list" class="links"></ul>
</section>`;

const tableIds = ["referrers", "countries", "browsers", "os", "devices"] as const;

const analytics = html`<section id="analytics" class="card" aria-labelledby="an-h" aria-busy="false" hidden>
  <div class="section-head">
    <h2 id="an-h" tabindex="-1">Analytics for <code id="an-code"></code></h2>
    <button id="an-close" type="button" class="quiet" aria-label="Close analytics">Close</button>
  </div>
  <p id="an-link-title" class="link-title"></p>
  <div class="toolbar">
    <label for="an-interval">Group by</label>
    <select id="an-interval">
      <option value="hour">Hour (last 48 hours)</option>
      <option value="day" selected>Day (last 30 days)</option>
    </select>
    <button id="an-refresh" type="button">Refresh</button>
    <span id="an-range" class="hint"></span>
  </div>
  <p id="an-error" class="error" role="alert" hidden></p>
  <dl class="totals">
    <div><dt>Visits</dt><dd id="an-total">–</dd></div>
    <div><dt>Humans</dt><dd id="an-humans">–</dd></div>
    <div><dt>Bots</dt><dd id="an-bots">–</dd></div>
    <div><dt>Unique visitors</dt><dd id="an-unique">–</dd></div>
  </dl>
  <figure class="chart-box">
    <div id="an-chart"></div>
    <figcaption class="hint"><span class="swatch visits"></span> all visits <span class="swatch humans"></span> humans</figcaption>
  </figure>
  <div class="tables">
    ${tableIds.map((id) => html`<div id="an-${id}"></div>`)}
  </div>
</section>`;

const mine = html`<section class="card" aria-labelledby="mine-h">
  <h2 id="mine-h">My links</h2>
  <form id="token-form" class="toolbar">
    <label for="token">Bearer token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste a token (canary token &lt;user&gt;)" />
    <button id="token-save" type="submit">Save</button>
    <button id="token-forget" type="button" class="quiet">Forget</button>
  </form>
  <p class="hint">The token stays in this browser’s storage and is sent with every request from this page.</p>
  <p id="mine-error" class="error" role="alert" hidden></p>
  <p id="mine-empty" class="empty" hidden>You have no links yet.</p>
  <ul id="mine-list" class="links"></ul>
  <button id="mine-more" type="button" hidden>Load more</button>
</section>`;

const appPage = layout(
  "canary · TinyURL",
  html`<header class="top"><span class="brand">canary</span> <span>TinyURL</span></header>
    <main class="app">${shortenForm}${result}${analytics}${recent}${mine}</main>
    <footer class="foot"><a href="/openapi.json">API (OpenAPI)</a></footer>`,
  true,
);

export function mountPage(app: ServiceApp): void {
  app.get("/", (c) => c.html(appPage));
  // no-cache + ETag: browsers revalidate (a 304 is cheap), so a deploy never pairs a new page with old code.
  const asset = (body: string, type: string) => (c: Context) =>
    c.body(body, 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  app.get("/app.js", etag(), asset(PAGE_SCRIPT, "application/javascript; charset=utf-8"));
  app.get("/app.css", etag(), asset(PAGE_STYLE, "text/css; charset=utf-8"));
}
