/**
 * A throwaway `redis-server` for tests: 127.0.0.1, a free port, a temp dir, no persistence.
 *
 * Pattern for a suite:
 *
 *   describe.skipIf(skipWithoutRedis("redis cache"))("redis cache", () => {
 *     const redis = useRedisServer(); // starts in beforeAll, stops in afterAll
 *     it("…", async () => { const client = new Redis(redis.url); … });
 *   });
 *
 * Without the binary the suite is skipped with a loud warning, except under `CI=true`, where it runs and
 * fails with a message saying what to install (CI must not go green by skipping).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { findBinary, skipWhenMissing } from "../binaries.ts";
import { stopChild, trackChild } from "../child-process.ts";
import { freePort } from "../net.ts";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** `REDIS_SERVER` if set, else `redis-server` on PATH or in the usual Debian location. */
export const findRedisServer = () => findBinary("REDIS_SERVER", "redis-server");

const MISSING = "redis-server not found (install it: apt-get install -y redis-server, or set REDIS_SERVER)";

/** True when a suite should be skipped (no binary, not in CI); see functions/shared/binaries.ts. */
export const skipWithoutRedis = (suite: string): boolean =>
  skipWhenMissing(suite, findRedisServer() ? [] : [MISSING]);

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

async function startOnce(binary: string, dir: string): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    binary,
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  trackChild(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk.toString();
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  let failure: Error | undefined;
  void spawnError.then((err) => {
    failure = err;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (failure) break;
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await ping(port)) {
      return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await stopChild(child);
  const why = failure ? failure.message : `exit ${child.exitCode ?? child.signalCode ?? "none (no PONG)"}`;
  throw new Error(`redis-server did not start on port ${port} (${why}):\n${output.slice(-2000)}`);
}

/** Starts a server and resolves once it answers PING. Retries on a port race. */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error(`${MISSING}${process.env.CI === "true" ? " — required under CI=true" : ""}`);
  const dir = mkdtempSync(join(tmpdir(), "canary-redis-"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const server = await startOnce(binary, dir);
      return {
        ...server,
        async stop() {
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** Registers beforeAll/afterAll in the current suite; read `url` inside tests or later hooks. */
export function useRedisServer(): { readonly url: string } {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get url() {
      if (!server)
        throw new Error("redis-server is not running (useRedisServer's beforeAll failed or has not run)");
      return server.url;
    },
  };
}
