/** The Docs HTTP API: create, list, read, update (op or full content), share, history, delete. */
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireUser } from "../shared/auth.ts";
import type { AppEnv } from "../shared/context.ts";
import { AppError, badRequest, forbidden, notFound } from "../shared/errors.ts";
import type { ServiceApp } from "../shared/service.ts";
import type { DocsDeps } from "./deps.ts";
import { type DocumentRecord, type DocumentStore, newDocumentId } from "./documents.ts";
import { authorId } from "./protocol.ts";
import { type Action, can, type Role } from "./roles.ts";
import {
  CreateBody,
  Document,
  DocumentList,
  ErrorResponse,
  History,
  HistoryQuery,
  IdParam,
  Share,
  ShareBody,
  UpdateBody,
  UpdateResult,
} from "./schemas.ts";
import type { DocumentTexts, UpdateOutcome } from "./texts.ts";

const ID_ATTEMPTS = 3;
const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
const errors = {
  400: { description: "Invalid request", ...json(ErrorResponse) },
  401: { description: "Bad or missing token", ...json(ErrorResponse) },
  403: { description: "Your role does not allow this", ...json(ErrorResponse) },
  404: { description: "No such document, or you have no role on it", ...json(ErrorResponse) },
};
const iso = (ms: number) => new Date(ms).toISOString();
const meta = (doc: DocumentRecord) => ({
  id: doc.id,
  title: doc.title,
  owner: doc.owner,
  createdAt: iso(doc.createdAt),
  updatedAt: iso(doc.updatedAt),
});

export function mountDocumentRoutes(
  app: ServiceApp,
  deps: DocsDeps,
  docs: DocumentStore,
  texts: DocumentTexts,
): void {
  const now = deps.now ?? Date.now;

  /**
   * The caller's role, if it allows `action`. A user with no role gets the same 404 as for an unknown id,
   * so ids of other people's documents never leak; only a known member can learn "forbidden".
   */
  const access = async (c: Context<AppEnv>, id: string, action: Action) => {
    const user = requireUser(c);
    const role = await docs.roleOf(id, user);
    if (!role) throw notFound(`No document ${id}`);
    if (!can(role, action)) throw forbidden(`A ${role} may not ${action} this document`);
    return { user, role };
  };
  const documentView = async (id: string, role: Role) => {
    const doc = await docs.get(id);
    if (!doc) throw notFound(`No document ${id}`);
    const { version, content } = await texts.read(id);
    return { ...meta(doc), version, content, role };
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/documents",
      summary: "Create a document (bearer token); you become its owner",
      request: { body: { required: true, ...json(CreateBody) } },
      responses: { 201: { description: "Created", ...json(Document) }, ...errors },
    }),
    async (c) => {
      const owner = requireUser(c);
      const { title, content = "" } = c.req.valid("json");
      const at = now();
      // The text first: it checks the size limit before any metadata exists.
      let id = "";
      for (let attempt = 0; attempt < ID_ATTEMPTS && !id; attempt++) {
        const candidate = newDocumentId();
        try {
          await texts.create(candidate, content);
          id = candidate;
        } catch (error) {
          if (!(error instanceof AppError && error.code === "already_exists")) throw error;
        }
      }
      if (!id) throw new AppError(503, "unavailable", "Could not allocate a document id; try again");
      const doc = { id, title, owner, createdAt: at, updatedAt: at };
      await docs.create(doc);
      return c.json({ ...meta(doc), version: 0, content, role: "owner" as const }, 201, {
        Location: `/api/documents/${id}`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/documents",
      summary: "Documents you have any role on, most recently updated first",
      responses: { 200: { description: "Your documents", ...json(DocumentList) }, ...errors },
    }),
    async (c) => {
      const user = requireUser(c);
      const list = await docs.listFor(user, 500);
      return c.json({ documents: list.map((d) => ({ ...meta(d), role: d.role })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/documents/{id}",
      summary: "A document's text, version and your role",
      request: { params: IdParam },
      responses: { 200: { description: "The document", ...json(Document) }, ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { role } = await access(c, id, "read");
      return c.json(await documentView(id, role), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/documents/{id}/update",
      summary: "Apply `{v, op}` (transformed against newer ops) or replace the text with `{content}`",
      request: { params: IdParam, body: { required: true, ...json(UpdateBody) } },
      responses: {
        200: { description: "Applied (or a duplicate of an applied retry)", ...json(UpdateResult) },
        409: { description: "v is ahead of the document, or too old", ...json(ErrorResponse) },
        413: { description: "Op or document too large", ...json(ErrorResponse) },
        ...errors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const { user } = await access(c, id, "edit");
      const src = authorId(user, body.src ?? `http-${newDocumentId()}`);
      const seq = body.seq ?? 0;
      let outcome: UpdateOutcome;
      if (body.content !== undefined) {
        if (body.op !== undefined || body.v !== undefined)
          throw badRequest("send either {v, op} or {content}");
        outcome = await texts.replace(id, body.content, src, seq);
      } else {
        if (body.op === undefined || body.v === undefined)
          throw badRequest("send either {v, op} or {content}");
        outcome = await texts.submit(id, { v: body.v, op: body.op, src, seq });
      }
      return c.json(
        {
          id,
          version: outcome.version,
          op: outcome.op ? [...outcome.op] : null,
          duplicate: outcome.duplicate,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/documents/{id}/share",
      summary: "Give a user a role on the document (owners only)",
      request: { params: IdParam, body: { required: true, ...json(ShareBody) } },
      responses: { 200: { description: "Shared", ...json(Share) }, ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { user, role } = c.req.valid("json");
      const me = await access(c, id, "share");
      // An owner demoting themselves could leave the document with no one able to share or delete it.
      if (user === me.user) throw badRequest("user: you cannot change your own role");
      const before = await docs.roleOf(id, user);
      await docs.share(id, user, role);
      // Sockets keep the role they connected with: close theirs, so they reconnect with the new one.
      // Someone who had no role has no sockets.
      if (before !== undefined && before !== role) await texts.roleChanged(id, user);
      return c.json({ id, user, role }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/documents/{id}/history",
      summary: "Stored ops from version `from` on (at most `limit`)",
      request: { params: IdParam, query: HistoryQuery },
      responses: { 200: { description: "Ops in version order", ...json(History) }, ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { from, limit } = c.req.valid("query");
      await access(c, id, "read");
      const { version, ops } = await texts.history(id, from, limit);
      // Spread: ops are readonly in the domain; the response type wants plain arrays.
      return c.json({ id, from, version, ops: ops.map((o) => ({ ...o, op: [...o.op] })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/documents/{id}",
      summary: "Delete the document, its access list and its history (owners only)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await access(c, id, "delete");
      // The access list first: from then on no one can reach the text, which goes next.
      await docs.delete(id);
      await texts.delete(id);
      return c.body(null, 204);
    },
  );
}
