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

  /** Asks for the password: a form for browsers, the error shape for API clients. Never the target. */
  const passwordRequired = (c: Context<AppEnv>, link: LinkRecord, wrong: boolean) =>
    wantsJson(c)
      ? c.json(
          errorBody(
            wrong ? "unauthorized" : "password_required",
            wrong ? "Wrong password" : "This link needs a password",
          ),
          401,
        )
      : c.html(passwordPage(link.code, link.title, wrong), 401);

  const handle = async (c: Context<AppEnv>) => {
    let link = await lookupCode(c);
    if (!link) return failure(c, 404, "not_found", "No link has this code.");
    // HEAD is what link checkers and unfurlers send: answer truthfully but spend and count nothing. The
    // cached record's visit count can be behind, so a HEAD on a counted link reads the current one.
    const isHead = c.req.method === "HEAD";
    if (isHead && link.maxVisits !== null) link = (await deps.store.get(link.code)) ?? link;
    if (link.passwordHash) return (await admit(c, link, false)) ?? passwordRequired(c, link, false);
    const denied = await admit(c, link, !isHead);
    if (denied) return denied;
    return isHead ? redirectResponse(c, link) : redirect(c, link);
  };

  /** The password from a form or JSON body; undefined when the body is not one of those or malformed. */
  const submittedPassword = async (c: Context<AppEnv>): Promise<string | undefined> => {
    try {
      const type = c.req.header("content-type") ?? "";
      const body: unknown = type.includes("application/json") ? await c.req.json() : await c.req.parseBody();
      const password = (body as { password?: unknown } | null)?.password;
      return typeof password === "string" && password.length > 0 ? password : undefined;
    } catch {
      return undefined;
    }
  };

  app.get("/:code", handle);

  app.post("/:code", async (c) => {
    const link = await lookupCode(c);
    if (!link) return failure(c, 404, "not_found", "No link has this code.");
    if (link.passwordHash) {
      const password = await submittedPassword(c);
      if (!password || !(await verifyPassword(password, link.passwordHash))) {
        return passwordRequired(c, link, true);
      }
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
      401: {
        description:
          "Password link: an HTML form asking for the password (JSON error on Accept: application/json)",
      },
      404: { description: "Unknown code" },
      410: { description: "Expired or out of visits" },
      429: { description: "Redirect rate limit spent" },
    },
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/{code}",
    summary: "Unlock a password link (form field or JSON `password`) and follow it",
    request: { params: CodeParam },
    responses: {
      302: { description: "Right password: redirect to the target" },
      401: { description: "Wrong or missing password" },
      404: { description: "Unknown code" },
      410: { description: "Expired or out of visits" },
      429: { description: "API rate limit spent (caps guessing)" },
    },
  });
}
