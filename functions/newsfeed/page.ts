/**
 * The Newsfeed page at `/`: static markup; the script (client/home.ts, bundled into
 * client/bundle.generated.ts) draws the feed, recommendations, search results, feeds and follows with DOM
 * APIs, and listens to the live stream for the "new items" banner. Nothing from a request is echoed in the
 * markup. The CSP forbids inline code, so the script and style are served from /assets/ at URLs that
 * carry their content hash (shared/page-assets.ts explains the caching).
 */
import { html } from "hono/html";
import { hashedAsset, mountHashedAssets, pageHead, pageResponse, tokenForm } from "../shared/page-assets.ts";
import type { ServiceApp } from "../shared/service.ts";
import { NEWSFEED_SCRIPT } from "./client/bundle.generated.ts";
import { NEWSFEED_STYLE } from "./client/style.ts";

export const ASSETS = {
  script: hashedAsset("newsfeed", "js", NEWSFEED_SCRIPT, "text/javascript; charset=utf-8"),
  style: hashedAsset("newsfeed", "css", NEWSFEED_STYLE, "text/css; charset=utf-8"),
};

export const homePage = html`<!doctype html>
<html lang="en">
  ${pageHead("canary · Newsfeed", ASSETS.style, ASSETS.script)}
  <body>
    <header class="top"><a class="brand" href="/">canary</a> <span>Newsfeed</span></header>
    <main class="app wide">
      <section id="token-card" class="card" aria-labelledby="token-h">
        <h2 id="token-h">Who you are</h2>
        ${tokenForm}
        <form id="user-form" class="toolbar">
          <label for="user">Or view as user</label>
          <input id="user" type="text" autocomplete="off" spellcheck="false" maxlength="200" placeholder="a user id (demo, read only)" />
          <button type="submit">View</button>
        </form>
        <p class="hint">Get a token with <code>npx canary token &lt;user&gt;</code>; liking, following and adding feeds need one.
          It stays in this browser's storage. A link may carry one as <code>#token=…</code>, or a demo user as <code>?user=…</code>.</p>
        <p id="whoami" class="hint" role="status"></p>
      </section>
      <div class="columns">
        <div class="side">
          <section id="feed-card" class="card" aria-labelledby="feed-h">
            <h2 id="feed-h" tabindex="-1">Your feed</h2>
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
          <section id="follows-card" class="card" aria-labelledby="follows-h">
            <h2 id="follows-h" tabindex="-1">Following</h2>
            <p id="follows-error" class="error" role="alert" hidden></p>
            <p id="follows-status" class="hint status-line" role="status"></p>
            <p id="follows-empty" class="empty"></p>
            <div id="follows-sources-group" hidden>
              <h3 id="follows-sources-h" class="subhead">Feeds</h3>
              <ul id="follows-sources" class="items" aria-labelledby="follows-sources-h"></ul>
            </div>
            <div id="follows-topics-group" hidden>
              <h3 id="follows-topics-h" class="subhead">Topics</h3>
              <ul id="follows-topics" class="items" aria-labelledby="follows-topics-h"></ul>
            </div>
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
  app.get("/", (c) => pageResponse(c, homePage));
  mountHashedAssets(app, ASSETS);
}
