import { describe, expect, it } from "vitest";
import type { RolloutStatus } from "../types.ts";
import { statusEventStream, statusEventText } from "./events.ts";
import { canaryStatus, FakeRolloutControl } from "./testing/fake-control.ts";

const readAll = (stream: ReadableStream<Uint8Array>): Promise<string> => new Response(stream).text();

describe("statusEventStream", () => {
  it("writes each status as one `status` event of JSON", () => {
    const status = canaryStatus({ message: "line one\nline two" });
    const text = statusEventText(status);
    expect(text.startsWith("event: status\ndata: {")).toBe(true);
    expect(text.endsWith("}\n\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(4); // JSON escapes newlines: one data line
    expect(JSON.parse(text.split("\n")[1]!.slice("data: ".length)) as RolloutStatus).toEqual(status);
  });

  it("cuts off a reader that does not drain, and lets go of the control", async () => {
    const control = new FakeRolloutControl();
    const closers = new Set<() => void>();
    const stream = statusEventStream(control, "tinyurl", closers);
    expect(closers.size).toBe(1);
    for (let i = 0; i < 60; i++) control.publish("tinyurl", { message: `change ${i}` });
    expect(control.listenerCount).toBe(0);
    expect(closers.size).toBe(0);
    const text = await readAll(stream);
    expect(text.startsWith("retry: 2000\n\n")).toBe(true);
    expect(text).toContain('"message":"change 0"');
    expect(text).not.toContain('"message":"change 59"'); // dropped once the reader was cut off
  });

  it("ends when its closer is called, even twice", async () => {
    const control = new FakeRolloutControl();
    const closers = new Set<() => void>();
    const stream = statusEventStream(control, "tinyurl", closers);
    const [end] = [...closers];
    end!();
    end!();
    expect(await readAll(stream)).toContain("event: status");
    expect(control.listenerCount).toBe(0);
  });
});
