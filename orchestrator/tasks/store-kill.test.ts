/**
 * "A process killed mid-write never corrupts the file": a child rewrites a ~4 MB tasks file through the
 * store in a loop and is SIGKILLed at random moments. After each kill the file must parse and be one
 * whole generation: the last one the child reported, or the one it renamed into place just before dying.
 * The next child must also get past the lock the killed one left behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { task } from "./testing/build.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const writeLoop = fileURLToPath(new URL("./testing/write-loop.ts", import.meta.url));

let dir: string;
let child: ChildProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "canary-kill-"));
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts the writer and resolves when it is about to write for the `writes`-th time (its content is
 * serialized next, then written to a temp file and renamed): the moment a kill is most dangerous.
 */
function startWriter(
  file: string,
  writes: number,
): Promise<{ process: ChildProcess; lastWritten: () => number }> {
  const writer = spawn(process.execPath, ["--import", "tsx", writeLoop, file, "2000"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = writer;
  let lastWritten = -1;
  let writing = 0;
  let stderr = "";
  writer.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    writer.stdout!.setEncoding("utf8");
    writer.stdout!.on("data", (chunk: string) => {
      for (const [, event, generation] of chunk.matchAll(/(writing|wrote) (\d+)/g)) {
        if (event === "wrote") lastWritten = Number(generation);
        else if (++writing === writes) resolve({ process: writer, lastWritten: () => lastWritten });
      }
    });
    writer.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`writer exited early (${code}): ${stderr}`));
    });
  });
}

function killed(writer: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    writer.once("close", () => resolve()); // after stdout is drained, so every `wrote` line was seen
    writer.kill("SIGKILL");
  });
}

const ROUNDS = 10;

it("leaves a whole old or whole new file whenever the writer is killed", { timeout: 120_000 }, async () => {
  const file = join(dir, "tasks.json");
  const tasks = Array.from({ length: 4000 }, (_, i) => task(i + 1, { details: "generation 0" }));
  await writeFile(file, JSON.stringify({ master: { tasks, metadata: { generation: 0 } } }));

  let previous = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { process: writer, lastWritten } = await startWriter(file, 1 + Math.floor(Math.random() * 2));
    // A random moment of the write: serializing, writing the temp file, renaming, unlocking, re-reading.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    await killed(writer);
    // The first rounds show a later writer taking over the abandoned lock (after it goes stale); then the
    // test clears it, as an operator would, to keep the run short.
    if (round >= 2) await rm(`${file}.lock`, { recursive: true, force: true });

    const text = await readFile(file, "utf8");
    const parsed = JSON.parse(text); // throws on a torn file
    const generation = parsed.master.metadata.generation as number;
    const known = Math.max(previous, lastWritten());
    expect([known, known + 1]).toContain(generation);
    expect(parsed.master.tasks).toHaveLength(4000);
    const stamps = new Set(parsed.master.tasks.map((t: { details: string }) => t.details.split(" ", 2)[1]));
    expect([...stamps]).toEqual([String(generation)]);
    previous = generation;
  }
});
