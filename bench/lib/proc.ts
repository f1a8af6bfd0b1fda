/**
 * Child processes for benchmarks: each runs in its own process group (tsx starts a second node process,
 * so signalling only the pid would orphan the real server), and every one still alive is killed when the
 * benchmark exits for any reason — normal end, error, or Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves with the next stdout line that `match` accepts; rejects if the child exits first. */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
const exitHooks: (() => void)[] = [];

const running = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

function signalGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  if (!p.pid || !running(p)) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    // Already gone.
  }
}

let installed = false;
function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on("exit", () => {
    for (const p of live) signalGroup(p, "SIGKILL");
    for (const hook of exitHooks) hook();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping child processes\n`);
      process.exit(130); // the exit hook above kills them
    });
  }
}

/** Runs `hook` synchronously when the process exits (e.g. removing a temp dir). */
export function onExit(hook: () => void): void {
  installCleanup();
  exitHooks.push(hook);
}

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  installCleanup();
  const proc = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.on("exit", (code) => {
      live.delete(proc);
      resolve(code);
    });
  });

  const line = (match: (line: string) => boolean, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      let buffered = "";
      const timer = setTimeout(
        () => done(new Error(`${name}: no matching output within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        const hit = lines.find(match);
        if (hit !== undefined) done(undefined, hit);
      };
      const onExitEarly = () => done(new Error(`${name} exited early:\n${tail}`));
      const done = (err?: Error, value?: string) => {
        clearTimeout(timer);
        proc.stdout?.off("data", onData);
        proc.off("exit", onExitEarly);
        if (err) reject(err);
        else resolve(value!);
      };
      proc.stdout?.on("data", onData);
      proc.once("exit", onExitEarly);
    });

  const stop = async (graceMs = 5000) => {
    if (!running(proc)) return;
    signalGroup(proc, "SIGTERM");
    const timer = setTimeout(() => signalGroup(proc, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return { name, proc, output: () => tail, line, stop, exited };
}

/** Polls `url` until it answers 2xx; fails fast if `child` dies meanwhile. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before answering ${url}:\n${child.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.output()}`);
}

/**
 * CPU seconds (user + system) used so far by every process in the child's group, from /proc: a cost per
 * request that stays meaningful when other jobs share the machine and skew req/s. Undefined off Linux.
 */
export function groupCpuSeconds(child: Child): number | undefined {
  const group = child.proc.pid;
  if (!group || process.platform !== "linux") return undefined;
  const ticksPerSecond = 100; // USER_HZ is 100 on every mainstream Linux build
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command: state ppid pgrp ... utime(12) stime(13).
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we were reading.
    }
  }
  return ticks / ticksPerSecond;
}
