/** The hot path: `GET|HEAD /{code}` redirects, and `POST /{code}` unlocks a password link. */
import type { Context } from "hono";
import type { AppEnv } from "../shared/context.ts";
import { errorBody } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { TinyUrlDeps } from "./deps.ts";
import type { LinkLookup } from "./link-lookup.ts";
import { type LinkRecord, linkState, SLUG_PATTERN } from "./links.ts";
import { messagePage, passwordPage } from "./page.ts";
import { verifyPassword } from "./password.ts";
import { CodeParam } from "./schemas.ts";
import type { Defer } from "./visits.ts";

/** API clients asking for JSON get the error shape; browsers get a page. */
function wantsJson(c: Context): boolean {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

function failure(c: Context, status: 404 | 410, code: string, message: string): Response | Promise<Response> {
  if (wantsJson(c)) return c.json(errorBody(code, message), status);
  return c.html(messagePage(status === 404 ? "Link not found" : "Link no longer available", message), status);
}

/**
 * An empty redirect with an explicit zero length (otherwise Node sends it chunked). Not cached by shared
 * caches, so a changed target or an expiry takes effect at once and every visit reaches us to be counted.
 */
function redirectResponse(c: Context, link: LinkRecord): Response {
  return c.body(null, link.redirectStatus, {
    Location: link.url,
    "Cache-Control": "private, max-age=0",
    "Content-Length": "0",
  });
}

/** The request's waitUntil on Workers; undefined on Node (where `executionCtx` throws, which is costly). */
function deferOf(c: Context): Defer | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined;
  }
}

export function mountRedirectRoutes(app: ServiceApp, deps: TinyUrlDeps, lookup: LinkLookup): void {
  const now = deps.now ?? Date.now;

  /** Checks expiry and spends a visit where the link counts them. Returns a failure response or nothing. */
  const admit = async (
    c: Context<AppEnv>,
    link: LinkRecord,
    spend: boolean,
  ): Promise<Response | undefined> => {
    const state = linkState(link, now());
    if (state === "expired") return failure(c, 410, "gone", "This link has expired.");
    if (link.maxVisits !== null && spend && !(await deps.store.claimVisit(link.code))) {
      await lookup.invalidate(link.code);
      return failure(c, 410, "gone", "This link has reached its visit limit.");
    }
    if (state === "exhausted") return failure(c, 410, "gone", "This link has reached its visit limit.");
    return undefined;
  };

  const redirect = (c: Context<AppEnv>, link: LinkRecord): Response => {
    deps.visits.record(
      {
        code: link.code,
        ts: now(),
        ip: deps.clientIp(c),
        userAgent: c.req.header("user-agent") ?? "",
        referrer: c.req.header("referer") ?? "",
        country: c.req.header(deps.config.COUNTRY_HEADER) ?? "",
      },
      deps.visits.needsWaitUntil ? deferOf(c) : undefined,
    );
    return redirectResponse(c, link);
  };

  const lookupCode = async (c: Context<AppEnv>) => {
    const code = c.req.param("code") ?? "";
    return SLUG_PATTERN.test(code) ? lookup.get(code) : undefined;
  };

  const handle = async (c: Context<AppEnv>) => {
    const link = await lookupCode(c);
    if (!link) return failure(c, 404, "not_found", "No link has this code.");
    // HEAD is what link checkers and unfurlers send: answer truthfully but spend and count nothing.
    const isHead = c.req.method === "HEAD";
    if (link.passwordHash) {
      const denied = await admit(c, link, false);
      return denied ?? c.html(passwordPage(link.code, link.title, false), 401);
    }
    const denied = await admit(c, link, !isHead);
    if (denied) return denied;
    if (isHead) return redirectResponse(c, link);
    return redirect(c, link);
  };

  app.get("/:code", handle);

  app.post("/:code", async (c) => {
    const link = await lookupCode(c);
    if (!link) return failure(c, 404, "not_found", "No link has this code.");
    if (!link.passwordHash) return redirect(c, link);
    const type = c.req.header("content-type") ?? "";
    const body = type.includes("application/json")
      ? ((await c.req.json().catch(() => ({}))) as { password?: unknown })
      : await c.req.parseBody();
    const password = typeof body.password === "string" ? body.password : "";
    if (!password || !(await verifyPassword(password, link.passwordHash))) {
      return wantsJson(c)
        ? c.json(errorBody("unauthorized", "Wrong password"), 401)
        : c.html(passwordPage(link.code, link.title, true), 401);
    }
    const denied = await admit(c, link, true);
    return denied ?? redirect(c, link);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/{code}",
    summary: "Follow a short link (HEAD answers the same without counting a visit)",
    request: { params: CodeParam },
    responses: {
      302: { description: "Redirect to the target (301/307/308 when the link says so)" },
      401: { description: "Password link: an HTML form asking for the password" },
      404: { description: "Unknown code" },
      410: { description: "Expired or out of visits" },
    },
  });
}
