/**
 * The HTTP contract against TinyURL on Node: the real server (`startTinyUrl`) on an ephemeral port with
 * a throwaway embedded libSQL file, the in-process cache and rate limiter, buffered visits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { loadConfig } from "../shared/config.ts";
import { tinyUrlContract } from "./contract.ts";
import { startTinyUrl } from "./node.ts";

const API_LIMIT = 30;
const dataDir = mkdtempSync(join(tmpdir(), "canary-tinyurl-contract-"));
const config = loadConfig({
  HOST: "127.0.0.1",
  TINYURL_PORT: "0",
  DATA_DIR: dataDir,
  AUTH_SECRET: "contract-test-secret",
  LOG_LEVEL: "silent",
  RATE_LIMIT_API: String(API_LIMIT),
  // The suite acts as many clients through X-Forwarded-For, as a trusted proxy in front would.
  TRUST_PROXY: "true",
  // Short, so polled analytics see visits quickly.
  VISIT_FLUSH_MS: "20",
});
const service = await startTinyUrl(config);

afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

tinyUrlContract((request) => fetch(request), {
  baseUrl: service.url,
  authSecret: config.AUTH_SECRET,
  apiLimit: API_LIMIT,
  clientIpHeader: "x-forwarded-for",
});
