/**
 * One replica's process: functions/start.ts for one service on one port, its output appended to a log file.
 * Every process started here is killed if the engine exits without stopping it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../../..");

/** The variable that sets each service's port (functions/shared/config.ts). */
export const SERVICE_PORT_VARIABLES: Readonly<Record<string, string>> = {
  tinyurl: "TINYURL_PORT",
  newsfeed: "NEWSFEED_PORT",
  docs: "DOCS_PORT",
};

export interface ReplicaProcessOptions {
  service: string;
  version: string;
  port: number;
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
  entry?: string;
  cwd?: string;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Starts the replica. The user's env goes over the inherited environment and the defaults, under the
 * variables that make it this replica (SERVICE, its port, HOST, APP_VERSION).
 */
export function spawnReplica(options: ReplicaProcessOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SERVICES; // would disagree with SERVICE
  // Replicas are reached through the proxy, as pods through the ingress: the client is in X-Forwarded-For.
  const defaults = { DATA_DIR: options.dataDir, LOG_LEVEL: "warn", TRUST_PROXY: "true" };
  Object.assign(env, defaults, options.env, {
    SERVICE: options.service,
    [SERVICE_PORT_VARIABLES[options.service]!]: String(options.port),
    HOST: "127.0.0.1",
    APP_VERSION: options.version,
  });
  const entry = options.entry ?? join(ROOT, "functions/start.ts");
  // One process, not a tsx wrapper: SIGTERM reaches the server itself.
  const args = entry.endsWith(".ts") ? ["--import", "tsx", entry] : [entry];
  const log = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env, stdio: ["ignore", log, log] });
  } finally {
    closeSync(log); // the child has its own copy
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
  child.once("error", () => live.delete(child));
  return child;
}

/** The end of a log file, for failure messages. */
export function logTail(file: string, chars = 2000): string {
  try {
    return readFileSync(file, "utf8").slice(-chars);
  } catch {
    return "";
  }
}
