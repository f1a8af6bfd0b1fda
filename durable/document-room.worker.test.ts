/**
 * DocumentRoom on workerd: the op log and snapshots in the object's own SQLite, the document rebuilt by
 * a fresh instance, errors as data over RPC, deletion of all storage, sockets that survive the object
 * waking from hibernation (a new instance adopting the sockets the runtime kept open), a role change
 * closing one user's sockets, and applied ops moving `updatedAt` in the Worker's metadata database.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { DOCUMENTS_SCHEMA, DocumentStore } from "../functions/docs/documents.ts";
import { CLOSE, type ServerMessage } from "../functions/docs/protocol.ts";
import { docsDatabase } from "../functions/docs/worker.ts";
import { migrate } from "../functions/shared/sql.ts";
import { eventually } from "../functions/shared/testing/eventually.ts";
import { DocumentRoom, type RoomResult } from "./document-room.ts";
import { ROOM_HEADERS, type SocketAttachment } from "./document-room-sockets.ts";

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
const roomOf = (id: string) => env.DOCUMENT_ROOM.get(env.DOCUMENT_ROOM.idFromName(id));
const metadata = new DocumentStore(docsDatabase(env));

// The Worker creates the metadata tables on its first request; these tests talk to rooms directly.
beforeAll(() => migrate(docsDatabase(env), DOCUMENTS_SCHEMA));

function value<T>(result: RoomResult<T>): T {
  if (!result.ok) throw new Error(`room refused: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** The client end of a room socket, with every message it received. */
interface Client {
  ws: WebSocket;
  received: ServerMessage[];
  next(type: ServerMessage["type"], where?: (m: ServerMessage) => boolean): Promise<ServerMessage>;
  closed: Promise<number>;
}

/** Accepts the client end of an upgrade answered by the room (or by an instance made in a test). */
function clientOf(res: Response): Client {
  const ws = res.webSocket;
  if (!ws) throw new Error(`no upgrade: ${res.status}`);
  const received: ServerMessage[] = [];
  const taken = new Set<ServerMessage>();
  const waiters = new Set<() => void>();
  ws.addEventListener("message", (event) => {
    received.push(JSON.parse(String(event.data)) as ServerMessage);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  ws.accept();
  return {
    ws,
    received,
    closed,
    next: (type, where = () => true) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find((m) => !taken.has(m) && m.type === type && where(m));
          if (!found) return;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${type}" within 5 s; got ${JSON.stringify(received)}`));
        }, 5000);
        waiters.add(check);
        check();
      }),
  };
}

/** The upgrade the Worker forwards after authorizeSocket. */
const upgrade = (id: string, who: { user: string; role: string; src: string }) =>
  new Request(`https://docs.test/api/documents/${id}/socket`, {
    headers: {
      upgrade: "websocket",
      [ROOM_HEADERS.user]: who.user,
      [ROOM_HEADERS.role]: who.role,
      [ROOM_HEADERS.src]: who.src,
    },
  });

describe("DocumentRoom storage", () => {
  it("keeps ops and snapshots in its SQLite, and a fresh instance rebuilds the text from them", async () => {
    const id = unique("persist");
    expect(value(await roomOf(id).create(id, ""))).toBeNull();
    // 1,005 ops: one snapshot (every 1,000) and five ops after it.
    await runInDurableObject(roomOf(id), async (room: DocumentRoom) => {
      for (let v = 0; v < 1005; v++) {
        value(await room.submit(id, { v, op: v === 0 ? ["a"] : [v, "a"], src: "writer", seq: v }));
      }
    });
    const stored = await runInDurableObject(roomOf(id), (_room, state) => ({
      head: state.storage.sql
        .exec("SELECT snapshot_version, length(snapshot) AS length FROM doc_heads")
        .one(),
      ops: state.storage.sql.exec("SELECT COUNT(*) AS n FROM doc_ops").one().n,
    }));
    expect(stored).toEqual({ head: { snapshot_version: 1000, length: 1000 }, ops: 1005 });

    // Mark the instance, then evict it: the next call must meet an unmarked one, built from storage alone.
    type Marked = DocumentRoom & { marked?: boolean };
    const mark = (room: Marked) => {
      room.marked = true;
    };
    await runInDurableObject(roomOf(id), mark);
    expect(await runInDurableObject(roomOf(id), (room: Marked) => room.marked)).toBe(true);
    await expect(runInDurableObject(roomOf(id), (_room, state) => state.abort("evicted"))).rejects.toThrow();
    expect(await runInDurableObject(roomOf(id), (room: Marked) => room.marked)).toBeUndefined();

    expect(value(await roomOf(id).read(id))).toEqual({ version: 1005, content: "a".repeat(1005) });
    const history = value(await roomOf(id).history(id, 998, 3));
    expect(history.ops.map((o) => o.v)).toEqual([998, 999, 1000]);
    // The rebuilt session still knows ops from before the snapshot: their resend is not applied again.
    const resent = value(await roomOf(id).submit(id, { v: 998, op: [998, "a"], src: "writer", seq: 998 }));
    expect(resent).toEqual({ version: 999, op: null, duplicate: true });
    expect(value(await roomOf(id).read(id)).version).toBe(1005);
  });

  it("answers errors as data the Worker turns back into the same status and code", async () => {
    const id = unique("errors");
    expect(await roomOf(id).read(id)).toMatchObject({ ok: false, error: { status: 404, code: "not_found" } });
    value(await roomOf(id).create(id, "x"));
    expect(await roomOf(id).create(id, "y")).toMatchObject({
      ok: false,
      error: { status: 409, code: "already_exists" },
    });
    const ahead = await roomOf(id).submit(id, { v: 3, op: ["z"], src: "s", seq: 0 });
    expect(ahead).toMatchObject({
      ok: false,
      error: { status: 409, code: "version_ahead", message: expect.any(String) },
    });
    const replaced = value(await roomOf(id).replace(id, "xy", "s", 1));
    expect(replaced).toEqual({ version: 1, op: [1, "y"], duplicate: false });
  });

  it("moves the document's updatedAt in the Worker's metadata when it applies an op", async () => {
    const id = unique("touch");
    value(await roomOf(id).create(id, ""));
    await metadata.create({ id, title: "t", owner: "o", createdAt: 1000, updatedAt: 1000 });
    value(await roomOf(id).submit(id, { v: 0, op: ["a"], src: "o/s", seq: 0 }));
    const touched = await eventually(
      () => metadata.get(id),
      (doc) => doc !== undefined && doc.updatedAt > 1000,
      { what: "updatedAt to move" },
    );
    expect(touched).toMatchObject({ createdAt: 1000, title: "t" });
  });

  it("destroy deletes all its storage; the id can be used again", async () => {
    const id = unique("destroy");
    value(await roomOf(id).create(id, "gone"));
    value(await roomOf(id).destroy(id));
    const tables = await runInDurableObject(roomOf(id), (_room, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name LIKE 'doc_%'").toArray(),
    );
    expect(tables).toEqual([]);
    expect(await roomOf(id).read(id)).toMatchObject({ ok: false, error: { code: "not_found" } });
    value(await roomOf(id).create(id, "again"));
    expect(value(await roomOf(id).read(id))).toEqual({ version: 0, content: "again" });
  });
});

describe("DocumentRoom sockets", () => {
  it("accepts only the upgrade the Worker forwards, with an identity", async () => {
    const id = unique("refuse");
    value(await roomOf(id).create(id, ""));
    const plain = await roomOf(id).fetch(`https://docs.test/api/documents/${id}/socket`);
    expect(plain.status).toBe(400);
    await plain.body?.cancel();
    const anonymous = await roomOf(id).fetch(`https://docs.test/api/documents/${id}/socket`, {
      headers: { upgrade: "websocket" },
    });
    expect(anonymous.status).toBe(400);
    await anonymous.body?.cancel();
    const missing = await roomOf(unique("none")).fetch(
      upgrade("NoSuchDoc", { user: "u", role: "owner", src: "s" }),
    );
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
  });

  it("closes a socket that sends a binary frame with CLOSE.protocolError", async () => {
    const id = unique("binary");
    value(await roomOf(id).create(id, ""));
    const client = clientOf(await roomOf(id).fetch(upgrade(id, { user: "u", role: "editor", src: "b" })));
    await client.next("init");
    client.ws.send(new Uint8Array([1, 2, 3]));
    expect(await client.closed).toBe(CLOSE.protocolError);
  });

  it("after waking from hibernation, a new instance adopts the open sockets with their cursors", async () => {
    const id = unique("wake");
    value(await roomOf(id).create(id, "hello"));
    const editor = clientOf(await roomOf(id).fetch(upgrade(id, { user: "ed", role: "editor", src: "e" })));
    const viewer = clientOf(await roomOf(id).fetch(upgrade(id, { user: "vi", role: "viewer", src: "v" })));
    await Promise.all([editor.next("init"), viewer.next("init")]);
    editor.ws.send(JSON.stringify({ type: "cursor", v: 0, sel: { anchor: 2, head: 2 } }));
    await viewer.next("cursor");

    // Inside the object only objects of its own may be touched; the test's clients are awaited after.
    const woke = await runInDurableObject(roomOf(id), async (_room, state) => {
      const serverEnd = (src: string) =>
        state.getWebSockets().find((ws) => (ws.deserializeAttachment() as SocketAttachment).id === src)!;
      const saved = (serverEnd("ed/e").deserializeAttachment() as SocketAttachment).presence;
      // What the runtime does on waking: a new instance over the same storage and the same open sockets.
      const woken = new DocumentRoom(state, env);
      await woken.webSocketMessage(
        serverEnd("ed/e"),
        JSON.stringify({ type: "op", v: 0, op: ["> "], seq: 0 }),
      );
      await woken.webSocketMessage(
        serverEnd("vi/v"),
        JSON.stringify({ type: "op", v: 1, op: ["no"], seq: 0 }),
      );
      // A newcomer sees the editor's cursor, kept through the wake and moved by the op.
      const late = clientOf(await woken.fetch(upgrade(id, { user: "ow", role: "owner", src: "o" })));
      const init = await late.next("init");
      late.ws.close(1000, "done");
      return { saved, init: JSON.parse(JSON.stringify(init)) as ServerMessage };
    });
    expect(woke.saved).toEqual({ sel: { anchor: 2, head: 2 }, v: 0 });
    expect(woke.init).toMatchObject({ type: "init", v: 1, content: "> hello" });
    expect(woke.init.type === "init" && woke.init.peers.find((p) => p.id === "ed/e")?.sel).toEqual({
      anchor: 4,
      head: 4,
    });
    expect(await editor.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
    expect(await viewer.next("op")).toEqual({ type: "op", v: 0, op: ["> "], src: "ed/e", seq: 0 });
    // The viewer, adopted on waking, kept its role.
    expect(await viewer.next("error")).toMatchObject({ code: "forbidden", seq: 0 });
    editor.ws.close(1000, "done");
    viewer.ws.close(1000, "done");
  });
});

describe("DocumentRoom role changes", () => {
  it("closes every socket of that user with CLOSE.roleChanged; the others hear them leave", async () => {
    const id = unique("role");
    value(await roomOf(id).create(id, ""));
    const open = async (user: string, src: string) => {
      const client = clientOf(await roomOf(id).fetch(upgrade(id, { user, role: "editor", src })));
      await client.next("init");
      return client;
    };
    const [tab, phone, other] = [await open("ed", "tab"), await open("ed", "phone"), await open("al", "a")];
    expect(value(await roomOf(id).roleChanged(id, "ed"))).toBe(2);
    expect(await tab.closed).toBe(CLOSE.roleChanged);
    expect(await phone.closed).toBe(CLOSE.roleChanged);
    await other.next("leave", (m) => m.type === "leave" && m.id === "ed/tab");
    await other.next("leave", (m) => m.type === "leave" && m.id === "ed/phone");
    other.ws.send(JSON.stringify({ type: "op", v: 0, op: ["still here"], seq: 0 }));
    expect(await other.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
    other.ws.close(1000, "done");
  });

  it("a woken instance closes them too, and a room nobody is connected to has nothing to close", async () => {
    const id = unique("role-wake");
    value(await roomOf(id).create(id, ""));
    const client = clientOf(await roomOf(id).fetch(upgrade(id, { user: "ed", role: "editor", src: "e" })));
    await client.next("init");
    const closed = await runInDurableObject(roomOf(id), async (_room, state) =>
      value(await new DocumentRoom(state, env).roleChanged(id, "ed")),
    );
    expect(closed).toBeLessThanOrEqual(1); // 1 if the new instance had adopted it already, else closed directly
    expect(await client.closed).toBe(CLOSE.roleChanged);

    const quiet = unique("role-quiet");
    expect(value(await roomOf(quiet).roleChanged(quiet, "ed"))).toBe(0);
    expect(await roomOf(quiet).read(quiet)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});
