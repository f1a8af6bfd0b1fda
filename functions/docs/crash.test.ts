/**
 * `kill -9` during a burst of ops: an op is acknowledged only once it is stored, so after a restart every
 * acknowledged op is in the document, exactly once, and the text is the replay of the stored history.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { killServiceProcesses, startServiceProcess } from "../shared/testing/service-process.ts";
import { apply, type TextOp } from "./ot/index.ts";
import type { ServerMessage } from "./protocol.ts";
import { connectDoc, type TestSocket } from "./testing/ws-client.ts";

const SECRET = "crash-test-secret";
const CLIENTS = 4;
/** Acks to see before the kill: enough that the kill lands mid-burst, with ops still in flight. */
const ACKS_BEFORE_KILL = 150;
const dir = mkdtempSync(join(tmpdir(), "docs-crash-"));

afterEach(killServiceProcesses);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = () =>
  startServiceProcess({
    SERVICES: "docs",
    DOCS_PORT: "0",
    DATA_DIR: dir,
    AUTH_SECRET: SECRET,
    DOCS_OPS_PER_SECOND: "100000",
  });

/** Types as fast as acks come back: one op in flight, each inserting at 0 on the last known version. */
function typeUntilClosed(socket: TestSocket, src: string, acked: Set<string>): void {
  let version = 0;
  let seq = 0;
  const handle = (message: ServerMessage) => {
    if (message.type === "op" || message.type === "ack") version = message.v + 1;
    if (message.type === "init") version = message.v;
    if (message.type === "ack") acked.add(`alice/${src}:${message.seq}`);
    if (message.type === "init" || message.type === "ack") {
      socket.send({ type: "op", v: version, op: [`${src}.${seq};`], seq: seq++ });
    }
  };
  for (const message of socket.received) handle(message); // the init may have come already
  socket.ws.on("message", (data) => handle(JSON.parse(data.toString()) as ServerMessage));
}

/** Every stored op, a page at a time (the API returns at most 1,000 per call). */
async function fullHistory(url: string, id: string, headers: Record<string, string>) {
  const ops: { v: number; op: TextOp; src: string; seq: number }[] = [];
  for (;;) {
    const page = (await (
      await fetch(`${url}/api/documents/${id}/history?from=${ops.length}`, { headers })
    ).json()) as { ops: typeof ops; version: number };
    ops.push(...page.ops);
    if (ops.length >= page.version || page.ops.length === 0) return ops;
  }
}

describe("kill -9 during a burst of ops", () => {
  it("keeps every acknowledged op, once", async () => {
    const token = await signToken("alice", SECRET);
    const first = await start();
    const created = await fetch(`${first.url}/api/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "crash", content: "" }),
    });
    const { id } = (await created.json()) as { id: string };

    const acked = new Set<string>();
    const sockets = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const socket = await connectDoc(first.url, id, { token, src: `c${i}` });
        socket.ws.on("error", () => {}); // the kill resets the connection
        return socket;
      }),
    );
    for (const [i, socket] of sockets.entries()) typeUntilClosed(socket, `c${i}`, acked);
    await eventually(
      () => acked.size,
      (count) => count >= ACKS_BEFORE_KILL,
      { what: `${ACKS_BEFORE_KILL} acks`, intervalMs: 2 },
    );
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const ackedAtKill = new Set(acked);

    const second = await start();
    const headers = { authorization: `Bearer ${token}` };
    const doc = (await (await fetch(`${second.url}/api/documents/${id}`, { headers })).json()) as {
      content: string;
      version: number;
    };
    const history = { ops: await fullHistory(second.url, id, headers) };

    const stored = history.ops.map((o) => `${o.src}:${o.seq}`);
    expect(new Set(stored).size).toBe(stored.length); // nothing twice
    for (const key of ackedAtKill) expect(stored).toContain(key);
    expect(history.ops.map((o) => o.v)).toEqual(history.ops.map((_, i) => i)); // no gap
    expect(doc.version).toBe(history.ops.length);
    expect(history.ops.reduce((text, o) => apply(text, o.op), "")).toBe(doc.content);
    for (const key of ackedAtKill)
      expect(doc.content).toContain(`${key.slice("alice/".length).replace(":", ".")};`);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  });
});
