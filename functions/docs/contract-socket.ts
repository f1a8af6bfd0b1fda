/**
 * The document socket: the handshake (who may connect), `init`, the ordered stream of acks and ops,
 * refusals (viewers, rate limits, broken frames), resends after a reconnect, and the HTTP API and the
 * sockets seeing each other's changes.
 */
import { describe, expect, it } from "vitest";
import { type DocsClient, type DocsContractOptions, expectRefused } from "./contract-client.ts";
import { CLOSE, SUBPROTOCOL } from "./protocol.ts";

export function socketContract(api: DocsClient, options: DocsContractOptions): void {
  const { users } = api;
  /** The id a client's ops and presence carry: its user, then its own src. */
  const id = (who: keyof typeof users, src: string) => `${users[who]}/${src}`;

  describe("socket handshake", () => {
    it("refuses no token or a bad one with 401, a stranger and an unknown document with 404", async () => {
      const doc = await api.sharedDoc();
      expectRefused(await api.connect(doc.id), 401, "unauthorized");
      expectRefused(
        await api.connect(doc.id, { headers: { authorization: "Bearer not.a.jwt" } }),
        401,
        "unauthorized",
      );
      expectRefused(await api.connect(doc.id, { as: "stranger" }), 404, "not_found");
      expectRefused(await api.connect("NoSuchDocument00", { as: "owner" }), 404, "not_found");
    });

    it("refuses a malformed src or v with 400", async () => {
      const doc = await api.sharedDoc();
      expectRefused(await api.connect(doc.id, { as: "owner", src: "no spaces" }), 400, "bad_request");
      expectRefused(await api.connect(doc.id, { as: "owner", v: -1 }), 400, "bad_request");
    });

    it("takes the token as a subprotocol (browsers) and answers with the protocol's name", async () => {
      const doc = await api.sharedDoc();
      const socket = await api.socket(doc.id, { as: "viewer", viaSubprotocol: true });
      expect(socket.protocol).toBe(SUBPROTOCOL);
      expect((await socket.next("init")).role).toBe("viewer");
    });

    it("ignores identity headers a client sends: the token decides", async () => {
      const doc = await api.sharedDoc("fixed");
      const forged = { "x-docs-user": users.owner, "x-docs-role": "owner", "x-docs-src": "forged" };
      const socket = await api.socket(doc.id, { as: "viewer", src: "honest", headers: forged });
      const init = await socket.next("init");
      expect(init).toMatchObject({ role: "viewer", you: { id: id("viewer", "honest"), user: users.viewer } });
      socket.send({ type: "op", v: 0, op: ["x"], seq: 0 });
      expect(await socket.next("error")).toMatchObject({ code: "forbidden", seq: 0 });
    });
  });

  describe("socket session", () => {
    it("sends init with the version, text, role, yourself and who is there; others hear the join", async () => {
      const doc = await api.sharedDoc("hi😀");
      const owner = await api.socket(doc.id, { as: "owner", src: "owner-tab" });
      expect(await owner.next("init")).toEqual({
        type: "init",
        v: 0,
        role: "owner",
        you: {
          id: id("owner", "owner-tab"),
          user: users.owner,
          name: users.owner,
          color: expect.any(String),
          sel: null,
        },
        peers: [],
        content: "hi😀",
      });
      const editor = await api.socket(doc.id, { as: "editor", src: "editor-tab" });
      const init = await editor.next("init");
      expect(init.peers).toEqual([
        expect.objectContaining({ id: id("owner", "owner-tab"), user: users.owner }),
      ]);
      expect(await owner.next("join")).toMatchObject({
        peer: { id: id("editor", "editor-tab"), user: users.editor },
      });
    });

    it("with v, init carries the ops since then instead of the text", async () => {
      const doc = await api.sharedDoc("ab");
      await api.ok(`/api/documents/${doc.id}/update`, {
        as: "editor",
        json: { v: 0, op: [1, "X"], src: "h", seq: 0 },
      });
      const socket = await api.socket(doc.id, { as: "viewer", v: 0 });
      const init = await socket.next("init");
      expect(init).toMatchObject({
        v: 1,
        ops: [{ type: "op", v: 0, op: [1, "X"], src: id("editor", "h"), seq: 0 }],
      });
      expect(init.content).toBeUndefined();
    });

    it("acks an op to its sender and sends it to the others; concurrent ops converge", async () => {
      const doc = await api.sharedDoc("abc");
      const owner = await api.socket(doc.id, { as: "owner", src: "o" });
      const editor = await api.socket(doc.id, { as: "editor", src: "e" });
      const viewer = await api.socket(doc.id, { as: "viewer", src: "v" });
      await Promise.all([owner.next("init"), editor.next("init"), viewer.next("init")]);
      owner.send({ type: "op", v: 0, op: ["<"], seq: 0 });
      expect(await owner.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
      expect(await editor.next("op")).toEqual({ type: "op", v: 0, op: ["<"], src: id("owner", "o"), seq: 0 });
      // Written before the editor saw the owner's op: transformed past it.
      editor.send({ type: "op", v: 0, op: [3, ">"], seq: 0 });
      expect(await editor.next("ack")).toEqual({ type: "ack", v: 1, seq: 0 });
      expect(await owner.next("op")).toEqual({
        type: "op",
        v: 1,
        op: [4, ">"],
        src: id("editor", "e"),
        seq: 0,
      });
      await viewer.next("op", (m) => m.v === 1);
      expect(viewer.remoteOps().map((m) => m.src)).toEqual([id("owner", "o"), id("editor", "e")]);
      expect(await api.read(doc.id)).toMatchObject({ version: 2, content: "<abc>" });
    });

    it("refuses a viewer's op with forbidden and applies nothing", async () => {
      const doc = await api.sharedDoc("keep");
      const viewer = await api.socket(doc.id, { as: "viewer", src: "viewer-tab" });
      const owner = await api.socket(doc.id, { as: "owner", src: "owner-tab" });
      await Promise.all([viewer.next("init"), owner.next("init")]);
      viewer.send({ type: "op", v: 0, op: ["nope "], seq: 0 });
      expect(await viewer.next("error")).toMatchObject({
        code: "forbidden",
        seq: 0,
        message: expect.any(String),
      });
      owner.send({ type: "op", v: 0, op: [4, "!"], seq: 0 });
      await owner.next("ack");
      // The viewer hears the owner's op, which is the first and only op: the refused one never existed.
      expect(await viewer.next("op")).toMatchObject({ v: 0, src: id("owner", "owner-tab") });
      expect(owner.remoteOps()).toEqual([]);
      expect(await api.read(doc.id)).toMatchObject({ version: 1, content: "keep!" });
    });

    it("applies a resent (src, seq) once, on the same socket and after reconnecting", async () => {
      const doc = await api.sharedDoc("ab");
      const watcher = await api.socket(doc.id, { as: "viewer" });
      await watcher.next("init");
      const first = await api.socket(doc.id, { as: "editor", src: "flaky" });
      await first.next("init");
      const op = { type: "op", v: 0, op: [1, "X"], seq: 0 };
      first.send(op);
      first.send(op);
      expect(await first.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
      expect(await first.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
      first.close();
      await first.closed;
      const again = await api.socket(doc.id, { as: "editor", src: "flaky", v: 0 });
      const init = await again.next("init");
      expect(init.ops).toEqual([{ type: "op", v: 0, op: [1, "X"], src: id("editor", "flaky"), seq: 0 }]);
      again.send(op);
      expect(await again.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
      again.send({ type: "op", v: 1, op: [3, "!"], seq: 1 });
      expect(await again.next("ack")).toEqual({ type: "ack", v: 1, seq: 1 });
      await watcher.next("op", (m) => m.seq === 1);
      expect(watcher.remoteOps().map((m) => [m.v, m.seq])).toEqual([
        [0, 0],
        [1, 1],
      ]);
      expect(await api.read(doc.id)).toMatchObject({ version: 2, content: "aXb!" });
    });

    it("keeps another user's client apart even under the same src: no replacing, no false duplicate", async () => {
      const doc = await api.sharedDoc("");
      const owner = await api.socket(doc.id, { as: "owner", src: "tab" });
      await owner.next("init");
      // The editor copies the owner's src (every peer can see it) and sends seq 0 first.
      const copycat = await api.socket(doc.id, { as: "editor", src: "tab" });
      await copycat.next("init");
      copycat.send({ type: "op", v: 0, op: ["editor "], seq: 0 });
      expect(await copycat.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
      owner.send({ type: "op", v: 0, op: ["owner "], seq: 0 });
      expect(await owner.next("ack")).toEqual({ type: "ack", v: 1, seq: 0 });
      expect((await api.read(doc.id)).content).toBe("owner editor "); // the later op goes first at a tie
      // The owner's socket was not replaced by the copycat's.
      owner.send({ type: "op", v: 2, op: [13, "!"], seq: 1 });
      expect(await owner.next("ack")).toEqual({ type: "ack", v: 2, seq: 1 });
    });

    it("drops an older socket of the same client with CLOSE.replaced", async () => {
      const doc = await api.sharedDoc();
      const old = await api.socket(doc.id, { as: "editor", src: "same-tab" });
      await old.next("init");
      const fresh = await api.socket(doc.id, { as: "editor", src: "same-tab" });
      await fresh.next("init");
      expect((await old.closed).code).toBe(CLOSE.replaced);
    });

    it("sends updates made over HTTP to connected sockets", async () => {
      const doc = await api.sharedDoc("x");
      const socket = await api.socket(doc.id, { as: "viewer" });
      await socket.next("init");
      await api.ok(`/api/documents/${doc.id}/update`, {
        as: "editor",
        json: { v: 0, op: [1, "y"], src: "web", seq: 3 },
      });
      expect(await socket.next("op")).toEqual({
        type: "op",
        v: 0,
        op: [1, "y"],
        src: id("editor", "web"),
        seq: 3,
      });
      await api.ok(`/api/documents/${doc.id}/update`, { as: "owner", json: { content: "xyz" } });
      expect(await socket.next("op")).toMatchObject({ v: 1, op: [2, "z"] });
    });

    it("passes cursors on to the others, moved by the ops since their version", async () => {
      const doc = await api.sharedDoc("hello");
      const a = await api.socket(doc.id, { as: "owner", src: "a" });
      const b = await api.socket(doc.id, { as: "viewer", src: "b" });
      await Promise.all([a.next("init"), b.next("init")]);
      await api.ok(`/api/documents/${doc.id}/update`, { as: "editor", json: { v: 0, op: [">> "] } });
      await b.next("op");
      a.send({ type: "cursor", v: 0, sel: { anchor: 1, head: 3 } });
      expect(await b.next("cursor")).toEqual({
        type: "cursor",
        id: id("owner", "a"),
        v: 1,
        sel: { anchor: 4, head: 6 },
      });
    });

    it("closes a socket that breaks the protocol with CLOSE.protocolError", async () => {
      const doc = await api.sharedDoc();
      const socket = await api.socket(doc.id, { as: "editor" });
      await socket.next("init");
      socket.send("{not json");
      expect(await socket.next("error")).toMatchObject({ code: "protocol_error" });
      expect((await socket.closed).code).toBe(CLOSE.protocolError);
    });

    it("refuses ops beyond the per-connection rate with rate_limited and retryAfterMs, applying none of them", async () => {
      const doc = await api.sharedDoc("");
      const socket = await api.socket(doc.id, { as: "editor" });
      await socket.next("init");
      // Four seconds' worth at once: the bucket holds two, so some must be refused however slow the host.
      const count = 4 * options.opsPerSecond;
      for (let seq = 0; seq < count; seq++) socket.send({ type: "op", v: 0, op: ["x"], seq });
      const limited = await socket.next("error", (m) => m.code === "rate_limited");
      expect(limited).toMatchObject({ seq: expect.any(Number), retryAfterMs: expect.any(Number) });
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      // Every op is answered once: an ack or a refusal.
      const answered = () => socket.received.filter((m) => m.type === "ack" || m.type === "error").length;
      await socket.until(() => answered() >= count, `answers to all ${count} ops`, 10_000);
      const acks = socket.received.filter((m) => m.type === "ack").length;
      const refused = socket.received.filter((m) => m.type === "error" && m.code === "rate_limited").length;
      expect(acks + refused).toBe(count);
      expect(await api.read(doc.id)).toMatchObject({ version: acks, content: "x".repeat(acks) });
    });
  });
}
