/** attachDocSockets on a bare HTTP server: the defences that need small limits to show. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signToken } from "../shared/auth.ts";
import { migrate } from "../shared/sql.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { silentLog } from "../shared/testing/log.ts";
import { DOCUMENTS_SCHEMA, DocumentStore } from "./documents.ts";
import { CLOSE } from "./protocol.ts";
import { MemorySessionStore } from "./session-store.ts";
import { SessionRegistry } from "./sessions.ts";
import { attachDocSockets, type DocSockets } from "./socket-node.ts";
import { connectDoc } from "./testing/ws-client.ts";

const SECRET = "attach-secret";
const { db, client } = openLibsql("file::memory:");
const store = new MemorySessionStore();
const sessions = new SessionRegistry(store);
let server: Server;
let sockets: DocSockets;
let base: string;
let token: string;

beforeAll(async () => {
  await migrate(db, DOCUMENTS_SCHEMA);
  const docs = new DocumentStore(db);
  await docs.create({ id: "doc", title: "t", owner: "alice", createdAt: 0, updatedAt: 0 });
  await store.create("doc", "text");
  token = await signToken("alice", SECRET);
  server = createServer((_req, res) => res.end());
  sockets = attachDocSockets(server, {
    docs,
    sessions,
    authSecret: SECRET,
    log: silentLog,
    heartbeatMs: 50,
    maxBufferedBytes: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sockets.close();
  await new Promise((resolve) => server.close(resolve));
  client.close();
});

describe("attachDocSockets", () => {
  it("answers an upgrade on any other path with a JSON 404", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${base.replace("http", "ws")}/elsewhere`);
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => reject(new Error("opened")));
    });
    expect(status).toBe(404);
  });

  it("closes a socket sending binary frames", async () => {
    const socket = await connectDoc(base, "doc", { token });
    await socket.next("init");
    socket.ws.send(Buffer.from([1, 2, 3]));
    expect(await socket.closed).toBe(CLOSE.protocolError);
  });

  it("drops a socket that stops answering pings, and its peer leaves", async () => {
    const watcher = await connectDoc(base, "doc", { token, src: "watcher" });
    const silent = new WebSocket(`${base.replace("http", "ws")}/api/documents/doc/socket?src=silent`, {
      headers: { authorization: `Bearer ${token}` },
      autoPong: false,
    });
    await new Promise((resolve) => silent.once("open", resolve));
    expect((await watcher.next("join")).peer.id).toBe("alice/silent");
    expect((await watcher.next("leave", (m) => m.id === "alice/silent")).id).toBe("alice/silent");
    watcher.close();
  });

  it("closes a socket whose unread messages pile up (1008)", async () => {
    const slow = await connectDoc(base, "doc", { token, src: "slow" });
    await slow.next("init");
    // The client stops reading; once the kernel's buffers are full, sends queue in the process.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const session = await sessions.get("doc");
    const big = "y".repeat(90_000);
    // ~18 MB of broadcasts, far beyond loopback buffers; the document stays small (insert, then delete).
    for (let seq = 0; seq < 400; seq += 2) {
      await session.submit({ v: session.version, op: [big], src: "w", seq });
      await session.submit({ v: session.version, op: [{ d: big.length }], src: "w", seq: seq + 1 });
    }
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed).toBe(1008);
  });

  it("closes every socket with 1001 when it shuts down", async () => {
    const socket = await connectDoc(base, "doc", { token });
    await socket.next("init");
    expect(sockets.size).toBeGreaterThan(0);
    await sockets.close();
    expect(await socket.closed).toBe(CLOSE.goingAway);
  });
});
