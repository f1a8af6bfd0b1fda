import { afterEach, describe, expect, it, vi } from "vitest";
import { createGate } from "../shared/testing/gate.ts";
import { captureLog } from "../shared/testing/log.ts";
import type { VisitEvent, VisitRow } from "./analytics.ts";
import type { LinkStore } from "./store.ts";
import { BufferedVisitRecorder, WaitUntilVisitRecorder } from "./visits.ts";

const event = (i: number): VisitEvent => ({
  code: "abc",
  ts: Date.UTC(2024, 4, 1) + i,
  ip: `10.0.0.${i % 250}`,
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  referrer: "",
  country: "fr",
});

/** A store that records batches and can be told to fail or to hold a write open. */
function fakeStore() {
  const batches: VisitRow[][] = [];
  let failures = 0;
  const gate = createGate();
  const store = {
    insertVisits: vi.fn(async (rows: VisitRow[]) => {
      await gate.passed();
      if (failures > 0) {
        failures--;
        throw new Error("database is locked");
      }
      batches.push(rows);
    }),
  };
  return {
    store: store as unknown as LinkStore,
    insertVisits: store.insertVisits,
    batches,
    failNext(n = 1) {
      failures = n;
    },
    hold: gate.hold,
    rows: () => batches.flat(),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("BufferedVisitRecorder", () => {
  it("buffers visits until a flush, then writes them as rows in one batch", async () => {
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 100 });
    for (let i = 0; i < 3; i++) recorder.record(event(i));
    expect(fake.insertVisits).not.toHaveBeenCalled();
    await recorder.flush();
    expect(fake.batches).toHaveLength(1);
    expect(fake.rows().map((r) => r.ts)).toEqual([0, 1, 2].map((i) => event(i).ts));
    expect(fake.rows()[0]).toMatchObject({ code: "abc", country: "FR", browser: "Firefox", isBot: false });
    expect(JSON.stringify(fake.rows())).not.toContain("10.0.0.");
    await recorder.flush(); // nothing pending: no empty write
    expect(fake.insertVisits).toHaveBeenCalledTimes(1);
    await recorder.close();
  });

  it("writes without waiting for the timer once a batch is full", async () => {
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 5 });
    for (let i = 0; i < 4; i++) recorder.record(event(i));
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.insertVisits).not.toHaveBeenCalled();
    recorder.record(event(4));
    await vi.waitFor(() => expect(fake.batches).toHaveLength(1));
    expect(fake.rows().map((r) => r.ts)).toEqual(Array.from({ length: 5 }, (_, i) => event(i).ts));
    await recorder.close();
  });

  it("flushes on its timer", async () => {
    vi.useFakeTimers();
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 1000, batchSize: 100 });
    recorder.record(event(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.insertVisits).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await recorder.flush(); // waits for the timer's flush in flight
    expect(fake.rows()).toHaveLength(1);
    await recorder.close();
  });

  it("close flushes what is buffered and stops the timer", async () => {
    vi.useFakeTimers();
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 1000, batchSize: 100 });
    for (let i = 0; i < 7; i++) recorder.record(event(i));
    await recorder.close();
    expect(fake.rows()).toHaveLength(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps the visits of a failed write and writes them, in order, on the next flush", async () => {
    const fake = fakeStore();
    const { log, lines } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 100 });
    recorder.record(event(1));
    recorder.record(event(2));
    fake.failNext();
    await recorder.flush();
    expect(fake.batches).toHaveLength(0);
    expect(lines.find((l) => l.msg === "visit flush failed; will retry")).toMatchObject({
      level: "error",
      events: 2,
      dropped: 0,
      err: "Error: database is locked",
    });
    recorder.record(event(3));
    await recorder.close();
    expect(fake.rows().map((r) => r.ts)).toEqual([1, 2, 3].map((i) => event(i).ts));
  });

  it("close retries a failed final write, and rejects naming the count when it cannot", async () => {
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 100 });
    recorder.record(event(1));
    fake.failNext(2); // the final flush and its first retry fail; the second retry succeeds
    await recorder.close([0, 0]);
    expect(fake.rows()).toHaveLength(1);

    const stuck = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 100 });
    stuck.record(event(2));
    stuck.record(event(3));
    fake.failNext(10);
    await expect(stuck.close([0, 0])).rejects.toThrow("2 visits could not be written before exit");
  });

  it("serializes flushes: a shutdown waits for the write in progress", async () => {
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new BufferedVisitRecorder(fake.store, "salt", log, { flushMs: 60_000, batchSize: 100 });
    recorder.record(event(1));
    const release = fake.hold();
    const first = recorder.flush();
    await vi.waitFor(() => expect(fake.insertVisits).toHaveBeenCalledTimes(1)); // write of event 1 is open
    recorder.record(event(2));
    let closed = false;
    const closing = recorder.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(false);
    expect(fake.insertVisits).toHaveBeenCalledTimes(1);
    release();
    await Promise.all([first, closing]);
    expect(fake.batches.map((b) => b.map((r) => r.ts))).toEqual([[event(1).ts], [event(2).ts]]);
  });
});

describe("WaitUntilVisitRecorder", () => {
  it("writes each visit inside the request's waitUntil", async () => {
    const fake = fakeStore();
    const { log } = captureLog();
    const recorder = new WaitUntilVisitRecorder(fake.store, "salt", log);
    const deferred: Promise<unknown>[] = [];
    recorder.record(event(1), (p) => deferred.push(p));
    expect(deferred).toHaveLength(1);
    await deferred[0];
    expect(fake.batches).toEqual([
      [expect.objectContaining({ code: "abc", ts: event(1).ts, country: "FR" })],
    ]);
    await recorder.flush();
    await recorder.close();
  });

  it("logs a failed write instead of rejecting the deferred promise", async () => {
    const fake = fakeStore();
    const { log, lines } = captureLog();
    const recorder = new WaitUntilVisitRecorder(fake.store, "salt", log);
    fake.failNext();
    const deferred: Promise<unknown>[] = [];
    recorder.record(event(1), (p) => deferred.push(p));
    await expect(deferred[0]).resolves.toBeUndefined();
    expect(lines.find((l) => l.msg === "visit write failed")).toMatchObject({ level: "error" });
  });

  it("refuses to run without waitUntil", () => {
    const recorder = new WaitUntilVisitRecorder(fakeStore().store, "salt", captureLog().log);
    expect(() => recorder.record(event(1))).toThrow(/waitUntil/);
  });
});
