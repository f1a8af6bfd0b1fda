/** DocumentSync's view of people: cursors in local coordinates, roles, and the status it reports. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DocumentSync } from "./sync.ts";
import { drain, init, pair, sent, standalone, view } from "./testing/harness.ts";
import { SimNetwork } from "./testing/sim-network.ts";

describe("DocumentSync cursors", () => {
  it("sends its selection only when nothing is unacknowledged, at the version it refers to", async () => {
    const { network, alice, bob } = await pair("hello");
    alice.sync.setSelection({ anchor: 1, head: 3 });
    expect(sent(alice)).toEqual([{ type: "cursor", v: 0, sel: { anchor: 1, head: 3 } }]);
    alice.sync.setSelection({ anchor: 1, head: 3 }); // unchanged: nothing sent
    await drain(network, [alice, bob]);
    expect(bob.sync.peers).toEqual([
      {
        id: "alice-src",
        user: "alice",
        name: "alice",
        color: expect.any(String),
        sel: { anchor: 1, head: 3 },
      },
    ]);
    alice.sync.localOp([5, "!"]);
    alice.sync.setSelection({ anchor: 6, head: 6 });
    expect(sent(alice).map((m) => m.type)).toEqual(["op"]);
    await drain(network, [alice, bob]); // the ack makes alice idle: now the cursor goes, at v 1
    expect(bob.sync.peers[0]?.sel).toEqual({ anchor: 6, head: 6 });
  });

  it("shows a remote cursor in local coordinates, moved by every op on either side", async () => {
    const { network, alice, bob } = await pair("hello world");
    bob.sync.setSelection({ anchor: 6, head: 6 }); // before "world"
    await drain(network, [alice, bob]);
    expect(alice.sync.peers[0]?.sel).toEqual({ anchor: 6, head: 6 });
    alice.sync.localOp(["> "]); // alice's own pending insert before it moves it at once
    expect(alice.sync.peers[0]?.sel).toEqual({ anchor: 8, head: 8 });
    bob.sync.localOp([6, "big "]); // bob types at his caret: his caret follows
    bob.sync.localOp([{ d: 1 }]);
    await drain(network, [alice, bob]);
    expect(alice.sync.text).toBe("> ello big world");
    expect(alice.sync.peers[0]?.sel).toEqual({ anchor: 11, head: 11 });
    expect(alice.sync.peers[0]?.sel).toEqual(bob.sync.selection);
    // Text someone else inserts at a caret stays after it.
    alice.sync.localOp([11, "XY"]);
    await drain(network, [alice, bob]);
    expect(bob.sync.selection).toEqual({ anchor: 11, head: 11 });
    expect(alice.sync.peers[0]?.sel).toEqual({ anchor: 11, head: 11 });
  });

  it("tracks joins and leaves, and drops a cursor it cannot place", () => {
    const { sync, load } = standalone();
    load("abc", [view("p1", { anchor: 1, head: 1 })]);
    expect(sync.peers.map((p) => p.id)).toEqual(["p1"]);
    sync.receive({ type: "join", peer: view("p2") });
    sync.receive({ type: "cursor", id: "p2", v: 0, sel: { anchor: 2, head: 0 } });
    sync.receive({ type: "cursor", id: "p1", v: 9, sel: { anchor: 2, head: 2 } }); // not our version
    sync.receive({ type: "cursor", id: "nobody", v: 0, sel: null });
    expect(sync.peers.map((p) => p.sel)).toEqual([null, { anchor: 2, head: 0 }]);
    sync.receive({ type: "leave", id: "p1" });
    sync.receive({ type: "leave", id: "p1" });
    expect(sync.peers.map((p) => p.id)).toEqual(["p2"]);
    sync.disconnected();
    expect(sync.peers).toEqual([]);
  });

  it("moves its own selection with its edits and others' and the server's whole text", () => {
    const { sync, load } = standalone();
    load("abc");
    sync.setSelection({ anchor: 3, head: 3 });
    sync.localOp([3, "d"]);
    expect(sync.selection).toEqual({ anchor: 4, head: 4 });
    sync.receive({ type: "ack", v: 0, seq: 0 });
    sync.receive({ type: "op", v: 1, op: [4, "e"], src: "other", seq: 0 });
    expect(sync.selection).toEqual({ anchor: 4, head: 4 });
    sync.disconnected();
    sync.connected(() => {});
    sync.receive({ ...init(5), content: "xy" });
    expect(sync.selection).toEqual({ anchor: 2, head: 2 });
    sync.setSelection(null);
    expect(sync.selection).toBeNull();
  });
});

describe("DocumentSync roles and status", () => {
  it("refuses local edits from a viewer", async () => {
    const network = await SimNetwork.create({ content: "read me" });
    const viewer = network.user("val", "viewer");
    network.connect(viewer);
    await drain(network, [viewer]);
    expect(viewer.sync).toMatchObject({ role: "viewer", editable: false, text: "read me" });
    expect(() => viewer.sync.localOp(["x"])).toThrow(/read-only/);
  });

  it("reports each change of connection and of unacknowledged edits once", async () => {
    const { network, alice } = await pair("");
    alice.sync.localOp(["a"]);
    alice.sync.localOp(["b"]);
    network.drop(alice);
    network.connect(alice);
    await drain(network, [alice]);
    expect(alice.statuses.map((s) => `${s.connection}${s.unacknowledged ? "+" : ""}`)).toEqual([
      "connecting",
      "online",
      "online+",
      "offline+",
      "connecting+",
      "online+",
      "online",
    ]);
  });
});

describe("DocumentSync timers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resends on the platform's timers unless given a schedule", () => {
    vi.useFakeTimers();
    const out: unknown[] = [];
    const sync = new DocumentSync({ src: "me" });
    sync.connected((m) => out.push(m));
    sync.receive({ ...init(0), content: "" });
    sync.localOp(["x"]);
    sync.receive({ type: "error", code: "rate_limited", message: "slow down", seq: 0, retryAfterMs: 50 });
    vi.advanceTimersByTime(49);
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(out).toHaveLength(2);
    sync.receive({ type: "error", code: "rate_limited", message: "slow down", seq: 0, retryAfterMs: 50 });
    sync.disconnected(); // cancels the timer
    vi.advanceTimersByTime(100);
    expect(out).toHaveLength(2);
  });
});
