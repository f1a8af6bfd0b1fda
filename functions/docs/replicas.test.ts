/**
 * Two Node replicas of the Docs service sharing a real Redis (sequencing, fan-out) and one libSQL database:
 * clients connected to different replicas type at the same time, some drop their sockets and reconnect,
 * and everyone ends with the same text, which is exactly the stored history replayed. A role change or a
 * deletion made through one replica closes the sockets on the other.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { seededRandom } from "../shared/seeded-random.ts";
import { eventually } from "../shared/testing/eventually.ts";
import { silentLog } from "../shared/testing/log.ts";
import { skipWithoutRedis, useRedisServer } from "../shared/testing/redis-server.ts";
import { startDocs } from "./node.ts";
import { apply, type TextOp } from "./ot/index.ts";
import { CLOSE } from "./protocol.ts";
import { SyncSocket } from "./testing/sync-socket.ts";
import { connectDoc } from "./testing/ws-client.ts";

const CLIENTS_PER_REPLICA = 3;
const EDITS_PER_CLIENT = 60;
const SECRET = "replica-secret";

/** A random edit of `text`: an insert (sometimes an emoji) or a delete, at a code-point position. */
function randomEdit(text: string, random: () => number, tag: string): TextOp {
  const length = Array.from(text).length;
  const at = Math.floor(random() * (length + 1));
  if (length > 0 && random() < 0.35) {
    const count = 1 + Math.floor(random() * Math.min(3, length - Math.min(at, length - 1)));
    const from = Math.min(at, length - 1);
    return from === 0 ? [{ d: count }] : [from, { d: count }];
  }
  const insert = random() < 0.2 ? "😀" : tag;
  return at === 0 ? [insert] : [at, insert];
}

describe.skipIf(skipWithoutRedis("docs replicas"))("two Docs replicas sharing Redis", () => {
  const redis = useRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "docs-replicas-"));
  const replicas: RunningService[] = [];
  let token: string;
  let bobToken: string;

  beforeAll(async () => {
    const config = loadConfig({
      REDIS_URL: redis.url,
      DATABASE_URL: `file:${join(dir, "docs.db")}`,
      DOCS_PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      AUTH_SECRET: SECRET,
      DOCS_OPS_PER_SECOND: "10000",
    });
    replicas.push(await startDocs(config, silentLog), await startDocs(config, silentLog));
    token = await signToken("alice", SECRET);
    bobToken = await signToken("bob", SECRET);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("converges when clients on different replicas type concurrently and reconnect", async () => {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${replicas[0]!.url}/api/documents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "shared", content: "start" }),
    });
    const { id } = (await created.json()) as { id: string };
    const clients = await Promise.all(
      Array.from({ length: 2 * CLIENTS_PER_REPLICA }, (_, i) =>
        SyncSocket.open(replicas[i % 2]!.url, id, token, `client-${i}`),
      ),
    );

    await Promise.all(
      clients.map(async (client, i) => {
        const random = seededRandom(1000 + i);
        for (let n = 0; n < EDITS_PER_CLIENT; n++) {
          client.edit(randomEdit(client.text, random, String.fromCharCode(97 + i)));
          if (random() < 0.05) {
            client.drop(); // keeps typing offline, then comes back with the same src
          } else if (client.sync.status.connection === "offline") {
            await client.reconnect();
          }
          await new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
        }
        if (client.sync.status.connection === "offline") await client.reconnect();
      }),
    );

    const converged = await eventually(
      () => clients.map((c) => (c.settled ? c.text : null)),
      (texts) => texts.every((t) => t !== null && t === texts[0]),
      { what: "every client in step with the same text", timeoutMs: 20_000 },
    );
    const reads = await Promise.all(
      replicas.map(
        async (r) =>
          (await (await fetch(`${r.url}/api/documents/${id}`, { headers })).json()) as {
            content: string;
            version: number;
          },
      ),
    );
    expect(reads[0]).toEqual(reads[1]);
    expect(reads[0]!.content).toBe(converged[0]);

    const history = (await (
      await fetch(`${replicas[1]!.url}/api/documents/${id}/history?from=0`, { headers })
    ).json()) as { ops: { v: number; op: TextOp; src: string; seq: number }[] };
    const keys = history.ops.map((o) => `${o.src}:${o.seq}`);
    expect(new Set(keys).size).toBe(keys.length); // no op applied twice
    expect(history.ops.map((o) => o.v)).toEqual(history.ops.map((_, i) => i));
    expect(history.ops.reduce((text, o) => apply(text, o.op), "start")).toBe(reads[0]!.content);
    // Both replicas sequenced ops of their own clients.
    expect(new Set(history.ops.map((o) => Number(o.src.split("-")[1]) % 2))).toEqual(new Set([0, 1]));
    for (const client of clients) {
      expect(client.problems).toEqual([]);
      client.close();
    }
  });

  it("closes a socket on one replica when its user's role changes or the document is deleted through the other", async () => {
    const [a, b] = [replicas[0]!.url, replicas[1]!.url];
    const asAlice = (method: string, path: string, body?: unknown) =>
      fetch(`${a}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const { id } = (await (await asAlice("POST", "/api/documents", { title: "t", content: "x" })).json()) as {
      id: string;
    };
    expect(
      (await asAlice("POST", `/api/documents/${id}/share`, { user: "bob", role: "editor" })).status,
    ).toBe(200);
    const editing = await connectDoc(b, id, { token: bobToken, src: "bob-tab" });
    expect(await editing.next("init")).toMatchObject({ role: "editor" });
    editing.send({ type: "op", v: 0, op: ["!"], seq: 0 });
    await editing.next("ack");

    await asAlice("POST", `/api/documents/${id}/share`, { user: "bob", role: "viewer" });
    expect(await editing.closed).toBe(CLOSE.roleChanged);
    const viewing = await connectDoc(b, id, { token: bobToken, src: "bob-tab", v: 1 });
    expect(await viewing.next("init")).toMatchObject({ role: "viewer", v: 1 });
    viewing.send({ type: "op", v: 1, op: ["?"], seq: 1 });
    expect(await viewing.next("error")).toMatchObject({ code: "forbidden", seq: 1 });

    expect((await asAlice("DELETE", `/api/documents/${id}`)).status).toBe(204);
    expect(await viewing.closed).toBe(CLOSE.deleted);
  });
});
