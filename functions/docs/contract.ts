/**
 * Docs' contract, written once and run against every runtime: the Node server (app.contract.test.ts)
 * and the Worker with its DocumentRoom objects on workerd (worker.contract.worker.test.ts). It speaks
 * only HTTP and WebSocket frames, so any difference between the runtimes fails here.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  type DocsContractOptions,
  type DocumentJson,
  docsClient,
  expectError,
  type Fetcher,
} from "./contract-client.ts";
import { liveContract } from "./contract-live.ts";
import { rolesContract } from "./contract-roles.ts";
import { socketContract } from "./contract-socket.ts";

export type { DocsContractOptions, Fetcher, SocketOpener } from "./contract-client.ts";

const ID = /^[A-Za-z0-9_-]{16}$/;

export function docsContract(fetcher: Fetcher, options: DocsContractOptions): void {
  const api = docsClient(fetcher, options);
  const { users } = api;
  afterEach(() => api.closeSockets());

  describe("create, read and list", () => {
    it("creates a document owned by the caller: 201, its fields and a Location", async () => {
      const res = await api.send("/api/documents", {
        as: "owner",
        json: { title: " Plan ", content: "a😀b" },
      });
      expect(res.status).toBe(201);
      const doc = (await res.json()) as DocumentJson;
      expect(doc).toMatchObject({
        title: "Plan",
        version: 0,
        content: "a😀b",
        role: "owner",
        owner: users.owner,
      });
      expect(doc.id).toMatch(ID);
      expect(res.headers.get("location")).toBe(`/api/documents/${doc.id}`);
      expect(Date.parse(doc.createdAt)).not.toBeNaN();
      expect(await api.read(doc.id)).toEqual(doc);
    });

    it("refuses a missing title or an unknown field with 400, and no token with 401", async () => {
      await expectError(
        await api.send("/api/documents", { as: "owner", json: { content: "x" } }),
        400,
        "invalid_request",
      );
      const extra = { title: "t", colour: "red" };
      await expectError(
        await api.send("/api/documents", { as: "owner", json: extra }),
        400,
        "invalid_request",
      );
      await expectError(await api.send("/api/documents", { json: { title: "t" } }), 401, "unauthorized");
    });

    it("refuses a text over the document limit with 413, creating nothing", async () => {
      const huge = { title: "huge", content: "x".repeat(1_000_001) };
      await expectError(
        await api.send("/api/documents", { as: "owner", json: huge }),
        413,
        "document_too_large",
      );
      const { documents } = await api.ok<{ documents: { title: string }[] }>("/api/documents", {
        as: "owner",
      });
      expect(documents.map((d) => d.title)).not.toContain("huge");
    });

    it("lists the documents a user has any role on, with that role, newest first", async () => {
      const first = await api.sharedDoc("one");
      const second = await api.create("two", "Second");
      type Listing = { documents: { id: string; role: string; title: string }[] };
      const mine = await api.ok<Listing>("/api/documents", { as: "owner" });
      const ids = mine.documents.map((d) => d.id);
      expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
      expect(mine.documents.find((d) => d.id === second.id)).toMatchObject({
        role: "owner",
        title: "Second",
      });
      const viewers = await api.ok<Listing>("/api/documents", { as: "viewer" });
      expect(viewers.documents.find((d) => d.id === first.id)?.role).toBe("viewer");
      expect(viewers.documents.map((d) => d.id)).not.toContain(second.id);
      const strangers = await api.ok<Listing>("/api/documents", { as: "stranger" });
      expect(strangers.documents.map((d) => d.id)).not.toContain(first.id);
    });

    it("answers an unknown document with 404", async () => {
      await expectError(await api.send("/api/documents/NoSuchDocument00", { as: "owner" }), 404, "not_found");
    });
  });

  describe("update", () => {
    const update = (id: string, body: unknown, as: "owner" | "editor" = "editor") =>
      api.send(`/api/documents/${id}/update`, { as, json: body });

    it("applies {v, op}, and transforms a stale op against the ops since its v", async () => {
      const doc = await api.sharedDoc("hello");
      const first = await api.ok(`/api/documents/${doc.id}/update`, {
        as: "editor",
        json: { v: 0, op: [">> "] },
      });
      expect(first).toEqual({ id: doc.id, version: 1, op: [">> "], duplicate: false });
      // Written against version 0, after "hello": it moves right by the three characters inserted since.
      const stale = await api.ok(`/api/documents/${doc.id}/update`, {
        as: "owner",
        json: { v: 0, op: [5, "!"] },
      });
      expect(stale).toEqual({ id: doc.id, version: 2, op: [8, "!"], duplicate: false });
      expect(await api.read(doc.id, "viewer")).toMatchObject({
        version: 2,
        content: ">> hello!",
        role: "viewer",
      });
    });

    it("replaces the whole text with {content} as one diffed op; the same text changes nothing", async () => {
      const doc = await api.sharedDoc("the cat sat");
      const res = await api.ok(`/api/documents/${doc.id}/update`, {
        as: "editor",
        json: { content: "the dog sat" },
      });
      expect(res).toMatchObject({ version: 1, duplicate: false });
      expect(await api.read(doc.id)).toMatchObject({ version: 1, content: "the dog sat" });
      const same = await api.ok(`/api/documents/${doc.id}/update`, {
        as: "editor",
        json: { content: "the dog sat" },
      });
      expect(same).toMatchObject({ version: 1, op: [] });
    });

    it("applies a retry with the same (src, seq) once", async () => {
      const doc = await api.sharedDoc("ab");
      const body = { v: 0, op: [1, "X"], src: "retrying-client", seq: 7 };
      expect(await api.ok(`/api/documents/${doc.id}/update`, { as: "editor", json: body })).toMatchObject({
        version: 1,
        duplicate: false,
      });
      expect(await api.ok(`/api/documents/${doc.id}/update`, { as: "editor", json: body })).toEqual({
        id: doc.id,
        version: 1,
        op: null,
        duplicate: true,
      });
      expect(await api.read(doc.id)).toMatchObject({ version: 1, content: "aXb" });
    });

    it.each([
      ["an op that does not apply", 400, "invalid_op", { v: 0, op: [99, "x"] }],
      ["a malformed op", 400, "invalid_op", { v: 0, op: [{ bogus: 1 }] }],
      ["a version ahead of the document", 409, "version_ahead", { v: 5, op: ["x"] }],
      ["both an op and content", 400, "invalid_request", { v: 0, op: ["x"], content: "y" }],
      ["neither an op nor content", 400, "invalid_request", { v: 0 }],
    ] as const)("refuses %s with %i %s, leaving the text unchanged", async (_what, status, code, body) => {
      const doc = await api.sharedDoc("same");
      await expectError(await update(doc.id, body), status, code);
      expect(await api.read(doc.id)).toMatchObject({ version: 0, content: "same" });
    });
  });

  describe("share, history and delete", () => {
    it("shares with a role the owner picks, and changes it later", async () => {
      const doc = await api.create("text");
      const share = (role: string) =>
        api.ok(`/api/documents/${doc.id}/share`, { as: "owner", json: { user: users.stranger, role } });
      expect(await share("viewer")).toEqual({ id: doc.id, user: users.stranger, role: "viewer" });
      expect((await api.read(doc.id, "stranger")).role).toBe("viewer");
      await share("editor");
      expect((await api.read(doc.id, "stranger")).role).toBe("editor");
    });

    it("refuses an unknown role, and an owner changing their own role, with 400", async () => {
      const doc = await api.create();
      const send = (json: unknown) => api.send(`/api/documents/${doc.id}/share`, { as: "owner", json });
      await expectError(await send({ user: users.editor, role: "admin" }), 400, "invalid_request");
      await expectError(await send({ user: users.owner, role: "viewer" }), 400, "invalid_request");
    });

    it("keeps every op in the history, from any version", async () => {
      const doc = await api.sharedDoc("");
      for (const [v, text] of ["a", "b", "c"].entries()) {
        await api.ok(`/api/documents/${doc.id}/update`, {
          as: "editor",
          json: { v, op: v === 0 ? [text] : [v, text], src: "h", seq: v },
        });
      }
      type History = {
        id: string;
        from: number;
        version: number;
        ops: { v: number; op: unknown; src: string; seq: number }[];
      };
      const all = await api.ok<History>(`/api/documents/${doc.id}/history`, { as: "viewer" });
      expect(all).toEqual({
        id: doc.id,
        from: 0,
        version: 3,
        ops: [
          // Each op's src names its author: the user, then the client's own src.
          { v: 0, op: ["a"], src: `${users.editor}/h`, seq: 0 },
          { v: 1, op: [1, "b"], src: `${users.editor}/h`, seq: 1 },
          { v: 2, op: [2, "c"], src: `${users.editor}/h`, seq: 2 },
        ],
      });
      const later = await api.ok<History>(`/api/documents/${doc.id}/history?from=2&limit=5`, {
        as: "viewer",
      });
      expect(later.ops.map((o) => o.v)).toEqual([2]);
      const beyond = await api.send(`/api/documents/${doc.id}/history?from=9`, { as: "viewer" });
      await expectError(beyond, 400, "invalid_submission");
    });

    it("deletes the document, its access list and its history", async () => {
      const doc = await api.sharedDoc("gone soon");
      const res = await api.send(`/api/documents/${doc.id}`, { as: "owner", method: "DELETE" });
      expect(res.status).toBe(204);
      await res.body?.cancel();
      for (const who of ["owner", "editor"] as const) {
        await expectError(await api.send(`/api/documents/${doc.id}`, { as: who }), 404, "not_found");
      }
      await expectError(
        await api.send(`/api/documents/${doc.id}/history`, { as: "owner" }),
        404,
        "not_found",
      );
      const { documents } = await api.ok<{ documents: { id: string }[] }>("/api/documents", { as: "editor" });
      expect(documents.map((d) => d.id)).not.toContain(doc.id);
    });
  });

  rolesContract(api);
  socketContract(api, options);
  liveContract(api);
}
