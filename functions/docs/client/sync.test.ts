/** DocumentSync against a real Room and session, frame by frame, and against hand-made server messages. */
import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../protocol.ts";
import { RESEND_AFTER_MS } from "./sync.ts";
import { drain, init, pair, sent, standalone } from "./testing/harness.ts";
import { FakeClock, SimNetwork } from "./testing/sim-network.ts";

describe("DocumentSync with a Room", () => {
  it("loads the whole text first, then asks only for the ops since its version", async () => {
    const network = await SimNetwork.create({ content: "hello 🦊" });
    const alice = network.user("alice");
    expect(alice.sync.connectQuery()).toEqual({ src: "alice-src" });
    expect(alice.sync.editable).toBe(false);
    expect(() => alice.sync.localOp(["x"])).toThrow(/cannot be edited/);
    network.connect(alice);
    expect(alice.sync.status).toEqual({ connection: "connecting", unacknowledged: false });
    await drain(network, [alice]);
    expect(alice.sync.text).toBe("hello 🦊");
    expect(alice.sync).toMatchObject({ version: 0, role: "editor", editable: true });
    expect(alice.sync.you).toMatchObject({ id: "alice-src", user: "alice" });
    expect(alice.sync.connectQuery()).toEqual({ src: "alice-src", v: 0 });
  });

  it("keeps one op in flight and composes the rest into one pending op", async () => {
    const { network, alice, bob } = await pair("abc");
    alice.sync.localOp([3, "d"]);
    alice.sync.localOp([4, "e"]);
    alice.sync.localOp([5, "f"]);
    expect(alice.sync.text).toBe("abcdef");
    expect(sent(alice)).toEqual([{ type: "op", v: 0, op: [3, "d"], seq: 0 }]);
    expect(alice.sync.status.unacknowledged).toBe(true);
    network.toServer(alice);
    await network.settle();
    network.toClient(alice); // the ack
    expect(sent(alice)).toEqual([{ type: "op", v: 1, op: [4, "ef"], seq: 1 }]);
    await drain(network, [alice, bob]);
    expect(bob.sync.text).toBe("abcdef");
    expect(network.session.version).toBe(2);
    expect(alice.sync.status).toEqual({ connection: "online", unacknowledged: false });
  });

  it("transforms concurrent ops so both sides converge", async () => {
    const { network, alice, bob } = await pair("12345");
    alice.sync.localOp([1, "a"]);
    alice.sync.localOp([{ d: 2 }]); // pending, on top of the op in flight
    bob.sync.localOp([3, "b", { d: 1 }]);
    bob.sync.localOp(["😀"]);
    await drain(network, [alice, bob]);
    expect(alice.sync.text).toBe(network.session.text());
    expect(bob.sync.text).toBe(network.session.text());
    expect(network.session.text()).toBe("😀23b5");
  });

  it("does not send a pending op that composes into nothing, and ignores no-op edits", async () => {
    const { alice } = await pair("abc");
    alice.sync.localOp([3, "x"]);
    alice.sync.localOp([3, "y"]);
    alice.sync.localOp([3, { d: "y" }]);
    alice.sync.localOp([]);
    expect(sent(alice)).toHaveLength(1);
    expect(alice.sync.text).toBe("abcx");
    expect(() => alice.sync.localOp([9, "z"])).toThrow(/past the end/);
    expect(alice.sync.text).toBe("abcx");
  });

  it("resends the op in flight with the same (src, seq) when the socket dropped before the server got it", async () => {
    const { network, alice, bob } = await pair("abc");
    alice.sync.localOp([3, "!"]);
    network.drop(alice);
    expect(alice.sync.status).toEqual({ connection: "offline", unacknowledged: true });
    alice.sync.localOp([4, "?"]); // typing offline
    bob.sync.localOp(["<"]);
    await drain(network, [alice, bob]);
    network.connect(alice);
    network.toClient(alice); // init with bob's op as a catch-up
    expect(sent(alice)).toEqual([{ type: "op", v: 1, op: [4, "!"], seq: 0 }]);
    await drain(network, [alice, bob]);
    expect(network.session.text()).toBe("<abc!?");
    expect(alice.sync.text).toBe("<abc!?");
    expect(bob.sync.text).toBe("<abc!?");
  });

  it("takes its own op in the catch-up as the ack when the ack was lost", async () => {
    const { network, alice, bob } = await pair("abc");
    alice.sync.localOp([3, "!"]);
    network.toServer(alice);
    await network.settle(); // applied; the ack is queued
    alice.sync.localOp([4, "?"]);
    network.drop(alice); // ...and lost
    network.connect(alice);
    network.toClient(alice);
    // The catch-up acked seq 0, so the pending op goes out as seq 1: nothing is sent twice.
    expect(sent(alice)).toEqual([{ type: "op", v: 1, op: [4, "?"], seq: 1 }]);
    await drain(network, [alice, bob]);
    expect(network.session.text()).toBe("abc!?");
    expect(bob.sync.text).toBe("abc!?");
    const ops = await network.store.ops("doc", 0);
    expect(ops.map((o) => `${o.src}/${o.seq}`)).toEqual(["alice-src/0", "alice-src/1"]);
  });

  it("ignores a duplicate's ack after a resend that raced the original", async () => {
    const { network, alice, bob } = await pair("abc");
    alice.sync.localOp([3, "!"]);
    network.toServer(alice); // the server starts storing it...
    network.drop(alice); // ...while the socket drops
    network.connect(alice);
    network.toClient(alice); // init before the op was applied: it is resent
    expect(sent(alice)).toEqual([{ type: "op", v: 0, op: [3, "!"], seq: 0 }]);
    await drain(network, [alice, bob]); // the ack, then the duplicate's ack (ignored)
    expect(network.session.text()).toBe("abc!");
    expect(alice.sync.text).toBe("abc!");
    expect(alice.problems).toEqual([]);
    expect(await network.store.ops("doc", 0)).toHaveLength(1);
  });

  it("drops unacknowledged edits when the server can only send its whole text", async () => {
    const network = await SimNetwork.create({ content: "abc", session: { historyWindow: 1 } });
    const [alice, bob] = [network.user("alice"), network.user("bob")];
    network.connect(alice);
    network.connect(bob);
    await drain(network, [alice, bob]);
    network.drop(alice);
    alice.sync.localOp(["lost "]);
    for (const c of "xyz") {
      bob.sync.localOp([c]);
      await drain(network, [bob]);
    }
    network.connect(alice);
    expect(JSON.parse(alice.link!.toClient[0]!)).toMatchObject({ type: "init", content: "zyxabc" });
    network.toClient(alice);
    expect(alice.sync.text).toBe("zyxabc");
    expect(alice.changes.at(-1)).toEqual({ kind: "reset", op: ["zyx", { d: 5 }], text: "zyxabc" });
    expect(alice.problems).toEqual([expect.objectContaining({ code: "resynced", dropped: true })]);
    expect(alice.sync.status.unacknowledged).toBe(false);
    await drain(network, [alice, bob]);
    expect(network.session.text()).toBe("zyxabc");
  });
});

describe("DocumentSync errors", () => {
  it("resends a rate-limited op, unchanged but for its version, when the server says", async () => {
    const network = await SimNetwork.create({ content: "", room: { opsPerSecond: 1, opsBurst: 1 } });
    const [alice, bob] = [network.user("alice"), network.user("bob")];
    network.connect(alice);
    network.connect(bob);
    await drain(network, [alice, bob]);
    alice.sync.localOp(["a"]);
    await drain(network, [alice, bob]);
    alice.sync.localOp([1, "b"]);
    await drain(network, [alice, bob]); // refused: the bucket is empty
    expect(alice.problems).toEqual([expect.objectContaining({ code: "rate_limited", dropped: false })]);
    bob.sync.localOp(["<"]);
    await drain(network, [alice, bob]);
    expect(alice.sync.text).toBe("<ab");
    network.clock.advance(1000); // the resend timer fires (and the bucket refills)
    expect(sent(alice)).toEqual([{ type: "op", v: 2, op: [2, "b"], seq: 1 }]);
    await drain(network, [alice, bob]);
    expect(network.session.text()).toBe("<ab");
    expect(bob.sync.text).toBe("<ab");
  });

  it("cancels a scheduled resend when the socket drops, and resends on the next connection", async () => {
    const network = await SimNetwork.create({ room: { opsPerSecond: 1, opsBurst: 1 } });
    const alice = network.user("alice");
    network.connect(alice);
    await drain(network, [alice]);
    alice.sync.localOp(["a"]);
    alice.sync.localOp(["b"]);
    await drain(network, [alice]);
    expect(network.clock.pending).toBe(1);
    network.drop(alice);
    expect(network.clock.pending).toBe(0);
    network.clock.advance(1000);
    network.connect(alice);
    await drain(network, [alice]);
    expect(network.session.text()).toBe("ba");
  });

  it("starts again from the server's text when its op is refused for good", async () => {
    const network = await SimNetwork.create({ content: "abc", session: { maxDocumentLength: 5 } });
    const alice = network.user("alice");
    network.connect(alice);
    await drain(network, [alice]);
    alice.sync.localOp([3, "long"]);
    alice.sync.localOp([7, "er"]);
    await drain(network, [alice]);
    expect(alice.restarts).toBe(1);
    expect(alice.problems).toEqual([expect.objectContaining({ code: "document_too_large", dropped: true })]);
    expect(alice.sync.editable).toBe(false);
    expect(alice.sync.connectQuery()).toEqual({ src: "alice-src" }); // no v: the whole text, please
    network.connect(alice);
    await drain(network, [alice]);
    expect(alice.sync.text).toBe("abc");
    expect(alice.sync.editable).toBe(true);
    expect(alice.changes.at(-1)?.kind).toBe("reset");
  });

  it("resends after an error that names no op, and ignores errors about settled ops", () => {
    const clock = new FakeClock();
    const { sync, out, problems, load } = standalone(clock);
    load("abc");
    sync.localOp(["x"]);
    sync.receive({ type: "error", code: "rate_limited", message: "old", seq: 7, retryAfterMs: 5 });
    sync.receive({ type: "error", code: "internal", message: "The server failed" });
    expect(problems.map((p) => p.code)).toEqual(["internal"]);
    clock.advance(RESEND_AFTER_MS);
    expect(out.filter((m) => m.type === "op")).toHaveLength(2);
    sync.receive({ type: "error", code: "protocol_error", message: "bad frame" });
    expect(clock.pending).toBe(0);
  });

  it("restarts when the stream has a gap or an op it cannot apply", () => {
    for (const bad of [
      { type: "op", v: 5, op: ["x"], src: "other", seq: 0 },
      { type: "op", v: 0, op: [99, "x"], src: "other", seq: 0 },
      { type: "op", v: 0, op: ["x"], src: "me", seq: 3 },
      { type: "ack", v: 4, seq: 0 },
    ] satisfies ServerMessage[]) {
      const { sync, restarts, problems, load } = standalone();
      load("abc");
      sync.localOp(["x"]);
      sync.receive(bad);
      expect(restarts, JSON.stringify(bad)).toHaveLength(1);
      expect(problems[0]?.dropped).toBe(true);
      expect(sync.status.connection).toBe("offline");
    }
  });

  it("restarts when a catch-up does not end at the version init names, or comes without text", () => {
    const { sync, restarts, load } = standalone();
    load("abc");
    sync.disconnected();
    sync.connected(() => {});
    sync.receive({ ...init(3), ops: [{ type: "op", v: 0, op: ["x"], src: "o", seq: 0 }] });
    expect(restarts).toEqual(["caught up to 1, not 3"]);
    const fresh = standalone();
    fresh.sync.connected(() => {});
    fresh.sync.receive({ ...init(0), ops: [] });
    expect(fresh.restarts).toEqual(["init sent ops to a client with no text"]);
  });

  it("ignores messages before init and while offline", () => {
    const { sync } = standalone();
    sync.receive({ ...init(0), content: "x" }); // not connected
    expect(sync.version).toBeNull();
    sync.connected(() => {});
    sync.receive({ type: "op", v: 0, op: ["y"], src: "o", seq: 0 }); // before init
    sync.receive({ ...init(0), content: "x" });
    expect(sync.text).toBe("x");
  });
});
