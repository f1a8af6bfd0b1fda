/**
 * Helper processes this process started (a test's redis-server, the engine's Prometheus): stopped with
 * SIGTERM, then SIGKILL if they do not exit in time, and killed when this process exits if a caller forgot
 * (or crashed before) stopping them.
 */
import type { ChildProcess } from "node:child_process";

const STOP_TIMEOUT_MS = 5_000;
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Remembers a child so it cannot outlive this process. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
}

export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    if (!(await waitForExit(child, timeoutMs))) {
      child.kill("SIGKILL");
      await waitForExit(child, timeoutMs);
    }
  }
  live.delete(child);
}
