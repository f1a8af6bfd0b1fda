/** The Room with plain-object peers: no sockets, every message inspected. */
import { describe, expect, it } from "vitest";
import { silentLog } from "../shared/testing/log.ts";
import { CLOSE, type ServerMessage } from "./protocol.ts";
import type { Role } from "./roles.ts";
import { type Peer, Room } from "./room.ts";
import { DocumentSession } from "./session.ts";
import { MemorySessionStore } from "./session-store.ts";

interface FakePeer extends Peer {
  inbox: ServerMessage[];
  closedWith?: number;
  last(): ServerMessage | undefined;
}

function peer(id: string, role: Role = "editor", user = id): FakePeer {
  const inbox: ServerMessage[] = [];
  const fake: FakePeer = {
    id,
    user,
    role,
    inbox,
    send: (message) => inbox.push(structuredClone(message)),
    close(code) {
      fake.closedWith = code;
    },
    last: () => inbox.at(-1),
  };
  return fake;
}

async function room(content = "", options: ConstructorParameters<typeof Room>[1] = {}) {
  const store = new MemorySessionStore();
  const session = await DocumentSession.create("doc", store, content);
  return { store, session, room: new Room(session, { log: silentLog, ...options }) };
}

const op = (v: number, ops: unknown[], seq: number) => JSON.stringify({ type: "op", v, op: ops, seq });

describe("joining and leaving", () => {
  it("sends the whole text, or the ops since a known version, and announces the peer", async () => {
    const { room: r, session } = await room("hi");
    const a = peer("a");
    r.join(a);
    expect(a.last()).toMatchObject({ type: "init", v: 0, role: "editor", content: "hi", peers: [] });
    await session.submit({ v: 0, op: ["1"], src: "http", seq: 0 });
    const b = peer("b", "viewer");
    r.join(b, 0);
    expect(b.last()).toMatchObject({
      type: "init",
      v: 1,
      role: "viewer",
      ops: [{ type: "op", v: 0, op: ["1"], src: "http", seq: 0 }],
      peers: [{ id: "a", user: "a", sel: null }],
    });
    expect((b.last() as { content?: string }).content).toBeUndefined();
    expect(a.last()).toMatchObject({ type: "join", peer: { id: "b", name: "b" } });
    expect(r.size).toBe(2);
    r.leave(b);
    expect(a.last()).toEqual({ type: "leave", id: "b" });
    r.leave(b); // twice: nothing more
    expect(a.inbox.filter((m) => m.type === "leave")).toHaveLength(1);
  });

  it("disconnects every socket of one user, and the others hear them leave", async () => {
    const { room: r } = await room();
    const [tab1, tab2, other] = [
      peer("bob/1", "editor", "bob"),
      peer("bob/2", "editor", "bob"),
      peer("amy/1"),
    ];
    for (const p of [tab1, tab2, other]) r.join(p);
    expect(r.disconnectUser("bob", CLOSE.roleChanged, "role changed")).toBe(2);
    expect([tab1.closedWith, tab2.closedWith, other.closedWith]).toEqual([4003, 4003, undefined]);
    expect(other.inbox.filter((m) => m.type === "leave").map((m) => (m as { id: string }).id)).toEqual([
      "bob/1",
      "bob/2",
    ]);
    expect(r.size).toBe(1);
  });

  it("falls back to the whole text when the known version is out of reach", async () => {
    const { room: r } = await room("x");
    const a = peer("a");
    r.join(a, 9);
    expect(a.last()).toMatchObject({ type: "init", content: "x" });
  });

  it("replaces the socket of a client that connects again, and ignores the old one's frames", async () => {
    const { room: r, session } = await room();
    const other = peer("other");
    r.join(other);
    const old = peer("a");
    r.join(old);
    const fresh = peer("a");
    r.join(fresh);
    expect(old.closedWith).toBe(CLOSE.replaced);
    expect(other.inbox.filter((m) => m.type === "join")).toHaveLength(1);
    await r.receive(old, op(0, ["late"], 0));
    expect(session.version).toBe(0);
    r.leave(old); // the replaced socket closing does not remove the new one
    expect(r.size).toBe(2);
  });
});

describe("ops", () => {
  it("acks the author and sends the op to everyone else, in version order", async () => {
    const { room: r, session } = await room("ab");
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.join(b);
    await r.receive(a, op(0, [1, "X"], 0));
    expect(a.last()).toEqual({ type: "ack", v: 0, seq: 0 });
    expect(b.last()).toEqual({ type: "op", v: 0, op: [1, "X"], src: "a", seq: 0 });
    // An op applied outside the room (HTTP, another replica) reaches every peer.
    await session.submit({ v: 1, op: ["!"], src: "http", seq: 0 });
    expect(a.last()).toMatchObject({ type: "op", src: "http" });
    expect(b.last()).toMatchObject({ type: "op", src: "http" });
  });

  it("acks a duplicate again and applies it once", async () => {
    const { room: r, session } = await room();
    const a = peer("a");
    r.join(a);
    await r.receive(a, op(0, ["x"], 3));
    await r.receive(a, op(0, ["x"], 3));
    expect(a.inbox.filter((m) => m.type === "ack")).toEqual([
      { type: "ack", v: 0, seq: 3 },
      { type: "ack", v: 0, seq: 3 },
    ]);
    expect(session.text()).toBe("x");
  });

  it("refuses a viewer's op, a bad op, and storage failures with a retry hint", async () => {
    const { room: r, session, store } = await room("a");
    const viewer = peer("v", "viewer");
    const editor = peer("e");
    r.join(viewer);
    r.join(editor);
    await r.receive(viewer, op(0, ["x"], 0));
    expect(viewer.last()).toMatchObject({ type: "error", code: "forbidden", seq: 0 });
    await r.receive(editor, op(0, [5, "x"], 0));
    expect(editor.last()).toMatchObject({ type: "error", code: "invalid_op", seq: 0 });
    expect(editor.last()).not.toHaveProperty("retryAfterMs");
    store.append = () => Promise.reject(new Error("disk full"));
    await r.receive(editor, op(0, ["x"], 1));
    expect(editor.last()).toMatchObject({
      type: "error",
      code: "storage_failed",
      seq: 1,
      retryAfterMs: 1000,
    });
    expect(session.text()).toBe("a");
  });

  it("limits ops per peer with a token bucket", async () => {
    let now = 0;
    const { room: r } = await room("", { opsPerSecond: 2, opsBurst: 2, now: () => now });
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.join(b);
    await r.receive(a, op(0, ["1"], 0));
    await r.receive(a, op(1, ["2"], 1));
    await r.receive(a, op(2, ["3"], 2));
    expect(a.last()).toMatchObject({ type: "error", code: "rate_limited", seq: 2, retryAfterMs: 500 });
    await r.receive(b, op(2, ["b"], 0)); // another peer has its own bucket
    expect(b.last()).toMatchObject({ type: "ack" });
    now = 500;
    await r.receive(a, op(3, ["3"], 2));
    expect(a.last()).toEqual({ type: "ack", v: 3, seq: 2 });
    expect(() => new Room({} as DocumentSession, { opsPerSecond: 0 })).toThrow(RangeError);
  });

  it("closes a peer that breaks the protocol, and reports an unexpected failure without closing", async () => {
    const { room: r, session } = await room();
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.join(b);
    await r.receive(a, "not json");
    expect(a.closedWith).toBe(CLOSE.protocolError);
    expect(b.last()).toEqual({ type: "leave", id: "a" });
    session.submit = () => Promise.reject(new TypeError("bug"));
    await r.receive(b, op(0, ["x"], 0));
    expect(b.last()).toMatchObject({ type: "error", code: "internal" });
    expect(b.closedWith).toBeUndefined();
  });
});

describe("costs", () => {
  it("charges a stale op one more token per 1,000 versions behind", async () => {
    const { room: r, session } = await room("", { opsPerSecond: 2, opsBurst: 2, now: () => 0 });
    for (let seq = 0; seq < 1000; seq++) await session.submit({ v: seq, op: ["x"], src: "w", seq });
    const a = peer("a");
    r.join(a);
    await r.receive(a, op(0, ["y"], 0)); // 1,000 behind: 2 tokens, the whole burst
    expect(a.last()).toEqual({ type: "ack", v: 1000, seq: 0 });
    await r.receive(a, op(1001, ["z"], 1));
    expect(a.last()).toMatchObject({ type: "error", code: "rate_limited", retryAfterMs: 500 });
  });

  it("keeps cursors beyond the rate without sending them, and the next one sent carries the latest", async () => {
    let now = 0;
    const { room: r } = await room("abcdef", { opsPerSecond: 1, opsBurst: 1, now: () => now });
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.join(b);
    const cursor = (at: number) => JSON.stringify({ type: "cursor", v: 0, sel: { anchor: at, head: at } });
    await r.receive(a, cursor(1));
    await r.receive(a, cursor(2));
    expect(b.inbox.filter((m) => m.type === "cursor")).toHaveLength(1);
    expect(r.presenceOf("a")?.sel).toEqual({ anchor: 2, head: 2 });
    now = 1000;
    await r.receive(a, cursor(3));
    expect(b.last()).toMatchObject({ type: "cursor", sel: { anchor: 3, head: 3 } });
  });

  it("catches up from the store before a client that is ahead of this replica joins", async () => {
    const { room: r, session, store } = await room("");
    const other = await DocumentSession.open("doc", store);
    await other.submit({ v: 0, op: ["x"], src: "elsewhere", seq: 0 });
    await r.catchUpTo(0);
    expect(session.version).toBe(0);
    await r.catchUpTo(1);
    expect(session.version).toBe(1);
    await r.catchUpTo(undefined);
  });
});

describe("cursors", () => {
  it("moves a selection sent at an older version to the current one and relays it", async () => {
    const { room: r, session } = await room("hello");
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.join(b);
    await session.submit({ v: 0, op: ["> "], src: "http", seq: 0 });
    await r.receive(a, JSON.stringify({ type: "cursor", v: 0, sel: { anchor: 1, head: 3 } }));
    expect(b.last()).toEqual({ type: "cursor", id: "a", v: 1, sel: { anchor: 3, head: 5 } });
    // Someone joining later sees it, moved through the ops since.
    await session.submit({ v: 1, op: ["!!"], src: "http", seq: 1 });
    const c = peer("c");
    r.join(c);
    const init = c.inbox[0] as Extract<ServerMessage, { type: "init" }>;
    expect(init.peers.find((p) => p.id === "a")?.sel).toEqual({ anchor: 5, head: 7 });
    expect(r.presenceOf("a")).toEqual({ sel: { anchor: 3, head: 5 }, v: 1 });
  });

  it("drops a cursor from a version the room cannot place, and adopts peers with their presence", async () => {
    const { room: r } = await room("abc");
    const a = peer("a");
    const b = peer("b");
    r.join(a);
    r.adopt(b, { sel: { anchor: 1, head: 1 }, v: 0 });
    await r.receive(a, JSON.stringify({ type: "cursor", v: 7, sel: { anchor: 0, head: 0 } }));
    expect(b.inbox).toEqual([]);
    const c = peer("c");
    r.join(c);
    const init = c.inbox[0] as Extract<ServerMessage, { type: "init" }>;
    expect(init.peers.map((p) => [p.id, p.sel])).toEqual([
      ["a", null],
      ["b", { anchor: 1, head: 1 }],
    ]);
    r.close(CLOSE.goingAway, "bye");
    expect([a.closedWith, b.closedWith, c.closedWith]).toEqual([1001, 1001, 1001]);
    expect(r.size).toBe(0);
  });
});
