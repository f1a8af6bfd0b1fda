/** startDocs for real: a file database under DATA_DIR, a port, and text that survives a restart. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { loadConfig } from "../shared/config.ts";
import { silentLog } from "../shared/testing/log.ts";
import { startDocs } from "./node.ts";

const dir = mkdtempSync(join(tmpdir(), "docs-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("startDocs", () => {
  it("serves the API on DOCS_PORT and keeps documents across a restart", async () => {
    const config = loadConfig({ DATA_DIR: dir, DOCS_PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" });
    const headers = {
      authorization: `Bearer ${await signToken("alice", config.AUTH_SECRET)}`,
      "content-type": "application/json",
    };
    const first = await startDocs(config, silentLog);
    let id: string;
    try {
      const created = await fetch(`${first.url}/api/documents`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title: "Kept", content: "one" }),
      });
      expect(created.status).toBe(201);
      id = ((await created.json()) as { id: string }).id;
      const updated = await fetch(`${first.url}/api/documents/${id}/update`, {
        method: "POST",
        headers,
        body: JSON.stringify({ v: 0, op: [3, " two"] }),
      });
      expect(updated.status).toBe(200);
      expect((await fetch(`${first.url}/metrics`)).status).toBe(200);
    } finally {
      await first.close();
    }
    const second = await startDocs(config, silentLog);
    try {
      const got = await fetch(`${second.url}/api/documents/${id}`, { headers });
      expect(await got.json()).toMatchObject({
        title: "Kept",
        version: 1,
        content: "one two",
        role: "owner",
      });
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
