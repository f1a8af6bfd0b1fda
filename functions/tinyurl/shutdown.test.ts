/**
 * `npm start` as a real process: visits buffered in memory (the flush timer is set far beyond the test)
 * must reach the database when the process is stopped with SIGTERM, and be there after a restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const VISITS = 200;
const STARTUP_MS = 30_000;

interface Started {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Starts functions/start.ts and resolves with the URL it logs once listening (port 0: no port race). */
function start(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const inherited of ["REDIS_URL", "DATABASE_URL", "DATABASE_AUTH_TOKEN", "PUBLIC_URL"])
    delete env[inherited];
  Object.assign(env, {
    SERVICES: "tinyurl",
    TINYURL_PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    VISIT_FLUSH_MS: "600000",
    VISIT_BATCH_SIZE: "100000",
    LOG_LEVEL: "info",
  });
  const child = spawn(TSX, ["functions/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line within ${STARTUP_MS} ms:\n${output.join("\n")}`)),
      STARTUP_MS,
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "listening" && entry.url) {
          clearTimeout(timer);
          resolvePromise({ child, url: entry.url, output, exited });
        }
      } catch {
        // not a log line
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`start.ts exited (${code ?? signal}) before listening:\n${output.join("\n")}`));
    });
  });
}

async function stop(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.child.kill("SIGTERM");
  return started.exited;
}

afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
});
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
