/**
 * The console page at `/`: static markup; the script (client/console.ts, bundled into
 * client/bundle.generated.ts) draws every rollout from the API with DOM calls. The CSP forbids inline
 * code, so the script and style are served from hashed URLs (functions/shared/page-assets.ts).
 */
import type { Hono } from "hono";
import { html } from "hono/html";
import { hashedAsset, pageHead, pageResponse } from "../../../functions/shared/page-assets.ts";
import { CONSOLE_SCRIPT } from "./client/bundle.generated.ts";
import { CONSOLE_STYLE } from "./style.ts";

export const CONSOLE_ASSETS = {
  script: hashedAsset("console", "js", CONSOLE_SCRIPT, "text/javascript; charset=utf-8"),
  style: hashedAsset("console", "css", CONSOLE_STYLE, "text/css; charset=utf-8"),
};

export const consolePage = html`<!doctype html>
<html lang="en">
  ${pageHead("canary · Rollouts", CONSOLE_ASSETS.style, CONSOLE_ASSETS.script)}
  <body>
    <header class="top">
      <span class="brand">canary</span> <span>Rollouts</span>
      <span id="live" class="live" data-state="offline" role="status" aria-live="polite">connecting…</span>
      <span class="local">Local console: served on 127.0.0.1 only, with no login. Anyone on this machine can use it.</span>
    </header>
    <main class="app">
      <p id="console-error" class="error" role="alert" hidden></p>
      <p id="empty" class="empty" hidden>No rollout is running. Start one with <code>canary rollout run --file k8s/…</code>.</p>
      <div id="rollouts" class="rollouts"></div>
    </main>
    <footer class="foot">The engine's control API: <a href="/api/rollouts">/api/rollouts</a></footer>
  </body>
</html>`;

/**
 * `GET /` and its two assets. One engine serves one build, so an asset is found at its exact hashed path
 * only (unlike the services, no other version's replica can ask for it).
 */
export function mountConsolePage(app: Hono): void {
  app.get("/", (c) => pageResponse(c, consolePage));
  for (const asset of Object.values(CONSOLE_ASSETS)) {
    app.get(asset.path, (c) =>
      c.body(asset.body, 200, {
        "Content-Type": asset.type,
        "Cache-Control": "public, max-age=31536000, immutable",
      }),
    );
  }
}
