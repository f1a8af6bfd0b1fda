/**
 * The SessionStore port's behaviour, the same for every adapter: call it inside a `describe` with a
 * factory that returns a fresh, empty store (it runs before each test). Memory, SQL (libSQL here, a
 * Durable Object's SQLite at the edge) and Redis-sequenced stores all pass it.
 */
import { beforeEach, expect, it } from "vitest";
import { DocumentSession } from "../session.ts";
import { type SessionStore, StoreConflictError } from "../session-store.ts";

export function sessionStoreSuite(make: () => Promise<SessionStore>): void {
  let store: SessionStore;
  beforeEach(async () => {
    store = await make();
  });
  const entry = (seq: number) => ({ op: [seq + 1, "x"], src: "client", seq });

  it("creates a document once", async () => {
    await store.create("d", "hello");
    await expect(store.create("d", "again")).rejects.toThrow(StoreConflictError);
    expect(await store.load("d")).toEqual({ snapshot: { version: 0, content: "hello" }, ops: [] });
    expect(await store.load("unknown")).toBeNull();
  });

  it("appends only the next version, atomically", async () => {
    await store.create("d", "");
    await store.append("d", 0, entry(0));
    await store.append("d", 1, entry(1));
    await expect(store.append("d", 1, entry(9))).rejects.toThrow(/at version 2, not 1/);
    await expect(store.append("d", 5, entry(9))).rejects.toThrow(StoreConflictError);
    await expect(store.append("missing", 0, entry(0))).rejects.toThrow(/does not exist/);
    expect(await store.ops("d", 0)).toEqual([
      { v: 0, op: [1, "x"], src: "client", seq: 0 },
      { v: 1, op: [2, "x"], src: "client", seq: 1 },
    ]);
  });

  it("lets exactly one of many concurrent appends of one version win", async () => {
    await store.create("d", "");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.append("d", 0, entry(i))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await store.ops("d", 0)).toHaveLength(1);
  });

  it("moves the snapshot forward only and loads the ops after it", async () => {
    await store.create("d", "");
    for (let v = 0; v < 4; v++) await store.append("d", v, entry(v));
    await store.snapshot("d", 3, "three");
    await store.snapshot("d", 1, "one (late)");
    await expect(store.snapshot("d", 9, "nine")).rejects.toThrow(/has no version 9/);
    await expect(store.snapshot("missing", 0, "")).rejects.toThrow(StoreConflictError);
    const loaded = await store.load("d");
    expect(loaded?.snapshot).toEqual({ version: 3, content: "three" });
    expect(loaded?.ops.map((op) => op.v)).toEqual([3]);
    expect((await store.ops("d", 1, 3)).map((op) => op.v)).toEqual([1, 2]);
    await expect(store.ops("missing", 0)).rejects.toThrow(StoreConflictError);
  });

  it("removes a document and can create it again", async () => {
    await store.create("d", "text");
    await store.append("d", 0, entry(0));
    await store.remove("d");
    await store.remove("never-existed");
    expect(await store.load("d")).toBeNull();
    await store.create("d", "new");
    expect(await store.ops("d", 0)).toEqual([]);
  });

  it("backs a session that reopens to the same text and version", async () => {
    const session = await DocumentSession.create("doc", store, "ab", { snapshotEvery: 3 });
    for (let seq = 0; seq < 7; seq++) {
      await session.submit({ v: seq, op: [2 + seq, "😀"], src: "a", seq });
    }
    await session.idle();
    const reopened = await DocumentSession.open("doc", store);
    expect(reopened.text()).toBe(`ab${"😀".repeat(7)}`);
    expect(reopened.version).toBe(7);
  });
}
