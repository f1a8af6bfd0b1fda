/** WebSockets on the Node Docs service: handshake checks, roles, ops and acks, shutdown. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { silentLog } from "../shared/testing/log.ts";
import { startDocs } from "./node.ts";
import { CLOSE } from "./protocol.ts";
import { connectDoc } from "./testing/ws-client.ts";

const dir = mkdtempSync(join(tmpdir(), "docs-socket-"));
const config = loadConfig({
  DATA_DIR: dir,
  DOCS_PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  DOCS_OPS_PER_SECOND: "5",
});
let service: RunningService;
const token: Record<string, string> = {};

beforeAll(async () => {
  service = await startDocs(config, silentLog);
  for (const user of ["alice", "bob", "carol", "mallory"])
    token[user] = await signToken(user, config.AUTH_SECRET);
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token[user]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (res.status === 204 ? {} : await res.json()) as Record<string, unknown>,
  };
}

/** alice owns it, bob edits, carol views. */
async function sharedDoc(content = "hello"): Promise<string> {
  const id = (await api("alice", "POST", "/api/documents", { title: "t", content })).body.id as string;
  await api("alice", "POST", `/api/documents/${id}/share`, { user: "bob", role: "editor" });
  await api("alice", "POST", `/api/documents/${id}/share`, { user: "carol", role: "viewer" });
  return id;
}

describe("the handshake", () => {
  it("refuses a missing or bad token with 401, a stranger and an unknown id with 404", async () => {
    const id = await sharedDoc();
    await expect(connectDoc(service.url, id)).rejects.toThrow("handshake refused: 401");
    await expect(connectDoc(service.url, id, { token: "nope" })).rejects.toThrow("handshake refused: 401");
    await expect(connectDoc(service.url, id, { token: token.mallory })).rejects.toThrow("refused: 404");
    await expect(connectDoc(service.url, "unknown", { token: token.alice })).rejects.toThrow("refused: 404");
    await expect(connectDoc(service.url, id, { token: token.alice, src: "bad src!" })).rejects.toThrow(
      "refused: 400",
    );
  });

  it("takes the token from a browser's subprotocol and answers with the protocol's name", async () => {
    const id = await sharedDoc();
    const socket = await connectDoc(service.url, id, { token: token.bob, viaSubprotocol: true });
    expect(socket.ws.protocol).toBe("canary-docs.v1");
    const init = await socket.next("init");
    expect(init).toMatchObject({ v: 0, role: "editor", content: "hello", peers: [] });
    expect(init.you).toMatchObject({ user: "bob", name: "bob" });
    socket.close();
  });
});

describe("editing over sockets", () => {
  it("acks the sender, sends the op to others, and refuses a viewer's op", async () => {
    const id = await sharedDoc("ab");
    const bob = await connectDoc(service.url, id, { token: token.bob, src: "bob-1" });
    const carol = await connectDoc(service.url, id, { token: token.carol, src: "carol-1" });
    await bob.next("init");
    await carol.next("init");
    expect((await bob.next("join")).peer.id).toBe("carol/carol-1");

    bob.send({ type: "op", v: 0, op: [1, "X"], seq: 0 });
    expect(await bob.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
    expect(await carol.next("op")).toEqual({ type: "op", v: 0, op: [1, "X"], src: "bob/bob-1", seq: 0 });

    carol.send({ type: "op", v: 1, op: ["no"], seq: 0 });
    expect(await carol.next("error")).toMatchObject({ code: "forbidden", seq: 0 });
    expect((await api("alice", "GET", `/api/documents/${id}`)).body.content).toBe("aXb");

    // An HTTP update reaches the sockets too, in the same stream.
    await api("alice", "POST", `/api/documents/${id}/update`, { v: 1, op: ["!"] });
    expect(await bob.next("op")).toMatchObject({ v: 1, op: ["!"] });
    bob.close();
    expect((await carol.next("leave")).id).toBe("bob/bob-1");
    carol.close();
  });

  it("applies a resent op once, and catches a reconnecting client up from its version", async () => {
    const id = await sharedDoc("");
    const first = await connectDoc(service.url, id, { token: token.bob, src: "bob-r" });
    await first.next("init");
    first.send({ type: "op", v: 0, op: ["one"], seq: 0 });
    await first.next("ack");
    first.close();
    await first.closed;
    await api("alice", "POST", `/api/documents/${id}/update`, { v: 1, op: [3, " two"] });

    const again = await connectDoc(service.url, id, { token: token.bob, src: "bob-r", v: 0 });
    const init = await again.next("init");
    expect(init.content).toBeUndefined();
    expect(init.ops?.map((op) => [op.src, op.seq])).toEqual([
      ["bob/bob-r", 0],
      [expect.stringMatching(/^alice\/http-/), 0],
    ]);
    again.send({ type: "op", v: 0, op: ["one"], seq: 0 }); // the resend of an op already applied
    expect(await again.next("ack")).toEqual({ type: "ack", v: 0, seq: 0 });
    expect((await api("alice", "GET", `/api/documents/${id}`)).body).toMatchObject({
      content: "one two",
      version: 2,
    });
    again.close();
  });

  it("refuses ops beyond the per-connection rate with retryAfterMs", async () => {
    const id = await sharedDoc("");
    const bob = await connectDoc(service.url, id, { token: token.bob });
    await bob.next("init");
    for (let seq = 0; seq < 12; seq++) bob.send({ type: "op", v: 0, op: ["x"], seq });
    const refused = await bob.next("error");
    expect(refused).toMatchObject({ code: "rate_limited", seq: 10 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    bob.close();
  });

  it("drops a client that breaks the protocol, and one that connects again replaces the old socket", async () => {
    const id = await sharedDoc("");
    const bad = await connectDoc(service.url, id, { token: token.bob });
    await bad.next("init");
    bad.send({ type: "dance" });
    expect(await bad.next("error")).toMatchObject({ code: "protocol_error" });
    expect(await bad.closed).toBe(CLOSE.protocolError);

    const old = await connectDoc(service.url, id, { token: token.bob, src: "same" });
    await old.next("init");
    const fresh = await connectDoc(service.url, id, { token: token.bob, src: "same" });
    expect(await old.closed).toBe(CLOSE.replaced);
    await fresh.next("init");
    fresh.close();
  });

  it("reports sockets and ops by outcome on /metrics", async () => {
    const id = await sharedDoc("");
    const bob = await connectDoc(service.url, id, { token: token.bob });
    await bob.next("init");
    bob.send({ type: "op", v: 0, op: ["x"], seq: 0 });
    await bob.next("ack");
    bob.send({ type: "op", v: 9, op: ["x"], seq: 1 });
    await bob.next("error");
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toMatch(/^docs_websocket_connections\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^docs_ops_total\{outcome="applied"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^docs_ops_total\{outcome="version_ahead"[^}]*\} 1$/m);
    expect(text).toMatch(/^docs_op_duration_seconds_count\{[^}]*outcome="applied"[^}]*\} [1-9]/m);
    bob.close();
  });

  it("closes sockets with 4004 when the document is deleted", async () => {
    const id = await sharedDoc();
    const bob = await connectDoc(service.url, id, { token: token.bob });
    await bob.next("init");
    expect((await api("alice", "DELETE", `/api/documents/${id}`)).status).toBe(204);
    expect(await bob.closed).toBe(CLOSE.deleted);
  });
});
