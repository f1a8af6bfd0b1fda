/**
 * The Docs service under test, for parts (2) and (3) of `npm run bench -- docs`: `functions/start.ts`
 * with SERVICES=docs (startDocs from functions/docs/node.ts) in a child process on 127.0.0.1, with a temp
 * DATA_DIR (embedded libSQL file). A child process, so the load generators' CPU is not counted as the
 * server's time on the event loop (they still share the machine's cores).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signToken } from "../functions/shared/auth.ts";
import { freePort } from "../functions/shared/net.ts";
import { type Child, onExit, startChild, waitForHttp } from "./lib/proc.ts";

const TSX = "node_modules/.bin/tsx";
const AUTH_SECRET = "docs-bench-secret";
export const BENCH_USER = "bench-user";

export interface DocsService {
  child: Child;
  url: string;
  /** A bearer token for BENCH_USER. */
  token: string;
  createDocument(title: string, content?: string): Promise<string>;
  readDocument(id: string): Promise<{ version: number; content: string }>;
  stop(): Promise<void>;
}

export async function startDocsService(): Promise<DocsService> {
  const dataDir = mkdtempSync(join(tmpdir(), "canary-docs-bench-"));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SERVICES: "docs",
    HOST: "127.0.0.1",
    DOCS_PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_SECRET,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    // One user sends everything: the per-user and per-connection limits must not be what gets measured.
    RATE_LIMIT_DOCS: "100000000",
    DOCS_OPS_PER_SECOND: "100000",
  };
  // Profiling hook for the service only, as in the tinyurl bench (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean);
  const child = nodeArgs
    ? startChild("docs", process.execPath, [...nodeArgs, "--import", "tsx", "functions/start.ts"], env)
    : startChild("docs", TSX, ["functions/start.ts"], env);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  const token = await signToken(BENCH_USER, AUTH_SECRET);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

  return {
    child,
    url,
    token,
    async createDocument(title, content = "") {
      const res = await fetch(`${url}/api/documents`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title, content }),
      });
      if (res.status !== 201) throw new Error(`POST /api/documents: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async readDocument(id) {
      const res = await fetch(`${url}/api/documents/${id}`, { headers });
      if (!res.ok) throw new Error(`GET /api/documents/${id}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { version: number; content: string };
    },
    stop: () => child.stop(),
  };
}
