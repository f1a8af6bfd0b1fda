/**
 * `functions/start.ts` as a real process for tests that stop it (SIGTERM) or crash it (SIGKILL). It runs
 * as `node --import tsx`, one process, so a signal reaches the server itself and not a wrapper. A built
 * entry point (`dist/start.mjs`) runs as plain `node`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(import.meta.dirname, "../../..");
const STARTUP_MS = 30_000;

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout and stderr line so far. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

export interface ServiceProcessOptions {
  /** Script to run (default functions/start.ts); `.ts` runs through tsx, anything else as plain node. */
  entry?: string;
  /** Working directory (default the repository root). */
  cwd?: string;
}

/** Kills every process started here that is still running (call it in afterEach/afterAll). */
export function killServiceProcesses(): void {
  for (const child of running) child.kill("SIGKILL");
}

/**
 * Starts the platform with `env` layered over a clean environment (no inherited REDIS_URL, DATABASE_URL…)
 * and resolves with the URL it logs once listening. Use port 0 in `env`: no port race.
 */
export function startServiceProcess(
  env: Record<string, string>,
  { entry = join(ROOT, "functions/start.ts"), cwd = ROOT }: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  if (env.LOG_LEVEL && !["info", "debug"].includes(env.LOG_LEVEL)) {
    throw new Error(`LOG_LEVEL must be info or debug: the "listening" line is how the test finds the URL`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const inherited of [
    "REDIS_URL",
    "DATABASE_URL",
    "DATABASE_AUTH_TOKEN",
    "PUBLIC_URL",
    "SERVICES",
    "SERVICE",
  ])
    delete childEnv[inherited];
  Object.assign(childEnv, { HOST: "127.0.0.1", LOG_LEVEL: "info" }, env);
  const args = entry.endsWith(".ts") ? ["--import", "tsx", entry] : [entry];
  const child = spawn(process.execPath, args, {
    cwd,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output: string[] = [];
  // "close", not "exit": by then stdout and stderr are drained, so `output` holds the last lines too.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("close", (code, signal) => {
      running.delete(child);
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
      reject(new Error(`${entry} exited (${code ?? signal}) before listening:\n${output.join("\n")}`));
    });
  });
}
