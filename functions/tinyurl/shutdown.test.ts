/**
 * `npm start` as a real process: visits buffered in memory (the flush timer is set far beyond the test)
 * must reach the database when the process is stopped with SIGTERM, and be there after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  killServiceProcesses,
  type ServiceProcess,
  startServiceProcess,
} from "../shared/testing/service-process.ts";

const VISITS = 200;
const dirs: string[] = [];

/** TinyURL alone, with visits held in memory far longer than the test. */
const start = (dataDir: string) =>
  startServiceProcess({
    SERVICES: "tinyurl",
    TINYURL_PORT: "0",
    DATA_DIR: dataDir,
    VISIT_FLUSH_MS: "600000",
    VISIT_BATCH_SIZE: "100000",
  });

async function stop(
  started: ServiceProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.child.kill("SIGTERM");
  return started.exited;
}

afterEach(killServiceProcesses);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("SIGTERM", () => {
  it("flushes buffered visits before exiting 0, and they survive a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "canary-shutdown-"));
    dirs.push(dataDir);

    const first = await start(dataDir);
    const created = await fetch(`${first.url}/shorten`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/flushed" }),
    });
    expect(created.status).toBe(201);
    const { code } = (await created.json()) as { code: string };

    for (let i = 0; i < VISITS; i++) {
      const res = await fetch(`${first.url}/${code}`, { redirect: "manual" });
      expect(res.status).toBe(302);
      await res.body?.cancel();
    }
    // Nothing has been written yet: the visits are only in the process's buffer.
    const before = (await (await fetch(`${first.url}/api/analytics/${code}`)).json()) as { total: number };
    expect(before.total).toBe(0);

    const exit = await stop(first);
    expect(exit, first.output.join("\n")).toEqual({ code: 0, signal: null });
    expect(first.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);

    const second = await start(dataDir);
    const after = (await (await fetch(`${second.url}/api/analytics/${code}`)).json()) as {
      total: number;
      humans: number;
    };
    expect(after.total).toBe(VISITS);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
  });
});
