/** Server-rendered HTML: the app page at `/`, and the small pages of the redirect path. */
import { html } from "hono/html";
import type { ServiceApp } from "../shared/service.ts";

const layout = (title: string, body: unknown) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="/app.css" />
  </head>
  <body>
    ${body}
  </body>
</html>`;

export function messagePage(title: string, message: string) {
  return layout(title, html`<main class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="/">Shorten a link</a></p></main>`);
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

export function mountPage(app: ServiceApp): void {
  app.get("/", (c) => c.html(layout("canary · TinyURL", html`<main><h1>TinyURL</h1></main>`)));
  app.get("/app.css", (c) => c.body("body{font-family:system-ui,sans-serif}", 200, { "Content-Type": "text/css; charset=utf-8" }));
}
