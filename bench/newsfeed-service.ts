/**
 * The Newsfeed service under test, as production runs it: the server bundle `npm run build` makes (built
 * here into .canary/bench-dist, next to node_modules), `node start.mjs` with SERVICES=newsfeed in a child
 * process on 127.0.0.1, over a DATA_DIR seeded beforehand (bench/newsfeed-seed.ts). A child process, so the
 * load generator's CPU is not counted as the server's time on the event loop (they still share the cores).
 * `BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=.canary/prof"` profiles the service only;
 * `BENCH_FROM_SOURCE=1` runs functions/start.ts through tsx instead of the bundle.
 */
import { join } from "node:path";
import { freePort } from "../functions/shared/net.ts";
import { buildServer, OUTPUT_ENTRY } from "../scripts/build-server.ts";
import { type Child, startChild, waitForHttp } from "./lib/proc.ts";

const TSX = "node_modules/.bin/tsx";
const BUNDLE_DIR = ".canary/bench-dist";
export const AUTH_SECRET = "newsfeed-bench-secret";

export interface NewsfeedService {
  child: Child;
  url: string;
  stop(): Promise<void>;
}

export async function startNewsfeedService(dataDir: string): Promise<NewsfeedService> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SERVICES: "newsfeed",
    HOST: "127.0.0.1",
    NEWSFEED_PORT: String(port),
    DATA_DIR: dataDir,
    AUTH_SECRET,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    // Every anonymous request comes from one address: the limit must not be what gets measured.
    RATE_LIMIT_NEWSFEED: "1000000000",
  };
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  let child: Child;
  if (process.env.BENCH_FROM_SOURCE) {
    child = nodeArgs.length
      ? startChild("newsfeed", process.execPath, [...nodeArgs, "--import", "tsx", "functions/start.ts"], env)
      : startChild("newsfeed", TSX, ["functions/start.ts"], env);
  } else {
    const { outDir } = await buildServer(BUNDLE_DIR);
    child = startChild("newsfeed", process.execPath, [...nodeArgs, join(outDir, OUTPUT_ENTRY)], env);
  }
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { child, url, stop: () => child.stop() };
}
