/**
 * Changes made over HTTP reach the sockets already open (a role change, a deletion), and edits made
 * over a socket reach the metadata (`updatedAt`, which orders listings), on every runtime.
 */
import { describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { type DocsClient, type DocumentJson, expectRefused } from "./contract-client.ts";
import { CLOSE } from "./protocol.ts";

type Listing = { documents: { id: string; createdAt: string; updatedAt: string }[] };

/** Polls until this runtime's clock is past `iso`, so a later write cannot carry the same millisecond. */
const clockPast = (iso: string) =>
  eventually(
    () => Date.now(),
    (now) => now > Date.parse(iso),
    { what: `the clock to pass ${iso}` },
  );

export function liveContract(api: DocsClient): void {
  const { users } = api;
  const share = (doc: DocumentJson, user: string, role: string) =>
    api.ok(`/api/documents/${doc.id}/share`, { as: "owner", json: { user, role } });

  describe("changes reaching open sockets", () => {
    it("closes a user's sockets with CLOSE.roleChanged when their role changes; they reconnect with the new one", async () => {
      const doc = await api.sharedDoc("text");
      const editor = await api.socket(doc.id, { as: "editor", src: "ed" });
      const viewer = await api.socket(doc.id, { as: "viewer", src: "vi" });
      await Promise.all([editor.next("init"), viewer.next("init")]);
      // The same role again changes nothing: the socket stays and may still edit.
      await share(doc, users.editor, "editor");
      editor.send({ type: "op", v: 0, op: ["a"], seq: 0 });
      expect(await editor.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });

      await share(doc, users.editor, "viewer");
      expect((await editor.closed).code).toBe(CLOSE.roleChanged);
      expect(viewer.isClosed).toBe(false); // another user's socket stays
      const again = await api.socket(doc.id, { as: "editor", src: "ed", v: 1 });
      expect(await again.next("init")).toMatchObject({ role: "viewer", v: 1 });
      again.send({ type: "op", v: 1, op: ["b"], seq: 1 });
      expect(await again.next("error")).toMatchObject({ code: "forbidden", seq: 1 });

      // Promoted: the viewer's socket closes too, and reconnects able to edit.
      await share(doc, users.viewer, "editor");
      expect((await viewer.closed).code).toBe(CLOSE.roleChanged);
      const promoted = await api.socket(doc.id, { as: "viewer", src: "vi", v: 1 });
      expect(await promoted.next("init")).toMatchObject({ role: "editor" });
      promoted.send({ type: "op", v: 1, op: [1, "c"], seq: 0 });
      expect(await promoted.next("ack")).toEqual({ type: "ack", v: 1, seq: 0 });
      expect(await api.read(doc.id)).toMatchObject({ version: 2, content: "actext" });
    });

    it("closes the sockets with CLOSE.deleted when the document is deleted", async () => {
      const doc = await api.sharedDoc();
      const editor = await api.socket(doc.id, { as: "editor" });
      const viewer = await api.socket(doc.id, { as: "viewer" });
      await Promise.all([editor.next("init"), viewer.next("init")]);
      const res = await api.send(`/api/documents/${doc.id}`, { as: "owner", method: "DELETE" });
      expect(res.status).toBe(204);
      expect((await editor.closed).code).toBe(CLOSE.deleted);
      expect((await viewer.closed).code).toBe(CLOSE.deleted);
      expectRefused(await api.connect(doc.id, { as: "owner" }), 404, "not_found");
    });
  });

  describe("edits reaching the metadata", () => {
    it("an op over a socket moves the document's updatedAt, and it lists first again", async () => {
      const edited = await api.create("old", "Edited");
      const newer = await api.create("new", "Newer");
      const socket = await api.socket(edited.id, { as: "owner" });
      await socket.next("init");
      await clockPast(newer.updatedAt);
      socket.send({ type: "op", v: 0, op: ["!"], seq: 0 });
      await socket.next("ack");
      // Written off the op's path (the ack does not wait for it): poll.
      const { documents } = await eventually(
        () => api.ok<Listing>("/api/documents", { as: "owner" }),
        (list) => list.documents.find((d) => d.id === edited.id)?.updatedAt !== edited.updatedAt,
        { what: "updatedAt to move" },
      );
      const ids = documents.map((d) => d.id);
      expect(ids.indexOf(edited.id)).toBeLessThan(ids.indexOf(newer.id));
      const listed = documents.find((d) => d.id === edited.id)!;
      expect(Date.parse(listed.updatedAt)).toBeGreaterThan(Date.parse(newer.updatedAt));
      expect(listed.createdAt).toBe(edited.createdAt);
    });

    it("an update over HTTP moves it too", async () => {
      const doc = await api.create("x");
      await clockPast(doc.updatedAt);
      await api.ok(`/api/documents/${doc.id}/update`, { as: "owner", json: { v: 0, op: ["y"] } });
      const moved = await eventually(
        () => api.read(doc.id),
        (read) => read.updatedAt !== doc.updatedAt,
        { what: "updatedAt to move" },
      );
      expect(Date.parse(moved.updatedAt)).toBeGreaterThan(Date.parse(doc.updatedAt));
    });
  });
}
