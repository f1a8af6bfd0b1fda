/**
 * `functions/start.ts` as a real process for tests that stop it (SIGTERM) or crash it (SIGKILL). It runs
 * as `node --import tsx`, one process, so a signal reaches the server itself and not a wrapper.
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

/** Kills every process started here that is still running (call it in afterEach/afterAll). */
export function killServiceProcesses(): void {
  for (const child of running) child.kill("SIGKILL");
}

/**
 * Starts the platform with `env` layered over a clean environment (no inherited REDIS_URL, DATABASE_URL…)
 * and resolves with the URL it logs once listening. Use port 0 in `env`: no port race.
 */
export function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  if (env.LOG_LEVEL && !["info", "debug"].includes(env.LOG_LEVEL)) {
    throw new Error(`LOG_LEVEL must be info or debug: the "listening" line is how the test finds the URL`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const inherited of ["REDIS_URL", "DATABASE_URL", "DATABASE_AUTH_TOKEN", "PUBLIC_URL", "SERVICES"])
    delete childEnv[inherited];
  Object.assign(childEnv, { HOST: "127.0.0.1", LOG_LEVEL: "info" }, env);
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "functions/start.ts")], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => {
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
      reject(new Error(`start.ts exited (${code ?? signal}) before listening:\n${output.join("\n")}`));
    });
  });
}
