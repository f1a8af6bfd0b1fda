import { describe, expect, it } from "vitest";
import { moveSelection, ProtocolError, parseClientMessage, peerColor } from "./protocol.ts";

describe("parseClientMessage", () => {
  it("reads ops and cursors", () => {
    expect(parseClientMessage('{"type":"op","v":3,"seq":0,"op":[1,"x"]}')).toEqual({
      type: "op",
      v: 3,
      seq: 0,
      op: [1, "x"],
    });
    expect(parseClientMessage('{"type":"cursor","v":1,"sel":{"anchor":2,"head":0}}')).toEqual({
      type: "cursor",
      v: 1,
      sel: { anchor: 2, head: 0 },
    });
    expect(parseClientMessage('{"type":"cursor","v":1}')).toEqual({ type: "cursor", v: 1, sel: null });
  });

  it.each([
    ["{", "must be JSON"],
    ["[]", "a JSON object"],
    ["null", "a JSON object"],
    ['{"type":"op","v":-1,"seq":0,"op":[]}', "v and seq"],
    ['{"type":"op","v":0,"seq":1.5,"op":[]}', "v and seq"],
    ['{"type":"cursor","v":"1"}', "cursor: v"],
    ['{"type":"cursor","v":1,"sel":{"anchor":-1,"head":0}}', "sel must be"],
    ['{"type":"cursor","v":1,"sel":7}', "sel must be"],
    ['{"type":"hello"}', 'unknown message type "hello"'],
  ])("refuses %s", (frame, message) => {
    expect(() => parseClientMessage(frame)).toThrow(ProtocolError);
    expect(() => parseClientMessage(frame)).toThrow(message);
  });
});

describe("moveSelection", () => {
  it("pushes a caret past its owner's typing but not past someone else's", () => {
    const caret = { anchor: 2, head: 2 };
    expect(moveSelection(caret, [2, "ab"], true)).toEqual({ anchor: 4, head: 4 });
    expect(moveSelection(caret, [2, "ab"], false)).toEqual(caret);
    expect(moveSelection(caret, ["ab"], false)).toEqual({ anchor: 4, head: 4 });
  });
});

describe("peerColor", () => {
  it("is stable per id and differs between ids", () => {
    expect(peerColor("alice")).toBe(peerColor("alice"));
    expect(peerColor("alice")).not.toBe(peerColor("bob"));
    expect(peerColor("alice")).toMatch(/^hsl\(\d+ 70% 42%\)$/);
  });
});
