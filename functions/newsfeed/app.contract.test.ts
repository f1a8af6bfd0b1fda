/**
 * Newsfeed's contract against the Node server: the real `startNewsfeed` on an ephemeral port with a
 * throwaway embedded libSQL file (its scheduler off: the suite's feeds are fetched once, when added). The
 * seed feeds are served by a fixture server on 127.0.0.1, which FEED_ALLOWLIST opens for this run only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { loadConfig } from "../shared/config.ts";
import { silentLog } from "../shared/testing/log.ts";
import { newsfeedContract } from "./contract.ts";
import { startFixtureServer } from "./feeds/testing/fixture-server.ts";
import { startNewsfeed } from "./node.ts";

const dataDir = mkdtempSync(join(tmpdir(), "canary-newsfeed-contract-"));
const feeds = await startFixtureServer();
const config = loadConfig({
  HOST: "127.0.0.1",
  NEWSFEED_PORT: "0",
  DATA_DIR: dataDir,
  AUTH_SECRET: "newsfeed-contract-secret",
  LOG_LEVEL: "silent",
  FEED_ALLOWLIST: "127.0.0.1",
});
const service = await startNewsfeed(config, silentLog, { scheduler: false });

afterAll(async () => {
  await service.close();
  await feeds.close();
  rmSync(dataDir, { recursive: true, force: true });
});

newsfeedContract((request) => fetch(request), {
  baseUrl: service.url,
  authSecret: config.AUTH_SECRET,
  async serveFeed(name, body, contentType) {
    feeds.route(`/${name}`, (_req, res) => {
      res.writeHead(200, { "content-type": contentType }).end(body);
    });
    return feeds.url(`/${name}`);
  },
});
