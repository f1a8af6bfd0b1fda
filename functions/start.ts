/**
 * `npm start` (and the container's `node dist/start.mjs`): runs every service that exists, or those SERVICES
 * or SERVICE name, each on its seed port, with embedded defaults.
 * SIGTERM/SIGINT stop them gracefully (buffered visits are flushed before exit).
 */
import { startDocs } from "./docs/node.ts";
import { startNewsfeed } from "./newsfeed/node.ts";
import { loadConfig } from "./shared/config.ts";
import { createLogger } from "./shared/logger.ts";
import type { RunningService } from "./shared/node-runtime.ts";
import { startTinyUrl } from "./tinyurl/node.ts";

const STARTERS: Record<string, typeof startTinyUrl> = {
  tinyurl: startTinyUrl,
  newsfeed: startNewsfeed,
  docs: startDocs,
};

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger({ service: "canary", level: config.LOG_LEVEL });
  const wanted = config.SERVICES.length > 0 ? config.SERVICES : Object.keys(STARTERS);
  const unknown = wanted.filter((name) => !STARTERS[name]);
  if (unknown.length > 0) {
    throw new Error(
      `Unknown service(s) in SERVICE/SERVICES: ${unknown.join(", ")} (available: ${Object.keys(STARTERS).join(", ")})`,
    );
  }
  if (config.AUTH_SECRET === "canary-dev-secret-change-me") {
    log.warn("AUTH_SECRET is the development default; set it before exposing the services");
  }
  const running: RunningService[] = [];
  for (const name of wanted) running.push(await STARTERS[name]!(config));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    // A request that never finishes must not keep the process (and its rollout) hanging forever.
    setTimeout(() => {
      log.error("graceful stop timed out; exiting", { seconds: config.SHUTDOWN_TIMEOUT_SECONDS });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
    const results = await Promise.allSettled(running.map((s) => s.close()));
    const failures = results.flatMap((r, i) =>
      r.status === "rejected" ? [{ service: running[i]!.name, err: String(r.reason) }] : [],
    );
    for (const failure of failures) log.error("graceful stop failed", failure);
    log.info("stopped", { clean: failures.length === 0 });
    process.exit(failures.length === 0 ? 0 : 1);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  console.error(JSON.stringify({ level: "error", msg: "startup failed", err: String(err?.stack ?? err) }));
  process.exit(1);
});
