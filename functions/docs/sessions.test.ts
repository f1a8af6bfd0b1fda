import { describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { captureLog } from "../shared/testing/log.ts";
import { CLOSE } from "./protocol.ts";
import type { Role } from "./roles.ts";
import type { Peer } from "./room.ts";
import { DocumentSession } from "./session.ts";
import { MemorySessionStore, type StoredOp } from "./session-store.ts";
import { type Replication, type ReplicationEvent, SessionRegistry } from "./sessions.ts";
import { LocalDocumentTexts } from "./texts.ts";

async function registry(options: ConstructorParameters<typeof SessionRegistry>[1] = {}) {
  const store = new MemorySessionStore();
  await store.create("a", "A");
  await store.create("b", "B");
  await store.create("c", "C");
  return { store, sessions: new SessionRegistry(store, options) };
}

describe("SessionRegistry", () => {
  it("opens a document once for concurrent callers and keeps one room per document", async () => {
    const { sessions } = await registry();
    const [one, two] = await Promise.all([sessions.get("a"), sessions.get("a")]);
    expect(one).toBe(two);
    expect(await sessions.room("a")).toBe(await sessions.room("a"));
    expect(sessions.size).toBe(1);
  });

  it("does not cache a failed open", async () => {
    const { sessions, store } = await registry();
    await expect(sessions.get("missing")).rejects.toMatchObject({ code: "not_found" });
    expect(sessions.size).toBe(0);
    await store.create("missing", "now");
    expect((await sessions.get("missing")).text()).toBe("now");
  });

  it("closes documents idle for idleMs with nobody connected, then the oldest beyond maxOpen", async () => {
    let now = 0;
    const { sessions } = await registry({ idleMs: 100, maxOpen: 2, now: () => now });
    await sessions.get("a");
    const room = await sessions.room("a");
    room.join({ id: "p", user: "u", role: "editor", send: () => {}, close: () => {} });
    now = 10;
    await sessions.get("b");
    now = 20;
    await sessions.get("c");
    // a has a peer, so only b (the older idle one) goes to respect maxOpen.
    expect(sessions.evictIdle()).toBe(1);
    expect(sessions.size).toBe(2);
    now = 500;
    expect(sessions.evictIdle()).toBe(1); // c: idle too long; a stays while someone is connected
    expect(sessions.size).toBe(1);
  });

  it("catches a session up whenever replication says the document changed, until it is forgotten", async () => {
    const { sessions, store } = await registry();
    const watchers = new Map<string, () => void>();
    const replication: Replication = {
      watch(docId, changed) {
        watchers.set(docId, changed);
        return () => watchers.delete(docId);
      },
      publish: async () => {},
    };
    const replicated = new SessionRegistry(store, { replication });
    const session = await replicated.get("a");
    const elsewhere = await DocumentSession.open("a", store);
    await elsewhere.submit({ v: 0, op: ["x"], src: "other", seq: 0 });
    watchers.get("a")?.();
    await eventually(
      () => session.text(),
      (text) => text === "xA",
      { what: "the catch-up" },
    );
    replicated.forget("a");
    expect(watchers.has("a")).toBe(false);
    replicated.forget("a"); // twice: nothing to do
    await sessions.get("b");
    sessions.closeAll();
    expect(sessions.size).toBe(0);
  });
});

/** A Replication that keeps its watchers and what was published, so a test plays the other replicas. */
function fakeReplication(failPublish = false) {
  const watchers = new Map<string, (event: ReplicationEvent) => void>();
  const published: [string, ReplicationEvent][] = [];
  const replication: Replication = {
    watch(docId, _changed, event) {
      if (event) watchers.set(docId, event);
      return () => watchers.delete(docId);
    },
    async publish(docId, event) {
      if (failPublish) throw new Error("redis: down");
      published.push([docId, event]);
    },
  };
  /** Delivers an event as if another replica had published it. */
  const hear = (docId: string, event: ReplicationEvent) => watchers.get(docId)?.(event);
  return { replication, published, hear, watchers };
}

/** A peer that remembers how it was closed. */
function peer(id: string, user: string, role: Role = "editor"): Peer & { closedWith?: number } {
  const fake: Peer & { closedWith?: number } = {
    id,
    user,
    role,
    send: () => {},
    close(code) {
      fake.closedWith = code;
    },
  };
  return fake;
}

describe("SessionRegistry and other replicas", () => {
  it("closes the document's sockets with 4004 when another replica deleted it, and forgets it", async () => {
    const { store } = await registry();
    const { replication, hear, watchers } = fakeReplication();
    const sessions = new SessionRegistry(store, { replication });
    const room = await sessions.room("a");
    const bob = peer("bob/1", "bob");
    room.join(bob);
    hear("a", { kind: "deleted" });
    expect(bob.closedWith).toBe(CLOSE.deleted);
    expect(sessions.size).toBe(0);
    expect(watchers.has("a")).toBe(false);
  });

  it("closes only that user's sockets with 4003 when another replica changed their role", async () => {
    const { store } = await registry();
    const { replication, hear } = fakeReplication();
    const sessions = new SessionRegistry(store, { replication });
    const room = await sessions.room("a");
    const [bobTab, bobPhone, carol] = [peer("bob/1", "bob"), peer("bob/2", "bob"), peer("carol/1", "carol")];
    for (const p of [bobTab, bobPhone, carol]) room.join(p);
    hear("a", { kind: "role", user: "bob" });
    expect([bobTab.closedWith, bobPhone.closedWith, carol.closedWith]).toEqual([
      CLOSE.roleChanged,
      CLOSE.roleChanged,
      undefined,
    ]);
    expect(room.size).toBe(1);
    expect(sessions.size).toBe(1); // the document stays open for the others
    // Open without a room (only HTTP used it): nothing to close.
    await sessions.get("b");
    hear("b", { kind: "role", user: "bob" });
    expect(sessions.disconnectUser("not-open", "bob")).toBe(0);
  });

  it("publishes through the replication, and logs a failed publish without throwing", async () => {
    const { store } = await registry();
    const { replication, published } = fakeReplication();
    await new SessionRegistry(store, { replication }).publish("a", { kind: "role", user: "bob" });
    expect(published).toEqual([["a", { kind: "role", user: "bob" }]]);
    await new SessionRegistry(store).publish("a", { kind: "deleted" }); // one replica: no one to tell

    const { log, lines } = captureLog("warn");
    const failing = new SessionRegistry(store, { replication: fakeReplication(true).replication, log });
    await failing.publish("a", { kind: "deleted" });
    expect(lines).toMatchObject([{ msg: "docs: telling other replicas failed", doc: "a" }]);
  });
});

describe("SessionRegistry onApplied", () => {
  it("tells about every applied op of documents it created or opened, with the document's id", async () => {
    const { store } = await registry();
    const applied: [string, StoredOp][] = [];
    const sessions = new SessionRegistry(store, {
      onApplied: (docId, entry) => applied.push([docId, entry]),
    });
    const opened = await sessions.get("a");
    await opened.submit({ v: 0, op: ["x"], src: "u/s", seq: 0 });
    const created = await sessions.create("new", "");
    await created.submit({ v: 0, op: ["y"], src: "u/s", seq: 1 });
    // Caught up from the store (another replica's op) counts too.
    const elsewhere = await DocumentSession.open("a", store);
    await elsewhere.submit({ v: 1, op: ["z"], src: "other", seq: 0 });
    await opened.catchUp();
    expect(applied).toEqual([
      ["a", { v: 0, op: ["x"], src: "u/s", seq: 0 }],
      ["new", { v: 0, op: ["y"], src: "u/s", seq: 1 }],
      ["a", { v: 1, op: ["z"], src: "other", seq: 0 }],
    ]);
  });

  it("logs a hook that throws; the op is applied and acknowledged all the same", async () => {
    const { store } = await registry();
    const { log, lines } = captureLog("error");
    const sessions = new SessionRegistry(store, {
      log,
      onApplied: () => {
        throw new Error("boom");
      },
    });
    const session = await sessions.get("a");
    expect(await session.submit({ v: 0, op: ["x"], src: "u/s", seq: 0 })).toMatchObject({ version: 1 });
    expect(session.text()).toBe("xA");
    expect(lines).toMatchObject([{ msg: "docs onApplied failed", doc: "a", err: "Error: boom" }]);
  });
});

describe("LocalDocumentTexts with other replicas", () => {
  it("a deletion closes the sockets here and tells the others, after the text is gone", async () => {
    const { store } = await registry();
    const { replication, published } = fakeReplication();
    const sessions = new SessionRegistry(store, { replication });
    const texts = new LocalDocumentTexts(sessions, store);
    const bob = peer("bob/1", "bob");
    (await sessions.room("a")).join(bob);
    await texts.delete("a");
    expect(bob.closedWith).toBe(CLOSE.deleted);
    expect(published).toEqual([["a", { kind: "deleted" }]]);
    expect(await store.load("a")).toBeNull();
  });

  it("a role change closes that user's sockets here and tells the others, opening nothing", async () => {
    const { store } = await registry();
    const { replication, published } = fakeReplication();
    const sessions = new SessionRegistry(store, { replication });
    const texts = new LocalDocumentTexts(sessions, store);
    const [bob, carol] = [peer("bob/1", "bob"), peer("carol/1", "carol", "viewer")];
    const room = await sessions.room("a");
    room.join(bob);
    room.join(carol);
    await texts.roleChanged("a", "bob");
    expect([bob.closedWith, carol.closedWith]).toEqual([CLOSE.roleChanged, undefined]);
    await texts.roleChanged("b", "bob");
    expect(published).toEqual([
      ["a", { kind: "role", user: "bob" }],
      ["b", { kind: "role", user: "bob" }],
    ]);
    expect(sessions.size).toBe(1); // "b" was not opened to tell it
  });
});
