/**
 * Docs' contract against the Node server: the real `startDocs` on an ephemeral port with a throwaway
 * embedded libSQL file, documents sequenced in this process, sockets through the `ws` package.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { WebSocket } from "ws";
import { loadConfig } from "../shared/config.ts";
import { silentLog } from "../shared/testing/log.ts";
import { docsContract, type SocketOpener } from "./contract.ts";
import { startDocs } from "./node.ts";

const dataDir = mkdtempSync(join(tmpdir(), "canary-docs-contract-"));
const config = loadConfig({
  HOST: "127.0.0.1",
  DOCS_PORT: "0",
  DATA_DIR: dataDir,
  AUTH_SECRET: "docs-contract-secret",
  LOG_LEVEL: "silent",
});
const service = await startDocs(config, silentLog);

afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A `ws` client; a refused handshake resolves with the HTTP status and body the server answered. */
const openSocket: SocketOpener = (url, { headers, protocols }, events) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), protocols, { headers });
    ws.on("message", (data) => events.message(data.toString()));
    ws.on("close", (code, reason) => events.close(code, reason.toString()));
    ws.once("open", () =>
      resolve({
        accepted: true,
        protocol: ws.protocol || null,
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
      }),
    );
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => resolve({ accepted: false, status: response.statusCode ?? 0, body }));
    });
    ws.once("error", reject);
  });

docsContract((request) => fetch(request), {
  baseUrl: service.url,
  authSecret: config.AUTH_SECRET,
  opsPerSecond: config.DOCS_OPS_PER_SECOND,
  openSocket,
});
