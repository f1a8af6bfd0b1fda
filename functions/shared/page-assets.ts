/**
 * Scripts and styles served at URLs carrying a hash of their content (the CSP forbids inline code, so
 * every page's script and style have their own routes).
 *
 * Caching: a hashed URL is `immutable` for a year, so a browser fetches each version once and a new
 * deploy is picked up through the page (served no-cache). During a canary rollout a page from one version
 * may ask a replica of the other for its asset: an unknown hash gets the current asset with no-cache
 * rather than a 404, so the page still works and nothing wrong is cached under that URL.
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { ServiceApp } from "./service.ts";

export interface Asset {
  body: string;
  type: string;
  /** `/assets/{name}.{hash}.{ext}`. */
  path: string;
}

/** FNV-1a, 32 bits, as hex: a version tag for a URL (not a security measure). */
export function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** An asset named `name` (lowercase letters) with extension `ext` (js or css), at its hashed path. */
export const hashedAsset = (name: string, ext: "js" | "css", body: string, type: string): Asset => ({
  body,
  type,
  path: `/assets/${name}.${contentHash(body)}.${ext}`,
});

/** The `<head>` of every page: its title, its hashed style and module script (nothing inline). */
export const pageHead = (title: string, style: Asset, script: Asset) => html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${style.path}" />
    <script type="module" src="${script.path}"></script>
  </head>`;

/** The bearer-token form (ids read by the pages' scripts). */
export const tokenForm = html`<form id="token-form" class="toolbar">
    <label for="token">Bearer token</label>
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste a token" />
    <button type="submit">Save</button>
    <button id="token-forget" type="button" class="quiet">Forget</button>
  </form>`;

const ASSET_FILE = /^([a-z]+)\.[0-9a-f]{8}\.(js|css)$/;

/** A page: revalidated every time, so it always names the current assets. */
export const pageResponse = (c: Context, body: ReturnType<typeof html>, status: 200 | 404 = 200) =>
  c.html(body, status, { "Cache-Control": "no-cache" });

/** Serves `assets` at `/assets/:file`: immutable at their own hash, uncached at another version's. */
export function mountHashedAssets(app: ServiceApp, assets: Record<string, Asset>): void {
  app.get("/assets/:file", (c) => {
    const file = ASSET_FILE.exec(c.req.param("file"));
    const current =
      file &&
      Object.values(assets).find(
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
