/** Link management: create, list, read, edit, delete, QR code. */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { renderSVG } from "uqr";
import { requireUser } from "../shared/auth.ts";
import type { AppEnv } from "../shared/context.ts";
import { AppError, badRequest, conflict, forbidden, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { TinyUrlDeps } from "./deps.ts";
import type { LinkLookup } from "./link-lookup.ts";
import { checkSlug, checkTarget, generateCode, type LinkRecord } from "./links.ts";
import { hashPassword } from "./password.ts";
import { CodeParam, ErrorResponse, Link, LinkList, PatchBody, parseTime, ShortenBody } from "./schemas.ts";
import type { LinkPatch } from "./store.ts";
import { linkView } from "./view.ts";

const CODE_ATTEMPTS = 5;
/** A page cursor: `<createdAt>.<code>` of the last link shown (codes never contain a dot). */
const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;
const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
const errors = {
  400: { description: "Invalid request", ...json(ErrorResponse) },
  401: { description: "Bad or missing token", ...json(ErrorResponse) },
  403: { description: "Not the owner", ...json(ErrorResponse) },
  404: { description: "Unknown code", ...json(ErrorResponse) },
  429: { description: "Rate limited", ...json(ErrorResponse) },
};

/** The origin short URLs are built on: PUBLIC_URL when configured, else the request's own origin. */
export function shortBase(c: Context<AppEnv>, publicUrl: string | undefined): string {
  return (publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}

function futureTime(
  value: string | number | null | undefined,
  now: number,
  field: string,
): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = parseTime(value);
  if (ms === undefined)
    throw badRequest(`${field}: not a date (ISO 8601 or epoch milliseconds, up to year 9999)`);
  if (ms <= now) throw badRequest(`${field}: must be in the future`);
  return ms;
}

export function mountLinkRoutes(app: ServiceApp, deps: TinyUrlDeps, lookup: LinkLookup): void {
  const now = deps.now ?? Date.now;
  const policy = (c: Context<AppEnv>) => {
    const ownHosts = [new URL(c.req.url).host];
    if (deps.config.PUBLIC_URL) ownHosts.push(new URL(deps.config.PUBLIC_URL).host);
    return { ownHosts, blockedHosts: deps.config.TINYURL_BLOCKED_HOSTS };
  };
  const checkedUrl = (c: Context<AppEnv>, raw: string) => {
    const target = checkTarget(raw, policy(c));
    if (!target.ok) throw badRequest(`url: ${target.reason}`);
    return target.url;
  };
  /** The link, if the caller may manage it (owned links only, by their owner). */
  const ownedLink = async (c: Context<AppEnv>, code: string): Promise<LinkRecord> => {
    const userId = requireUser(c);
    const link = await deps.store.get(code);
    if (!link) throw notFound(`No link with code ${code}`);
    if (link.owner !== userId) throw forbidden("Only the link's owner may change it");
    return link;
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/shorten",
      summary: "Create a short link",
      request: { body: { required: true, ...json(ShortenBody) } },
      responses: {
        201: { description: "Created", ...json(Link) },
        409: { description: "Slug taken", ...json(ErrorResponse) },
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const at = now();
      const url = checkedUrl(c, body.url);
      if (body.slug !== undefined) {
        const problem = checkSlug(body.slug);
        if (problem === "format") throw badRequest("slug: use 3 to 64 characters from A-Z a-z 0-9 _ -");
        if (problem === "reserved") throw badRequest(`slug: "${body.slug}" is reserved`);
      }
      const link: LinkRecord = {
        code: body.slug ?? "",
        url,
        owner: c.var.userId ?? null,
        title: body.title?.trim() || null,
        tags: [...new Set(body.tags ?? [])],
        passwordHash: body.password ? await hashPassword(body.password) : null,
        redirectStatus: body.redirectStatus ?? 302,
        expiresAt: futureTime(body.expiresAt, at, "expiresAt") ?? null,
        maxVisits: body.maxVisits ?? null,
        visitsUsed: 0,
        createdAt: at,
        updatedAt: at,
      };
      let stored = false;
      for (let attempt = 0; attempt < (body.slug ? 1 : CODE_ATTEMPTS) && !stored; attempt++) {
        if (!body.slug) link.code = generateCode();
        stored = await deps.store.insert(link);
      }
      if (!stored) {
        if (body.slug) throw conflict(`slug: "${body.slug}" is already taken`);
        throw new AppError(503, "unavailable", "Could not allocate a free code; try again");
      }
      await lookup.invalidate(link.code); // a cached "unknown code" answer must not outlive the insert
      const view = linkView(link, shortBase(c, deps.config.PUBLIC_URL), {
        userId: c.var.userId,
        creator: true,
      });
      return c.json(view, 201, { Location: view.shortUrl });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/links",
      summary: "List your links (bearer token)",
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z
            .string()
            .regex(CURSOR, "pass back the nextCursor of the previous page")
            .optional()
            .openapi({ description: "Opaque: the `nextCursor` of the previous page" }),
        }),
      },
      responses: { 200: { description: "Your links, newest first", ...json(LinkList) }, ...errors },
    }),
    async (c) => {
      const userId = requireUser(c);
      const { limit, cursor } = c.req.valid("query");
      const [, createdAt, code] = cursor ? (CURSOR.exec(cursor) ?? []) : [];
      const after = createdAt && code ? { createdAt: Number(createdAt), code } : undefined;
      const links = await deps.store.listByOwner(userId, limit + 1, after);
      const page = links.slice(0, limit);
      const base = shortBase(c, deps.config.PUBLIC_URL);
      const more = links.length > limit;
      return c.json(
        {
          links: page.map((l) => linkView(l, base, { userId })),
          nextCursor: more ? `${page[page.length - 1]!.createdAt}.${page[page.length - 1]!.code}` : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/links/{code}",
      summary: "A link's details",
      request: { params: CodeParam },
      responses: { 200: { description: "The link", ...json(Link) }, ...errors },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const link = await deps.store.get(code);
      if (!link) throw notFound(`No link with code ${code}`);
      if (link.owner !== null && link.owner !== c.var.userId)
        throw forbidden("This link belongs to another user");
      return c.json(linkView(link, shortBase(c, deps.config.PUBLIC_URL), { userId: c.var.userId }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/links/{code}",
      summary: "Change a link's target, expiry, visit limit, title or tags (owner only)",
      request: { params: CodeParam, body: { required: true, ...json(PatchBody) } },
      responses: { 200: { description: "The updated link", ...json(Link) }, ...errors },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const body = c.req.valid("json");
      await ownedLink(c, code);
      const at = now();
      const patch: LinkPatch = {
        url: body.url === undefined ? undefined : checkedUrl(c, body.url),
        expiresAt: futureTime(body.expiresAt, at, "expiresAt"),
        maxVisits: body.maxVisits,
        title: body.title === undefined ? undefined : body.title?.trim() || null,
        tags: body.tags ? [...new Set(body.tags)] : undefined,
      };
      await deps.store.update(code, patch, at);
      await lookup.invalidate(code);
      const updated = (await deps.store.get(code))!;
      return c.json(linkView(updated, shortBase(c, deps.config.PUBLIC_URL), { userId: c.var.userId }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/links/{code}",
      summary: "Delete a link and its visits (owner only)",
      request: { params: CodeParam },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      await ownedLink(c, code);
      await deps.store.delete(code);
      await lookup.invalidate(code);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/links/{code}/qr.svg",
      summary: "QR code of the short URL",
      request: { params: CodeParam },
      responses: {
        200: { description: "SVG image", content: { "image/svg+xml": { schema: z.string() } } },
        ...errors,
      },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const link = await lookup.get(code);
      if (!link) throw notFound(`No link with code ${code}`);
      const svg = renderSVG(`${shortBase(c, deps.config.PUBLIC_URL)}/${code}`, { ecc: "M", border: 2 });
      // Without PUBLIC_URL the encoded origin comes from the request's Host, so shared caches must not keep it.
      const cache = deps.config.PUBLIC_URL ? "public, max-age=86400" : "private, max-age=86400";
      return c.body(svg, 200, { "Content-Type": "image/svg+xml", "Cache-Control": cache });
    },
  );
}
