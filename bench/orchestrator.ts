/**
 * `npm run bench -- orchestrator [files…] [--runs N]`: PRD parsing and task queries, in process.
 *   (a) baseline — unified + remark-parse + remark-gfm alone on a generated PRD of 10,000 checklist items:
 *                  the floor for any parser built on the mdast, as the design asks
 *   (b) parse    — parsePrds on the same text (tree + forms + ids + dependencies + cycle check); below
 *                  1.0x is expected: parsePrds parses long texts in pieces, which micromark handles faster
 *                  than one piece with thousands of blocks (orchestrator/prd/chunks.ts)
 *   (c) files    — parsePrds on the project's PRDs (PRD.md and docs/*.md that exist), or on the files
 *                  given as arguments or in BENCH_PRD_FILES (comma/space separated); missing ones are noted
 *   (d) queries  — `next` and `list --ready` (nextTask, readyTasks) over 10,000 parsed tasks
 * Times are medians of --runs runs (default 5, env BENCH_RUNS) after one warm-up run. Informational.
 */
import { existsSync, readdirSync } from "node:fs";
import { cpus } from "node:os";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { PrdError, type PrdInput, parsePrds, readPrdFiles } from "../orchestrator/prd/index.ts";
import type { Task } from "../orchestrator/tasks/model.ts";
import { nextTask, readyTasks } from "../orchestrator/tasks/queries.ts";
import { UsageError } from "./lib/args.ts";

const ITEMS = 10_000;
const QUERY_TASKS = 10_000;
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number) => Math.round(n * 100) / 100;

interface Options {
  runs: number;
  files: string[];
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): Options {
  let runs = env.BENCH_RUNS ?? "5";
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--runs") runs = args[++i] ?? "";
    else if (arg.startsWith("--runs=")) runs = arg.slice("--runs=".length);
    else if (arg.startsWith("-"))
      throw new UsageError(`Unknown option: ${arg} (accepted: --runs N, file paths)`);
    else files.push(arg);
  }
  const count = Number(runs);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--runs: expected a whole number >= 1, got "${runs}"`);
  if (files.length === 0 && env.BENCH_PRD_FILES)
    files.push(...env.BENCH_PRD_FILES.split(/[\s,]+/).filter(Boolean));
  if (files.length === 0) {
    files.push("PRD.md");
    if (existsSync("docs")) {
      const guides = readdirSync("docs").filter((name) => name.endsWith(".md"));
      files.push(...guides.sort().map((name) => `docs/${name}`));
    }
  }
  return { runs: count, files };
}

/** Median wall time in ms of `fn` over `runs` runs, after one warm-up run. */
function median(runs: number, fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/** 10 phases × 10 sections × 100 items; every 10th item has a command, every 4th is done. */
export function generatedPrd(items = ITEMS): string {
  const lines = ["# Generated PRD", "", "Synthetic load for the parser benchmark.", ""];
  const perSection = 100;
  const sectionsPerPhase = 10;
  for (let i = 0; i < items; i++) {
    const section = Math.floor(i / perSection);
    if (i % (perSection * sectionsPerPhase) === 0) {
      const phase = section / sectionsPerPhase + 1;
      lines.push(`## Phase ${phase}: Stage ${phase} (Priority: ${phase % 2 === 0 ? "High" : "Medium"})`, "");
    }
    if (i % perSection === 0)
      lines.push(`### Section ${section + 1}`, "", `Work for section ${section + 1}.`, "");
    const check = i % 4 === 0 ? "x" : " ";
    const command = i % 10 === 0 ? ` \`npm run step -- ${i}\`` : "";
    // Item 51 of each section waits for the previous section's item 100 (a cross-task subtask reference).
    const after = i % perSection === 50 && section > 0 ? ` (after: ${section}.100)` : "";
    lines.push(`- [${check}] Step ${i + 1} of the plan${command}${after}`);
    if (i % perSection === perSection - 1) lines.push("");
  }
  return lines.join("\n");
}

/** 1,000 phases × 10 tasks of 2 items: phase defaults give ~100 edges per phase boundary. */
function queryTasks(count = QUERY_TASKS): Task[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 0) lines.push(`## Phase ${i / 10 + 1}: P${i / 10 + 1}`, "");
    const done = i < count * 0.3 ? "x" : " ";
    lines.push(`### Task ${i + 1}`, "", `- [${done}] first`, `- [${done}] second`, "");
  }
  const { tasks } = parsePrds([{ file: "queries.md", text: lines.join("\n") }]);
  // A few started tasks, so `next` takes its "subtasks of in-progress tasks first" path.
  for (const task of tasks.slice(count * 0.3, count * 0.3 + 5)) task.status = "in-progress";
  return tasks;
}

async function readExisting(files: string[]): Promise<PrdInput[]> {
  const present = files.filter((file) => {
    if (!existsSync(file)) log(`note: ${file} does not exist; skipped`);
    return existsSync(file);
  });
  return readPrdFiles(present);
}

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args, process.env);
  const { runs } = options;
  const cpu = cpus();
  console.log(
    `Orchestrator benchmark — node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? "unknown cpu"}`,
  );
  console.log(`median of ${runs} runs after one warm-up, in process\n`);

  const text = generatedPrd();
  const remark = unified().use(remarkParse).use(remarkGfm);
  const baselineMs = median(runs, () => remark.parse(text));
  const generated = parsePrds([{ file: "generated.md", text }]);
  const subtasks = generated.tasks.reduce((n, task) => n + task.subtasks.length, 0);
  const parseMs = median(runs, () => parsePrds([{ file: "generated.md", text }]));
  console.log(`(a) remark alone, ${ITEMS} items:       ${baselineMs.toFixed(1)} ms`);
  console.log(
    `(b) parsePrds, ${ITEMS} items:          ${parseMs.toFixed(1)} ms  (${(parseMs / baselineMs).toFixed(2)}x remark; ` +
      `${generated.tasks.length} tasks, ${subtasks} subtasks)`,
  );

  const inputs = await readExisting(options.files);
  const files: { file: string; ms: number; tasks: number; subtasks: number; error?: string }[] = [];
  for (const input of inputs) {
    try {
      const { tasks } = parsePrds([input]);
      const ms = median(runs, () => parsePrds([input]));
      files.push({
        file: input.file,
        ms: round(ms),
        tasks: tasks.length,
        subtasks: tasks.reduce((n, t) => n + t.subtasks.length, 0),
      });
      console.log(`(c) ${input.file}: ${ms.toFixed(2)} ms (${tasks.length} tasks)`);
    } catch (error) {
      if (!(error instanceof PrdError)) throw error;
      files.push({ file: input.file, ms: 0, tasks: 0, subtasks: 0, error: error.message });
      console.log(`(c) ${input.file}: does not parse:\n${error.message}`);
    }
  }
  let allFilesMs: number | null = null;
  if (inputs.length > 0 && files.every((f) => !f.error)) {
    allFilesMs = median(runs, () => parsePrds(inputs));
    console.log(`(c) all ${inputs.length} files together: ${allFilesMs.toFixed(2)} ms`);
  }

  const tasks = queryTasks();
  const nextMs = median(runs, () => nextTask(tasks));
  const ready = readyTasks(tasks).length;
  const readyMs = median(runs, () => readyTasks(tasks));
  const next = nextTask(tasks);
  const nextId = next ? `${next.task.id}${next.subtask ? `.${next.subtask.id}` : ""}` : "none";
  console.log(`(d) next over ${tasks.length} tasks:         ${nextMs.toFixed(2)} ms (picks ${nextId})`);
  console.log(`(d) list --ready over ${tasks.length} tasks: ${readyMs.toFixed(2)} ms (${ready} ready)`);

  const json = {
    bench: "orchestrator",
    date: new Date().toISOString(),
    node: process.version,
    cpus: { count: cpu.length, model: cpu[0]?.model ?? "unknown" },
    runs,
    generated: {
      items: ITEMS,
      tasks: generated.tasks.length,
      subtasks,
      baselineMs: round(baselineMs),
      parseMs: round(parseMs),
    },
    files,
    allFilesMs: allFilesMs === null ? null : round(allFilesMs),
    queries: { tasks: tasks.length, nextMs: round(nextMs), readyMs: round(readyMs), ready, next: nextId },
    ratios: { parseVsRemark: round(parseMs / baselineMs) },
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  return files.some((f) => f.error) ? 1 : 0;
}
