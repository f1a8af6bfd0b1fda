import { describe, expect, it, vi } from "vitest";
import { type Ack, DocumentSession, SessionError, type SessionOptions } from "./session.ts";
import { MemorySessionStore, type OpEntry, type SessionStore } from "./session-store.ts";
import { SimClient, serveOne } from "./testing/sim-client.ts";

async function fresh(
  content = "",
  options: SessionOptions = {},
  store: SessionStore = new MemorySessionStore(),
) {
  return { store, session: await DocumentSession.create("doc", store, content, options) };
}

/** Resolves with the SessionError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<SessionError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionError);
  return error as SessionError;
}

/** A store that can be told to fail, or to hold appends until released. */
class ControlledStore extends MemorySessionStore {
  failAppends = false;
  failSnapshots = false;
  held: (() => void)[] = [];
  hold = false;
  appends: number[] = [];

  override async append(docId: string, version: number, entry: OpEntry): Promise<void> {
    this.appends.push(version);
    if (this.failAppends) throw new Error("disk full");
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    return super.append(docId, version, entry);
  }

  override async snapshot(docId: string, version: number, content: string): Promise<void> {
    if (this.failSnapshots) throw new Error("snapshot refused");
    return super.snapshot(docId, version, content);
  }
}

describe("DocumentSession.submit", () => {
  it("applies an op at the current version and acks the next version", async () => {
    const { session, store } = await fresh("hello");
    const ack = await session.submit({ v: 0, op: [5, " world"], src: "a", seq: 0 });
    expect(ack).toEqual({ version: 1, op: [5, " world"] });
    expect(session.text()).toBe("hello world");
    expect(session.version).toBe(1);
    expect(session.length).toBe(11);
    expect(await store.ops("doc", 0)).toEqual([{ v: 0, op: [5, " world"], src: "a", seq: 0 }]);
  });

  it("normalizes the op before applying it", async () => {
    const { session } = await fresh("abc");
    const ack = await session.submit({ v: 0, op: [1, 1, "x", "y", 1], src: "a", seq: 0 });
    expect(ack.op).toEqual([2, "xy"]);
    expect(session.text()).toBe("abxyc");
  });

  it("transforms a stale op against every op since its version", async () => {
    const { session } = await fresh("abc");
    await session.submit({ v: 0, op: ["X"], src: "a", seq: 0 });
    await session.submit({ v: 1, op: [4, "Y"], src: "a", seq: 1 });
    const ack = await session.submit({ v: 0, op: [2, { d: "c" }], src: "b", seq: 0 });
    expect(ack).toEqual({ version: 3, op: [3, { d: "c" }] });
    expect(session.text()).toBe("XabY");
  });

  it("puts a stale insert at the same position first (the submitted op is 'left')", async () => {
    const { session } = await fresh("ab");
    await session.submit({ v: 0, op: [1, "1"], src: "a", seq: 0 });
    await session.submit({ v: 0, op: [1, "2"], src: "b", seq: 0 });
    expect(session.text()).toBe("a21b");
  });

  it("makes two concurrent clients converge with the server", async () => {
    const { session } = await fresh("shared text");
    const a = new SimClient("a", "shared text", 0);
    const b = new SimClient("b", "shared text", 0);
    const clients = [a, b];
    a.edit([6, { d: " " }, "-"]);
    b.edit(["my "]);
    b.edit([14, "!"]);
    await serveOne(session, clients, a);
    await serveOne(session, clients, b);
    while (a.receive() || b.receive());
    await serveOne(session, clients, b);
    while (a.receive() || b.receive());
    expect(a.settled && b.settled).toBe(true);
    expect(session.text()).toBe("my shared-text!");
    expect(a.text).toBe(session.text());
    expect(b.text).toBe(session.text());
  });

  it("rejects a version above the document's", async () => {
    const { session } = await fresh("abc");
    const error = await refusal(session.submit({ v: 1, op: ["x"], src: "a", seq: 0 }));
    expect(error.code).toBe("version_ahead");
    expect(error.status).toBe(409);
    expect(error.message).toContain("above the document's version 0");
    expect(session.version).toBe(0);
  });

  it.each([
    [{ v: -1 }, "v must be an integer >= 0"],
    [{ v: 0.5 }, "v must be an integer >= 0"],
    [{ v: "0" }, "v must be an integer >= 0"],
    [{ src: "" }, "src must be a non-empty string"],
    [{ src: "x".repeat(201) }, "src must be a non-empty string"],
    [{ seq: -2 }, "seq must be an integer >= 0"],
    [{ seq: null }, "seq must be an integer >= 0"],
  ])("rejects a malformed submission %j", async (patch, message) => {
    const { session } = await fresh("abc");
    const submission = { v: 0, op: ["x"], src: "a", seq: 0, ...patch } as never;
    const error = await refusal(session.submit(submission));
    expect(error.code).toBe("invalid_submission");
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });

  it("rejects a malformed op, or one that does not fit the document, with invalid_op", async () => {
    const { session } = await fresh("abc");
    const malformed = await refusal(session.submit({ v: 0, op: [{ d: 0 }], src: "a", seq: 0 }));
    expect(malformed.code).toBe("invalid_op");
    expect(malformed.message).toContain("delete");
    const notArray = await refusal(session.submit({ v: 0, op: "x", src: "a", seq: 0 }));
    expect(notArray.code).toBe("invalid_op");
    const pastEnd = await refusal(session.submit({ v: 0, op: [3, { d: 1 }], src: "a", seq: 0 }));
    expect(pastEnd.code).toBe("invalid_op");
    expect(pastEnd.message).toContain("past the end");
    const mismatch = await refusal(session.submit({ v: 0, op: [{ d: "x" }], src: "a", seq: 0 }));
    expect(mismatch.message).toContain("not the text to delete");
    expect(session.text()).toBe("abc");
    expect(session.version).toBe(0);
  });

  it("does not re-apply a known (src, seq) and returns the original version", async () => {
    const { session, store } = await fresh("abc");
    const first = await session.submit({ v: 0, op: ["x"], src: "a", seq: 7 });
    await session.submit({ v: 1, op: ["y"], src: "b", seq: 7 });
    const again = await session.submit({ v: 0, op: ["x"], src: "a", seq: 7 });
    expect(first.version).toBe(1);
    expect(again).toEqual({ version: 1, duplicate: true });
    expect(session.text()).toBe("yxabc");
    expect(session.version).toBe(2);
    expect(await store.ops("doc", 0)).toHaveLength(2);
  });

  it("reads ops older than the memory window back from the store, and recognises resends among them", async () => {
    const { session, store } = await fresh("", { historyWindow: 3 });
    for (let seq = 0; seq < 8; seq++) {
      await session.submit({ v: seq, op: seq === 0 ? ["x"] : [seq, "x"], src: "a", seq });
    }
    expect(session.opsSince(0)).toBeNull(); // trimmed from memory
    // Written against version 4, transformed through 4..7 (read back) and the window.
    expect(await session.submit({ v: 4, op: [4, "y"], src: "b", seq: 0 })).toEqual({
      version: 9,
      op: [4, "y"],
    });
    // seq 0's (src, seq) left memory, but its resend is found in the store: not applied twice.
    expect(await session.submit({ v: 0, op: ["x"], src: "a", seq: 0 })).toEqual({
      version: 1,
      duplicate: true,
    });
    // Inside the window, a resend is still a duplicate.
    expect(await session.submit({ v: 6, op: [6, "x"], src: "a", seq: 6 })).toEqual({
      version: 7,
      duplicate: true,
    });
    expect(session.text()).toBe("xxxxyxxxx");
    store.ops = () => Promise.reject(new Error("disk gone"));
    expect((await refusal(session.submit({ v: 1, op: ["z"], src: "c", seq: 0 }))).code).toBe(
      "storage_failed",
    );
  });

  it("refuses with too_old a version further behind than maxStoreRebase, and a bad op with invalid_op", async () => {
    const { session } = await fresh("", { historyWindow: 2, maxStoreRebase: 3 });
    for (let seq = 0; seq < 10; seq++) {
      await session.submit({ v: seq, op: seq === 0 ? ["x"] : [seq, "x"], src: "a", seq });
    }
    const error = await refusal(session.submit({ v: 1, op: ["y"], src: "b", seq: 0 }));
    expect(error.code).toBe("too_old");
    expect(error.message).toContain("resync");
    const bad = await refusal(session.submit({ v: 5, op: [9, "y"], src: "b", seq: 1 }));
    expect(bad.code).toBe("invalid_op");
    expect(session.version).toBe(10);
  });
});

describe("limits", () => {
  it("rejects ops with too many components or too much inserted text, naming the limit", async () => {
    const { session } = await fresh("abcdef", { maxOpComponents: 3, maxInsertLength: 4 });
    const components = await refusal(session.submit({ v: 0, op: ["x", 1, "y", 1, "z"], src: "a", seq: 0 }));
    expect(components.code).toBe("op_too_large");
    expect(components.status).toBe(413);
    expect(components.message).toBe("op has 5 components, more than maxOpComponents (3)");
    const inserted = await refusal(session.submit({ v: 0, op: ["😀😀😀😀😀"], src: "a", seq: 0 }));
    expect(inserted.message).toBe("op inserts 5 code points, more than maxInsertLength (4)");
    expect(await session.submit({ v: 0, op: ["😀😀😀😀"], src: "a", seq: 0 })).toMatchObject({ version: 1 });
  });

  it("rejects an op that would make the document too long; a shrinking op still passes", async () => {
    const { session } = await fresh("abcd", { maxDocumentLength: 5 });
    expect(await session.submit({ v: 0, op: ["😀"], src: "a", seq: 0 })).toMatchObject({ version: 1 });
    const error = await refusal(session.submit({ v: 1, op: ["x"], src: "a", seq: 1 }));
    expect(error.code).toBe("document_too_large");
    expect(error.message).toBe("the document would have 6 code points, more than maxDocumentLength (5)");
    await session.submit({ v: 1, op: [{ d: 2 }, "z"], src: "a", seq: 2 });
    expect(session.text()).toBe("zbcd");
  });

  it("refuses to create a document over the limit, or with a lone surrogate", async () => {
    const store = new MemorySessionStore();
    const big = await refusal(DocumentSession.create("d", store, "abc", { maxDocumentLength: 2 }));
    expect(big.code).toBe("document_too_large");
    const bad = await refusal(DocumentSession.create("d", store, "a\uD800"));
    expect(bad.code).toBe("invalid_submission");
    expect(await store.load("d")).toBeNull();
  });

  it("rejects invalid options", async () => {
    await expect(fresh("", { snapshotEvery: 0 })).rejects.toThrow("snapshotEvery must be a positive integer");
    await expect(fresh("", { historyWindow: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe("storage", () => {
  it("leaves the document unchanged and rejects the submit when the append fails", async () => {
    const store = new ControlledStore();
    const { session } = await fresh("abc", {}, store);
    store.failAppends = true;
    const error = await refusal(session.submit({ v: 0, op: ["x"], src: "a", seq: 0 }));
    expect(error.code).toBe("storage_failed");
    expect(error.status).toBe(503);
    expect(error.message).toContain("disk full");
    expect((error.cause as Error).message).toBe("disk full");
    expect(session.text()).toBe("abc");
    expect(session.version).toBe(0);
    // Not remembered as applied: the resend goes through once storage is back.
    store.failAppends = false;
    expect(await session.submit({ v: 0, op: ["x"], src: "a", seq: 0 })).toEqual({ version: 1, op: ["x"] });
    expect(session.text()).toBe("xabc");
  });

  it("serializes concurrent submits: the second waits until the first is stored", async () => {
    const store = new ControlledStore();
    const { session } = await fresh("ab", {}, store);
    store.hold = true;
    const first = session.submit({ v: 0, op: [1, "1"], src: "a", seq: 0 });
    const second = session.submit({ v: 0, op: [2, "2"], src: "b", seq: 0 });
    await vi.waitFor(() => expect(store.held).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.appends).toEqual([0]);
    expect(session.version).toBe(0);
    store.hold = false;
    store.held.shift()!();
    const acks: Ack[] = await Promise.all([first, second]);
    expect(acks).toEqual([
      { version: 1, op: [1, "1"] },
      { version: 2, op: [3, "2"] },
    ]);
    expect(store.appends).toEqual([0, 1]);
    expect(session.text()).toBe("a1b2");
  });

  it("keeps sequencing after a rejected submission", async () => {
    const { session } = await fresh("abc");
    const bad = session.submit({ v: 5, op: ["x"], src: "a", seq: 0 });
    const good = session.submit({ v: 0, op: ["y"], src: "a", seq: 1 });
    await expect(bad).rejects.toThrow(SessionError);
    expect(await good).toEqual({ version: 1, op: ["y"] });
  });

  it("writes a snapshot every snapshotEvery ops; a failed snapshot is reported, not fatal, and retried", async () => {
    const store = new ControlledStore();
    const onError = vi.fn();
    const { session } = await fresh("", { snapshotEvery: 2, onError }, store);
    await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 });
    await session.idle();
    expect((await store.load("doc"))!.snapshot).toEqual({ version: 0, content: "" });
    await session.submit({ v: 1, op: ["b"], src: "a", seq: 1 });
    await session.idle();
    expect((await store.load("doc"))!.snapshot).toEqual({ version: 2, content: "ba" });
    store.failSnapshots = true;
    await session.submit({ v: 2, op: ["c"], src: "a", seq: 2 });
    await session.submit({ v: 3, op: ["d"], src: "a", seq: 3 });
    await session.idle();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "snapshot refused" }));
    store.failSnapshots = false;
    await session.submit({ v: 4, op: ["e"], src: "a", seq: 4 });
    await session.idle();
    expect((await store.load("doc"))!.snapshot).toEqual({ version: 5, content: "edcba" });
  });

  it("survives a failed snapshot with no onError given", async () => {
    const store = new ControlledStore();
    const { session } = await fresh("", { snapshotEvery: 1 }, store);
    store.failSnapshots = true;
    expect(await session.submit({ v: 0, op: ["a"], src: "a", seq: 0 })).toEqual({ version: 1, op: ["a"] });
    await session.idle();
    expect((await store.load("doc"))!.snapshot.version).toBe(0);
  });
});
