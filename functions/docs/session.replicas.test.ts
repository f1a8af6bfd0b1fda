/**
 * Several sessions of one document over one store, as replicas behind Redis or a shared database: the
 * store's append is the sequencing point, and a session that loses a version catches up and retries.
 */
import { describe, expect, it } from "vitest";
import { DocumentSession } from "./session.ts";
import { MemorySessionStore, StoreConflictError, type StoredOp } from "./session-store.ts";

async function replicas(content = "") {
  const store = new MemorySessionStore();
  await DocumentSession.create("doc", store, content);
  const a = await DocumentSession.open("doc", store);
  const b = await DocumentSession.open("doc", store);
  return { store, a, b };
}

describe("sessions sharing a store", () => {
  it("catch up and transform when another session took the version first", async () => {
    const { store, a, b } = await replicas("abc");
    await a.submit({ v: 0, op: ["A"], src: "x", seq: 0 });
    // b has not seen a's op: it submits at version 0, loses the version, catches up and retries.
    const ack = await b.submit({ v: 0, op: [3, "B"], src: "y", seq: 0 });
    expect(ack).toEqual({ version: 2, op: [4, "B"] });
    expect(b.text()).toBe("AabcB");
    await a.catchUp();
    expect(a.text()).toBe("AabcB");
    expect((await store.ops("doc", 0)).map((o) => o.src)).toEqual(["x", "y"]);
  });

  it("catches up before calling a version ahead: the client saw it on another replica", async () => {
    const { a, b } = await replicas("");
    await a.submit({ v: 0, op: ["a"], src: "x", seq: 0 });
    expect(await b.submit({ v: 1, op: [1, "b"], src: "y", seq: 0 })).toEqual({ version: 2, op: [1, "b"] });
    await expect(b.submit({ v: 5, op: ["c"], src: "y", seq: 1 })).rejects.toMatchObject({
      code: "version_ahead",
    });
  });

  it("treats a resend already applied through another session as a duplicate", async () => {
    const { a, b } = await replicas();
    await a.submit({ v: 0, op: ["hi"], src: "x", seq: 4 });
    // The client reconnected to b and resent the same op before b heard of it.
    expect(await b.submit({ v: 0, op: ["hi"], src: "x", seq: 4 })).toEqual({ version: 1, duplicate: true });
    expect(b.text()).toBe("hi");
  });

  it("tells listeners about every op in version order, local or caught up", async () => {
    const { a, b } = await replicas();
    const seen: StoredOp[] = [];
    const stop = b.onApplied((entry) => seen.push(entry));
    await a.submit({ v: 0, op: ["1"], src: "x", seq: 0 });
    await a.submit({ v: 1, op: [1, "2"], src: "x", seq: 1 });
    expect(await b.catchUp()).toBe(2);
    await b.submit({ v: 2, op: [2, "3"], src: "y", seq: 0 });
    expect(seen.map((e) => [e.v, e.src])).toEqual([
      [0, "x"],
      [1, "x"],
      [2, "y"],
    ]);
    stop();
    await b.submit({ v: 3, op: [3, "4"], src: "y", seq: 1 });
    expect(seen).toHaveLength(3);
    expect(await b.catchUp()).toBe(0);
  });

  it("answers opsSince from memory, or null outside the window", async () => {
    const store = new MemorySessionStore();
    const session = await DocumentSession.create("doc", store, "", { historyWindow: 2 });
    for (let seq = 0; seq < 6; seq++)
      await session.submit({ v: seq, op: seq === 0 ? ["x"] : [seq, "x"], src: "a", seq });
    expect(session.opsSince(6)).toEqual([]);
    expect(session.opsSince(5)?.map((o) => o.v)).toEqual([5]);
    expect(session.opsSince(7)).toBeNull();
    expect(session.opsSince(-1)).toBeNull();
    expect(session.opsSince(0)).toBeNull(); // trimmed away (the window keeps at most 2 × 2 ops)
  });

  it("gives up with storage_failed when the store keeps refusing without new ops to catch up", async () => {
    const store = new MemorySessionStore();
    const session = await DocumentSession.create("doc", store, "");
    store.append = async () => {
      throw new StoreConflictError("always taken");
    };
    await expect(session.submit({ v: 0, op: ["x"], src: "a", seq: 0 })).rejects.toMatchObject({
      code: "storage_failed",
    });
    expect(session.version).toBe(0);
  });

  it("answers storage_failed when catching up after a conflict fails too", async () => {
    const errors: unknown[] = [];
    const store = new MemorySessionStore();
    await DocumentSession.create("doc", store, "");
    const a = await DocumentSession.open("doc", store);
    const b = await DocumentSession.open("doc", store, { onError: (e) => errors.push(e) });
    await a.submit({ v: 0, op: ["a"], src: "x", seq: 0 });
    store.ops = () => Promise.reject(new Error("database gone"));
    await expect(b.submit({ v: 0, op: ["b"], src: "y", seq: 0 })).rejects.toMatchObject({
      code: "storage_failed",
    });
    expect(String(errors[0])).toContain("database gone");
  });

  it("refuses a store whose caught-up ops leave a gap", async () => {
    const { store, a } = await replicas();
    store.ops = async () => [{ v: 5, op: ["x"], src: "z", seq: 0 }];
    await expect(a.catchUp()).rejects.toThrow(/op at version 5 where 0 was expected/);
  });
});
