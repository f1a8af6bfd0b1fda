import { describe, expect, it } from "vitest";
import { DocumentSession, SessionError } from "./session.ts";
import {
  type LoadedDocument,
  MemorySessionStore,
  type SessionStore,
  StoreConflictError,
} from "./session-store.ts";

/** 25 ops, one letter each at the end of the text, from client "a". */
async function typed(store: SessionStore, options = { snapshotEvery: 10 }) {
  const session = await DocumentSession.create("doc", store, "start:", options);
  for (let seq = 0; seq < 25; seq++) {
    await session.submit({ v: seq, op: [6 + seq, String.fromCharCode(97 + seq)], src: "a", seq });
  }
  await session.idle();
  return session;
}

describe("DocumentSession.open", () => {
  it("rebuilds text and version from the latest snapshot plus the ops after it", async () => {
    const store = new MemorySessionStore();
    const before = await typed(store);
    const loaded = (await store.load("doc"))!;
    expect(loaded.snapshot.version).toBe(20);
    expect(loaded.ops.map((op) => op.v)).toEqual([20, 21, 22, 23, 24]);
    const after = await DocumentSession.open("doc", store);
    expect(after.text()).toBe(before.text());
    expect(after.text()).toBe("start:abcdefghijklmnopqrstuvwxy");
    expect(after.version).toBe(25);
  });

  it("keeps recognising resends and transforming stale ops from before the snapshot", async () => {
    const store = new MemorySessionStore();
    await typed(store);
    const session = await DocumentSession.open("doc", store);
    expect(await session.submit({ v: 3, op: [9, "d"], src: "a", seq: 3 })).toEqual({
      version: 4,
      duplicate: true,
    });
    const ack = await session.submit({ v: 2, op: [8, "!"], src: "b", seq: 0 });
    expect(ack).toEqual({ version: 26, op: [8, "!"] });
    expect(session.text()).toBe("start:ab!cdefghijklmnopqrstuvwxy");
  });

  it("loads only as much earlier history as the window holds", async () => {
    const store = new MemorySessionStore();
    await typed(store);
    const session = await DocumentSession.open("doc", store, { historyWindow: 8 });
    expect(session.opsSince(17)).toHaveLength(8);
    expect(session.opsSince(16)).toBeNull(); // before the window: not loaded
    expect((await session.submit({ v: 17, op: ["x"], src: "b", seq: 0 })).version).toBe(26);
    const narrow = await DocumentSession.open("doc", store, { historyWindow: 2 });
    expect(narrow.version).toBe(26);
  });

  it("opens a document that never had a snapshot after creation", async () => {
    const store = new MemorySessionStore();
    const session = await DocumentSession.create("doc", store, "x");
    await session.submit({ v: 0, op: ["y"], src: "a", seq: 0 });
    const reopened = await DocumentSession.open("doc", store);
    expect([reopened.text(), reopened.version]).toEqual(["yx", 1]);
  });

  it("rejects an unknown document with not_found, and a second create with already_exists", async () => {
    const store = new MemorySessionStore();
    await expect(DocumentSession.open("nope", store)).rejects.toMatchObject({
      code: "not_found",
      status: 404,
    });
    await DocumentSession.create("doc", store);
    const error = await DocumentSession.create("doc", store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ code: "already_exists", status: 409 });
  });

  it("passes on a store failure during create as is", async () => {
    const store = new MemorySessionStore();
    store.create = async () => {
      throw new Error("offline");
    };
    await expect(DocumentSession.create("doc", store)).rejects.toThrow("offline");
  });

  it("refuses a store whose ops skip a version", async () => {
    const store = new MemorySessionStore();
    const broken: LoadedDocument = {
      snapshot: { version: 0, content: "" },
      ops: [{ v: 1, op: ["x"], src: "a", seq: 0 }],
    };
    store.load = async () => broken;
    await expect(DocumentSession.open("doc", store)).rejects.toThrow("op at version 1 where 0 was expected");
  });
});

describe("history", () => {
  it("returns the stored ops from a version, snapshots notwithstanding", async () => {
    const store = new MemorySessionStore();
    const session = await typed(store);
    const history = await session.history(22);
    expect(history.map(({ v, op }) => [v, op])).toEqual([
      [22, [28, "w"]],
      [23, [29, "x"]],
      [24, [30, "y"]],
    ]);
    expect(await session.history(0, 2)).toHaveLength(2);
    expect(await session.history(25)).toEqual([]);
  });

  it.each([-1, 26, 1.5, Number.NaN])("rejects from = %s", async (from) => {
    const session = await typed(new MemorySessionStore());
    await expect(session.history(from)).rejects.toMatchObject({ code: "invalid_submission" });
  });
});

describe("MemorySessionStore", () => {
  it("sequences appends: only the next version is accepted", async () => {
    const store = new MemorySessionStore();
    await store.create("d", "");
    await store.append("d", 0, { op: ["a"], src: "s", seq: 0 });
    await expect(store.append("d", 0, { op: ["b"], src: "s", seq: 1 })).rejects.toThrow(StoreConflictError);
    await expect(store.append("d", 2, { op: ["b"], src: "s", seq: 1 })).rejects.toThrow(
      "at version 1, not 2",
    );
    await expect(store.append("x", 0, { op: ["b"], src: "s", seq: 1 })).rejects.toThrow("does not exist");
  });

  it("never moves a snapshot backwards, and refuses versions it does not have", async () => {
    const store = new MemorySessionStore();
    await store.create("d", "");
    await store.append("d", 0, { op: ["a"], src: "s", seq: 0 });
    await store.append("d", 1, { op: ["b"], src: "s", seq: 1 });
    await store.snapshot("d", 2, "ba");
    await store.snapshot("d", 1, "a");
    expect((await store.load("d"))!.snapshot).toEqual({ version: 2, content: "ba" });
    await expect(store.snapshot("d", 3, "x")).rejects.toThrow("has no version 3");
    await expect(store.snapshot("d", -1, "x")).rejects.toThrow(StoreConflictError);
  });
});
