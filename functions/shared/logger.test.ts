import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, type LogLevel } from "./logger.ts";

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const log = createLogger({ service: "svc", level, sink: (l) => lines.push(l) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, message, service and fields", () => {
    const { log, lines, parsed } = capture();
    log.info("hello", { user: "u1", n: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [line] = parsed();
    expect(line).toMatchObject({ level: "info", msg: "hello", service: "svc", user: "u1", n: 3 });
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time);
  });

  it.each<[LogLevel, string[]]>([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
    ["silent", []],
  ])("at level %s writes %j", (level, expected) => {
    const { log, parsed } = capture(level);
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(parsed().map((l) => l.level)).toEqual(expected);
  });

  it("defaults to info", () => {
    const { log, parsed } = capture();
    log.debug("hidden");
    log.info("shown");
    expect(parsed().map((l) => l.msg)).toEqual(["shown"]);
  });

  it("children add fields and keep the level and sink", () => {
    const { log, parsed } = capture("warn");
    const child = log.child({ requestId: "r1" }).child({ traceId: "t1" });
    child.info("dropped");
    child.warn("kept", { extra: true });
    log.warn("parent");
    expect(parsed()).toMatchObject([
      { msg: "kept", requestId: "r1", traceId: "t1", extra: true, service: "svc" },
      { msg: "parent" },
    ]);
    expect(parsed()[1]).not.toHaveProperty("requestId");
  });

  it("writes to stdout by default", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    createLogger({ service: "svc" }).info("to stdout");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(spy.mock.calls[0]![0]))).toMatchObject({ msg: "to stdout", service: "svc" });
  });
});
