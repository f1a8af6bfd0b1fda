import { describe, expect, it } from "vitest";
import { eventually } from "../shared/testing/eventually.ts";
import { DocumentSession } from "./session.ts";
import { MemorySessionStore } from "./session-store.ts";
import { type Replication, SessionRegistry } from "./sessions.ts";

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
