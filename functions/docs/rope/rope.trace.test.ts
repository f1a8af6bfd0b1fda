/**
 * Replays of real editing traces (shared folder, see testing/traces.ts) through Rope.applyOp: the final
 * text must equal the trace's endContent. Missing traces skip loudly, and fail under CI=true.
 */
import { describe, expect, it } from "vitest";
import { Rope, type RopeOptions } from "./index.ts";
import { checkInvariants } from "./testing/invariants.ts";
import { loadTrace, patchToOp, skipWithoutTrace, traceOps } from "./testing/traces.ts";

function replay(name: string, options: RopeOptions): void {
  const trace = loadTrace(name);
  const rope = Rope.from(trace.startContent, options);
  let expectedLength = rope.length;
  let step = 0;
  for (const txn of trace.txns) {
    for (const patch of txn.patches) {
      rope.applyOp(patchToOp(patch));
      expectedLength += Array.from(patch[2]).length - patch[1];
      if (++step % 10_000 === 0) {
        expect(rope.length).toBe(expectedLength);
        checkInvariants(rope);
      }
    }
  }
  expect(rope.toString()).toBe(trace.endContent);
  expect(rope.length).toBe(Array.from(trace.endContent).length);
  expect(rope.utf16Length).toBe(trace.endContent.length);
  checkInvariants(rope);
}

describe("patchToOp", () => {
  it("leaves out zero parts", () => {
    expect(patchToOp([0, 0, "x"])).toEqual(["x"]);
    expect(patchToOp([5, 2, ""])).toEqual([5, { d: 2 }]);
    expect(patchToOp([3, 1, "yz"])).toEqual([3, { d: 1 }, "yz"]);
    expect(patchToOp([0, 0, ""])).toEqual([]);
  });
});

describe.skipIf(skipWithoutTrace("seph-blog1"))("replay of seph-blog1", () => {
  it("ends with endContent (default shape)", () => replay("seph-blog1", {}));
  it("ends with endContent (leaves of 16, fanout 4: a deep tree)", () =>
    replay("seph-blog1", { leafSize: 16, fanout: 4 }));
  it("has as many ops as patches", () => {
    const trace = loadTrace("seph-blog1");
    expect(traceOps(trace).length).toBe(trace.txns.reduce((n, txn) => n + txn.patches.length, 0));
  });
});

describe.skipIf(skipWithoutTrace("automerge-paper"))("replay of automerge-paper", () => {
  it("ends with endContent", () => replay("automerge-paper", {}));
});
