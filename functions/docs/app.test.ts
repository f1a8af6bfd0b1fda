import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { loadConfig } from "../shared/config.ts";
import type { ServiceApp } from "../shared/service.ts";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { silentLog } from "../shared/testing/log.ts";
import { createDocsApp } from "./app.ts";
import { DOCUMENTS_SCHEMA } from "./documents.ts";
import { SESSION_SCHEMA, SqlSessionStore } from "./session-store-sql.ts";
import { SessionRegistry } from "./sessions.ts";
import { LocalDocumentTexts } from "./texts.ts";

const config = loadConfig({ AUTH_SECRET: "docs-test-secret", LOG_LEVEL: "silent" });
const { db, client } = openLibsql("file::memory:");
let app: ServiceApp;
const tokens: Record<string, string> = {};
const USERS = ["alice", "bob", "carol", "dave"] as const;
type Who = (typeof USERS)[number] | "anonymous";

beforeAll(async () => {
  await migrate(db, [...DOCUMENTS_SCHEMA, ...SESSION_SCHEMA]);
  const store = new SqlSessionStore(db);
  const sessions = new SessionRegistry(store, { session: { maxDocumentLength: 1000 } });
  app = createDocsApp({ config, db, log: silentLog, texts: new LocalDocumentTexts(sessions, store) });
  for (const user of USERS) tokens[user] = await signToken(user, config.AUTH_SECRET);
});
afterAll(() => client.close());

interface Sent {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

/** One request as `who`; every 4xx must carry the one error shape. */
async function call(who: Who, method: string, path: string, body?: unknown): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (who !== "anonymous") headers.authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Sent["body"]) : {};
  if (res.status >= 400) {
    expect(parsed, `${method} ${path} → ${res.status}`).toEqual({
      error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
    });
  }
  return { status: res.status, body: parsed };
}

/** A document owned by alice, with bob as editor and carol as viewer. */
async function sharedDoc(content = "hello"): Promise<string> {
  const created = await call("alice", "POST", "/api/documents", { title: "Notes", content });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(
    (await call("alice", "POST", `/api/documents/${id}/share`, { user: "bob", role: "editor" })).status,
  ).toBe(200);
  expect(
    (await call("alice", "POST", `/api/documents/${id}/share`, { user: "carol", role: "viewer" })).status,
  ).toBe(200);
  return id;
}

describe("create and read", () => {
  it("creates a document owned by the caller and reads it back", async () => {
    const created = await call("alice", "POST", "/api/documents", { title: " Plan ", content: "a😀b" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: "Plan",
      version: 0,
      role: "owner",
      owner: "alice",
      content: "a😀b",
    });
    expect(created.body.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const got = await call("alice", "GET", `/api/documents/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: created.body.id,
      title: "Plan",
      version: 0,
      content: "a😀b",
      role: "owner",
    });
  });

  it("defaults content to empty and gives each document a fresh id", async () => {
    const a = await call("alice", "POST", "/api/documents", { title: "A" });
    const b = await call("alice", "POST", "/api/documents", { title: "B" });
    expect(a.body.content).toBe("");
    expect(a.body.id).not.toBe(b.body.id);
  });

  it.each([
    [{}, "invalid_request"],
    [{ title: "" }, "invalid_request"],
    [{ title: "x", extra: 1 }, "invalid_request"],
    [{ title: "x", content: "y".repeat(1001) }, "document_too_large"],
  ])("refuses %j", async (body, code) => {
    const res = await call("alice", "POST", "/api/documents", body);
    expect(res.status).toBe(code === "document_too_large" ? 413 : 400);
    expect(res.body.error?.code).toBe(code);
  });

  it("refuses a malformed id with 400", async () => {
    expect((await call("alice", "GET", "/api/documents/bad.id")).status).toBe(400);
  });
});

describe("update", () => {
  it("applies {v, op}, transforms a stale v, and refuses a v ahead", async () => {
    const id = await sharedDoc("abc");
    const first = await call("bob", "POST", `/api/documents/${id}/update`, { v: 0, op: ["X"] });
    expect(first).toMatchObject({ status: 200, body: { version: 1, op: ["X"], duplicate: false } });
    // Written against version 0 (append after "abc"): lands after the concurrent insert.
    const stale = await call("alice", "POST", `/api/documents/${id}/update`, { v: 0, op: [3, "Y"] });
    expect(stale).toMatchObject({ status: 200, body: { version: 2, op: [4, "Y"] } });
    expect((await call("carol", "GET", `/api/documents/${id}`)).body).toMatchObject({
      content: "XabcY",
      version: 2,
    });
    const ahead = await call("alice", "POST", `/api/documents/${id}/update`, { v: 9, op: ["Z"] });
    expect(ahead.status).toBe(409);
    expect(ahead.body.error?.code).toBe("version_ahead");
  });

  it("turns {content} into an op at the current version, and skips a no-op", async () => {
    const id = await sharedDoc("hello world");
    const res = await call("bob", "POST", `/api/documents/${id}/update`, { content: "hello there world" });
    expect(res).toMatchObject({ status: 200, body: { version: 1, op: [6, "there "] } });
    const same = await call("bob", "POST", `/api/documents/${id}/update`, { content: "hello there world" });
    expect(same).toMatchObject({ status: 200, body: { version: 1, op: [] } });
    expect((await call("bob", "GET", `/api/documents/${id}`)).body.content).toBe("hello there world");
  });

  it("applies a retry with the same (src, seq) once", async () => {
    const id = await sharedDoc("");
    const submission = { v: 0, op: ["once"], src: "client-1", seq: 7 };
    expect((await call("bob", "POST", `/api/documents/${id}/update`, submission)).body).toMatchObject({
      version: 1,
    });
    const retry = await call("bob", "POST", `/api/documents/${id}/update`, submission);
    expect(retry).toMatchObject({ status: 200, body: { version: 1, op: null, duplicate: true } });
    expect((await call("bob", "GET", `/api/documents/${id}`)).body.content).toBe("once");
  });

  it.each([
    [{ v: 0, op: [{ d: 99 }] }, "invalid_op"],
    [{ v: 0, op: [{ x: 1 }] }, "invalid_op"],
    [{ v: 0, op: "nope" }, "invalid_request"],
    [{ v: -1, op: ["a"] }, "invalid_request"],
    [{ op: ["a"] }, "invalid_request"],
    [{ v: 0 }, "invalid_request"],
    [{}, "invalid_request"],
    [{ v: 0, op: ["a"], content: "b" }, "invalid_request"],
    [{ content: "\ud800" }, "invalid_submission"],
  ])("refuses %j with 400", async (body, code) => {
    const id = await sharedDoc("abc");
    const res = await call("bob", "POST", `/api/documents/${id}/update`, body);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe(code);
  });

  it("refuses an op that makes the document too large with 413", async () => {
    const id = await sharedDoc("");
    const res = await call("bob", "POST", `/api/documents/${id}/update`, { v: 0, op: ["y".repeat(1001)] });
    expect(res.status).toBe(413);
  });
});

describe("share, list, history, delete", () => {
  it("lists the documents where I have any role, with my role", async () => {
    const id = await sharedDoc();
    for (const [who, role] of [
      ["alice", "owner"],
      ["bob", "editor"],
      ["carol", "viewer"],
    ] as const) {
      const list = await call(who, "GET", "/api/documents");
      expect(list.status).toBe(200);
      const docs = list.body.documents as { id: string; role: string }[];
      expect(docs.find((d) => d.id === id)?.role).toBe(role);
    }
    const theirs = (await call("dave", "GET", "/api/documents")).body.documents as unknown[];
    expect(theirs).toEqual([]);
  });

  it("changes a role on a second share, and refuses changing one's own", async () => {
    const id = await sharedDoc();
    expect((await call("bob", "POST", `/api/documents/${id}/update`, { content: "x" })).status).toBe(200);
    await call("alice", "POST", `/api/documents/${id}/share`, { user: "bob", role: "viewer" });
    expect((await call("bob", "POST", `/api/documents/${id}/update`, { content: "y" })).status).toBe(403);
    const self = await call("alice", "POST", `/api/documents/${id}/share`, { user: "alice", role: "viewer" });
    expect(self.status).toBe(400);
    const bad = await call("alice", "POST", `/api/documents/${id}/share`, { user: "bob", role: "admin" });
    expect(bad.status).toBe(400);
  });

  it("returns the ops from a version on", async () => {
    const id = await sharedDoc("");
    for (const [v, op] of [
      [0, ["a"]],
      [1, [1, "b"]],
      [2, [2, "c"]],
    ] as const) {
      const res = await call("bob", "POST", `/api/documents/${id}/update`, { v, op, src: "s", seq: v });
      expect(res.status).toBe(200);
    }
    const all = await call("carol", "GET", `/api/documents/${id}/history`);
    expect(all.body).toMatchObject({ id, from: 0, version: 3 });
    expect(all.body.ops).toEqual([
      { v: 0, op: ["a"], src: "bob/s", seq: 0 },
      { v: 1, op: [1, "b"], src: "bob/s", seq: 1 },
      { v: 2, op: [2, "c"], src: "bob/s", seq: 2 },
    ]);
    const later = await call("carol", "GET", `/api/documents/${id}/history?from=2`);
    expect((later.body.ops as { v: number }[]).map((o) => o.v)).toEqual([2]);
    const limited = await call("carol", "GET", `/api/documents/${id}/history?from=0&limit=2`);
    expect(limited.body.ops).toHaveLength(2);
    expect((await call("carol", "GET", `/api/documents/${id}/history?from=4`)).status).toBe(400);
    expect((await call("carol", "GET", `/api/documents/${id}/history?from=x`)).status).toBe(400);
  });

  it("deletes the document for everyone", async () => {
    const id = await sharedDoc();
    await call("bob", "POST", `/api/documents/${id}/update`, { content: "gone soon" });
    expect((await call("alice", "DELETE", `/api/documents/${id}`)).status).toBe(204);
    for (const who of ["alice", "bob", "carol"] as const) {
      expect((await call(who, "GET", `/api/documents/${id}`)).status).toBe(404);
      const list = (await call(who, "GET", "/api/documents")).body.documents as { id: string }[];
      expect(list.map((d) => d.id)).not.toContain(id);
    }
    const rows = await db.query("SELECT 1 AS ok FROM doc_ops WHERE doc_id = ?", [id]);
    expect(rows).toEqual([]);
  });
});

describe("role × action over HTTP", () => {
  type Expect = Record<Who, number>;
  const matrix: [string, (id: string) => [string, string, unknown?], Expect][] = [
    [
      "read",
      (id) => ["GET", `/api/documents/${id}`],
      { alice: 200, bob: 200, carol: 200, dave: 404, anonymous: 401 },
    ],
    [
      "history",
      (id) => ["GET", `/api/documents/${id}/history`],
      { alice: 200, bob: 200, carol: 200, dave: 404, anonymous: 401 },
    ],
    [
      "edit",
      (id) => ["POST", `/api/documents/${id}/update`, { content: "edited" }],
      { alice: 200, bob: 200, carol: 403, dave: 404, anonymous: 401 },
    ],
    [
      "share",
      (id) => ["POST", `/api/documents/${id}/share`, { user: "erin", role: "viewer" }],
      { alice: 200, bob: 403, carol: 403, dave: 404, anonymous: 401 },
    ],
    [
      "delete",
      (id) => ["DELETE", `/api/documents/${id}`],
      { alice: 204, bob: 403, carol: 403, dave: 404, anonymous: 401 },
    ],
  ];
  const cases = matrix.flatMap(([action, request, expected]) =>
    (Object.keys(expected) as Who[]).map((who) => [action, who, request, expected[who]] as const),
  );

  it.each(cases)("%s as %s", async (_action, who, request, status) => {
    const id = await sharedDoc();
    const [method, path, body] = request(id);
    expect((await call(who, method, path, body)).status).toBe(status);
  });

  it("answers an unknown id like a stranger's document: 404", async () => {
    const res = await call("alice", "GET", "/api/documents/doesNotExist0000");
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });

  it("needs a token to create or list", async () => {
    expect((await call("anonymous", "POST", "/api/documents", { title: "x" })).status).toBe(401);
    expect((await call("anonymous", "GET", "/api/documents")).status).toBe(401);
  });
});
