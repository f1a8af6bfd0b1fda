/**
 * The Newsfeed page at `/`: static markup; the script (client/home.ts, bundled into
 * client/bundle.generated.ts) draws the feed, recommendations, search results and feeds with DOM APIs,
 * and listens to the live stream for the "new items" banner. Nothing from a request is echoed in the
 * markup. The CSP forbids inline code, so the script and style are served from /assets/ at URLs that
 * carry their content hash (as the Docs pages do: docs/page.ts explains the caching).
 */
import type { Context } from "hono";
import { html } from "hono/html";
import { contentHash } from "../docs/page.ts";
import type { ServiceApp } from "../shared/service.ts";
import { NEWSFEED_SCRIPT } from "./client/bundle.generated.ts";
import { NEWSFEED_STYLE } from "./client/style.ts";

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
  script: asset("newsfeed", "js", NEWSFEED_SCRIPT, "text/javascript; charset=utf-8"),
  style: asset("newsfeed", "css", NEWSFEED_STYLE, "text/css; charset=utf-8"),
};

export const homePage = html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>canary · Newsfeed</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${ASSETS.style.path}" />
    <script type="module" src="${ASSETS.script.path}"></script>
  </head>
  <body>
    <header class="top"><a class="brand" href="/">canary</a> <span>Newsfeed</span></header>
    <main class="app wide">
      <section id="token-card" class="card" aria-labelledby="token-h">
        <h2 id="token-h">Who you are</h2>
        <form id="token-form" class="toolbar">
          <label for="token">Bearer token</label>
          <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste a token" />
          <button type="submit">Save</button>
          <button id="token-forget" type="button" class="quiet">Forget</button>
        </form>
        <form id="user-form" class="toolbar">
          <label for="user">Or view as user</label>
          <input id="user" type="text" autocomplete="off" spellcheck="false" maxlength="200" placeholder="a user id (demo, read only)" />
          <button type="submit">View</button>
        </form>
        <p class="hint">Get a token with <code>npx canary token &lt;user&gt;</code>; liking and adding feeds need one.
          It stays in this browser's storage. A link may carry one as <code>#token=…</code>, or a demo user as <code>?user=…</code>.</p>
        <p id="whoami" class="hint" role="status"></p>
      </section>
      <div class="columns">
        <div class="side">
          <section id="feed-card" class="card" aria-labelledby="feed-h">
            <h2 id="feed-h">Your feed</h2>
            <button id="new-items" type="button" class="banner" hidden></button>
            <p id="feed-error" class="error" role="alert" hidden></p>
            <p id="feed-empty" class="empty" hidden>Nothing here yet. Add a feed.</p>
            <ul id="feed-list" class="items"></ul>
            <button id="feed-more" type="button" hidden>More</button>
          </section>
        </div>
        <div class="side">
          <section id="search-card" class="card" aria-labelledby="search-h">
            <h2 id="search-h">Search</h2>
            <form id="search-form" class="toolbar" role="search">
              <label for="search-q" class="hint">Words</label>
              <input id="search-q" type="search" required maxlength="500" />
              <button type="submit">Search</button>
            </form>
            <p id="search-error" class="error" role="alert" hidden></p>
            <ul id="search-list" class="items"></ul>
          </section>
          <section id="recs-card" class="card" aria-labelledby="recs-h" hidden>
            <h2 id="recs-h">Recommended</h2>
            <p id="recs-error" class="error" role="alert" hidden></p>
            <ul id="recs-list" class="items"></ul>
          </section>
          <section id="feeds-card" class="card" aria-labelledby="feeds-h">
            <h2 id="feeds-h">Feeds</h2>
            <form id="feed-form" class="toolbar">
              <label for="feed-url" class="hint">Feed URL</label>
              <input id="feed-url" type="url" required maxlength="2048" placeholder="https://example.com/feed.xml" />
              <button id="feed-add" type="submit" class="primary">Add</button>
            </form>
            <p id="feeds-error" class="error" role="alert" hidden></p>
            <ul id="feeds-list" class="items"></ul>
          </section>
        </div>
      </div>
    </main>
    <footer class="foot"><a href="/openapi.json">API (OpenAPI)</a></footer>
  </body>
</html>`;

export function mountNewsfeedPage(app: ServiceApp): void {
  // The page is revalidated every time, so it always names the current assets.
  app.get("/", (c: Context) => c.html(homePage, 200, { "Cache-Control": "no-cache" }));
  app.get("/assets/:file", (c) => {
    const file = /^([a-z]+)\.[0-9a-f]{8}\.(js|css)$/.exec(c.req.param("file"));
    const current =
      file &&
      Object.values(ASSETS).find(
        (a) => a.path.startsWith(`/assets/${file[1]}.`) && a.path.endsWith(`.${file[2]}`),
      );
    if (!current) return c.notFound();
    // Another version's hash (a canary rollout) gets the current asset, uncached.
    const immutable = c.req.path === current.path;
    return c.body(current.body, 200, {
      "Content-Type": current.type,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
}
