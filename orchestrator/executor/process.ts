/**
 * One attempt of a step: `/bin/sh -c <command>` in its own process group, so a timeout or an interrupt can
 * stop everything the command started (pipelines, `npm` → `node`, …), not just the shell.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the process group after this long; no limit when absent or 0. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL, for commands that clean up on SIGTERM. */
  killGraceMs?: number;
  signal?: AbortSignal;
  /** How much of the combined stdout+stderr to keep (the end of it). */
  tailBytes?: number;
}

export interface ShellResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last `tailBytes` of stdout and stderr, interleaved as they arrived. */
  output: string;
  durationMs: number;
}

/** Keeps only the end of a stream: a chatty command must not grow the runner's memory. */
class OutputTail {
  private buffer = Buffer.alloc(0);
  constructor(private readonly maxBytes: number) {}
  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.buffer, chunk]);
    this.buffer = joined.length > this.maxBytes ? joined.subarray(joined.length - this.maxBytes) : joined;
  }
  text(): string {
    return this.buffer.toString("utf8");
  }
}

export function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  const started = performance.now();
  const tail = new OutputTail(options.tailBytes ?? 16 * 1024);
  return new Promise((resolvePromise) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env,
      detached: true, // a new process group, whose id is the shell's pid
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      killGroup("SIGTERM");
      timers.push(setTimeout(() => killGroup("SIGKILL"), options.killGraceMs ?? 2000));
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extra = "") => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Background processes the command left behind may hold the pipes open; stop reading them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolvePromise({
        exitCode,
        signal,
        timedOut,
        aborted,
        output: tail.text() + extra,
        durationMs: performance.now() - started,
      });
    };

    child.stdout?.on("data", (chunk: Buffer) => tail.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => tail.push(chunk));
    child.on("error", (error) => finish(null, null, `${error.message}\n`));
    // "exit" rather than "close": let buffered output arrive, but do not wait for lingering descendants.
    child.on("exit", (code, signal) => setTimeout(() => finish(code, signal), 20));

    if (options.timeoutMs) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs),
      );
    }
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Shell words that are not programs on PATH; a segment starting with one is not checked. */
const SHELL_BUILTINS = new Set(
  (
    ": . [ [[ alias break case cd command continue done echo esac eval exec exit export false fi for " +
    "function getopts hash in local printf pwd read readonly return set shift source test times trap " +
    "true type ulimit umask unalias unset wait"
  ).split(" "),
);
/** Keywords that come before the command of their segment (`if kubectl get …; then …`). */
const LEADING_KEYWORDS = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"]);

/**
 * The program each simple command of a shell line starts with, as far as a light scan can tell: split on
 * `&&`, `||`, `;`, `|`, `&`, newlines and parentheses outside quotes, skip `NAME=value` prefixes,
 * redirections and leading keywords. Words with quotes or expansions are left to the shell.
 */
export function commandPrograms(command: string): string[] {
  // `case` patterns and here-documents do not split like commands; check only the first segment there.
  const complex = /\bcase\b|<</.test(command);
  const segments: string[] = [];
  let current = "";
  let quote: string | undefined;
  let substitution = 0; // depth inside `$(…)` / `$((…))`, whose contents stay in the word
  let subshell = 0;
  for (let i = 0; i < command.length; i++) {
    // Blanks inside quotes or substitutions do not separate words: mark them so the split below keeps them.
    const c = (quote || substitution > 0) && /\s/.test(command[i]!) ? "\0" : command[i]!;
    if (substitution > 0 && !quote && (c === "(" || c === ")")) {
      substitution += c === "(" ? 1 : -1;
      current += c;
    } else if (c === "$" && command[i + 1] === "(" && !(quote === "'")) {
      substitution++;
      current += command[++i] === "(" ? "$(" : "$";
    } else if (quote) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === "'" || c === '"' || c === "`") {
      quote = c;
      current += c;
    } else if (c === "\\") {
      current += c + (command[++i] ?? "");
    } else if (substitution > 0) {
      current += c;
    } else if ((c === "&" || c === "|") && (/[<>]$/.test(current) || command[i + 1] === ">")) {
      current += c; // a redirection (`2>&1`, `&>`, `>|`), not a separator
    } else if (";&|\n".includes(c) || (c === "(" && current.trim() === "") || (c === ")" && subshell > 0)) {
      // `(` opens a subshell only where a command starts; elsewhere it is just text in a word.
      if (c === "(") subshell++;
      if (c === ")") subshell--;
      segments.push(current);
      current = "";
    } else current += c;
  }
  segments.push(current);

  const programs: string[] = [];
  for (const segment of complex ? segments.slice(0, 1) : segments) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (
      i < words.length &&
      (LEADING_KEYWORDS.has(words[i]!) || /^([A-Za-z_]\w*=|\d*[<>])/.test(words[i]!))
    )
      i++;
    const word = words[i];
    if (!word || SHELL_BUILTINS.has(word) || /[$`'"*?~{}<>]/.test(word)) continue;
    if (!programs.includes(word)) programs.push(word);
  }
  return programs;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first program of `command` that is neither on PATH nor an executable path, if any. */
export function findMissingProgram(
  command: string,
  cwd: string,
  path: string | undefined,
): string | undefined {
  const dirs = (path ?? "").split(delimiter).filter(Boolean);
  for (const program of commandPrograms(command)) {
    const found = program.includes("/")
      ? isExecutable(isAbsolute(program) ? program : resolve(cwd, program))
      : dirs.some((dir) => isExecutable(join(dir, program)));
    if (!found) return program;
  }
  return undefined;
}

/** The program the shell could not find, from an exit 127 ("sh: 1: foo: not found", "foo: command not found"). */
export function programNotFound(exitCode: number | null, output: string): string | undefined {
  if (exitCode !== 127) return undefined;
  const matches = [...output.matchAll(/([^\s:]+): (?:command )?not found\s*$/gm)];
  return matches.at(-1)?.[1];
}
