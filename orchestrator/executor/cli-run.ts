/**
 * `canary run`: select tasks, resolve their commands and variables, then either print the plan
 * (`--dry-run`) or execute it with a JSONL log, live progress and a recap.
 *
 * Exit status: 0 when nothing failed (blocked, manual and skipped steps are reported, not errors: a machine
 * without kubectl still runs everything else); 1 when a step failed, the run was interrupted, or the run
 * could not start (bad selection, dependency problems, unresolved variables — also in a dry run).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { action, withTaskFileOptions } from "../commands/shared.ts";
import { loadCommandMap } from "./commands.ts";
import {
  finishedSteps,
  latestRunId,
  loggedRunStart,
  newRunId,
  RUNS_DIR,
  RunLog,
  readRunLog,
  runLogPath,
} from "./log.ts";
import { buildPlan, PlanError, type Selection } from "./plan.ts";
import { describeUnresolved, prepareRun } from "./prepare.ts";
import { findMissingProgram } from "./process.ts";
import { LineReporter, LiveReporter, type Output } from "./progress.ts";
import { formatPlan, formatRecap } from "./recap.ts";
import { DEFAULT_BACKOFF, seededRandom } from "./retry.ts";
import { executeRun } from "./run.ts";
import { type TaskStore, tasksFileStore } from "./task-store.ts";
import { mergeVariables, readVariablesFile } from "./variables.ts";

export const DEFAULT_VARS_FILE = ".canary/vars.json";

export interface RunCommandOptions {
  file: string;
  tag?: string;
  phase?: string[];
  task?: string[];
  withDeps?: boolean;
  concurrency: number;
  dryRun?: boolean;
  vars?: string;
  set?: string[];
  /** Seconds per attempt; none when absent. */
  timeout?: number;
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
  seed?: number;
  failFast?: boolean;
  /** A run id, or true for the latest run. */
  resume?: string | boolean;
  /** Mapping file of phrase patterns to commands. */
  commands?: string;
  /** Where commands run, and where `.canary/` lives. */
  cwd?: string;
  /** Plain lines even on a terminal. */
  plain?: boolean;
  /** Steps with a local alternative run it (no Kubernetes cluster here). */
  local?: boolean;
}

export interface RunIO {
  stdout: Output & { isTTY?: boolean; columns?: number };
  stderr: Output;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  store?: TaskStore;
  killGraceMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs `canary run` with parsed options; returns the exit status. */
export async function runTasks(options: RunCommandOptions, io: RunIO): Promise<number> {
  const root = resolve(options.cwd ?? ".");
  const runsDir = join(root, RUNS_DIR);
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (text: string) => {
    io.stderr.write(`canary run: ${text}\n`);
    return 1;
  };

  let selection: Selection = {
    ...(options.phase?.length ? { phases: options.phase } : {}),
    ...(options.task?.length
      ? { taskIds: options.task.flatMap((t) => t.split(",")).map((t) => t.trim()) }
      : {}),
    ...(options.withDeps ? { withDependencies: true } : {}),
  };
  let alreadyDone: Set<string> | undefined;
  let resumedFrom: string | undefined;
  let local = options.local === true;
  if (options.resume) {
    resumedFrom = typeof options.resume === "string" ? options.resume : latestRunId(runsDir);
    if (!resumedFrom) return fail(`no earlier run to resume in ${runsDir}`);
    const file = runLogPath(runsDir, resumedFrom);
    if (!existsSync(file)) return fail(`no run log ${file}`);
    const events = readRunLog(file);
    alreadyDone = finishedSteps(events);
    // The resumed run's selection, unless this command line names its own.
    const start = loggedRunStart(events);
    if (start && !selection.phases && !selection.taskIds) selection = { ...start.selection, ...selection };
    // The rest of a run that ran local alternatives runs them too.
    if (start?.local) local = true;
  }

  const store = io.store ?? tasksFileStore(options.file, options.tag);
  const tasks = await store.load();
  let plan: ReturnType<typeof buildPlan>;
  try {
    plan = buildPlan(tasks, selection);
  } catch (error) {
    if (error instanceof PlanError) return fail(`cannot plan the run:\n  ${error.problems.join("\n  ")}`);
    throw error;
  }
  const commandMap = await loadCommandMap(options.commands ? resolve(options.commands) : undefined);
  const varsFile = options.vars ? resolve(options.vars) : join(root, DEFAULT_VARS_FILE);
  const config = options.vars || existsSync(varsFile) ? await readVariablesFile(varsFile) : {};
  const variables = mergeVariables({ config, env: io.env, sets: options.set ?? [] });
  const prepared = prepareRun(tasks, plan, {
    commandMap,
    variables,
    cwd: root,
    ...(alreadyDone ? { alreadyDone } : {}),
    ...(local ? { preferLocal: true } : {}),
  });

  if (options.dryRun) {
    // Commands run with the variables as their environment, so their PATH decides what is missing.
    say(formatPlan(prepared, (step) => findMissingProgram(step.shell!, step.cwd, variables.PATH)));
    if (prepared.unresolved.length > 0) return fail(`${describeUnresolved(prepared.unresolved)}`);
    say("\ndry run: nothing was executed");
    return 0;
  }
  if (prepared.unresolved.length > 0) {
    return fail(`${describeUnresolved(prepared.unresolved)}\nnothing was run`);
  }

  const runId = newRunId();
  const log = RunLog.create(runsDir, runId);
  log.write({
    type: "run-start",
    at: new Date().toISOString(),
    runId,
    tasksFile: resolve(options.file),
    selection,
    steps: prepared.steps.map((s) => s.id),
    ...(resumedFrom ? { resumedFrom } : {}),
    ...(local ? { local: true } : {}),
  });
  say(
    `run ${runId}: ${prepared.steps.length} steps${resumedFrom ? ` (resuming ${resumedFrom})` : ""}` +
      `${local ? ", local alternatives first" : ""}; log ${log.file}`,
  );
  const live = io.stdout.isTTY === true && !options.plain;
  const reporter = live
    ? new LiveReporter(io.stdout, prepared.steps.length, io.stdout.columns)
    : new LineReporter(io.stdout);
  const summary = await executeRun(
    prepared,
    {
      concurrency: options.concurrency,
      retries: options.retries,
      backoff: { ...DEFAULT_BACKOFF, baseMs: options.backoffMs, maxMs: options.backoffMaxMs },
      ...(options.timeout ? { timeoutMs: options.timeout * 1000 } : {}),
      ...(io.killGraceMs !== undefined ? { killGraceMs: io.killGraceMs } : {}),
      failFast: options.failFast === true,
      env: { ...variables },
      ...(io.signal ? { signal: io.signal } : {}),
      ...(local ? { noCluster: true } : {}),
    },
    {
      store,
      log,
      reporter,
      random: options.seed !== undefined ? seededRandom(options.seed) : Math.random,
      ...(io.sleep ? { sleep: io.sleep } : {}),
    },
  ).finally(() => reporter.close());
  log.write({
    type: "run-end",
    at: new Date().toISOString(),
    durationMs: Math.round(summary.durationMs),
    counts: summary.counts,
  });
  say(`\n${formatRecap(summary, runId)}`);
  return summary.counts.failed > 0 || summary.interrupted ? 1 : 0;
}

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number of seconds > 0");
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRunCommand(program: Command): void {
  withTaskFileOptions(
    program
      .command("run")
      .description("execute tasks: each step's command from the PRD or the command map, in dependency order")
      .option("--phase <phase>", "run the tasks of this phase (number or title; repeatable)", collect)
      .option("--task <ids>", "run these tasks or subtasks (N or N.M, comma-separated; repeatable)", collect)
      .option("--with-deps", "also run dependencies of the selection that are not done yet")
      .option("-c, --concurrency <n>", "steps running at once", wholeNumber(1), 2)
      .option("--dry-run", "print the plan (order, parallel groups, commands, cwd) and execute nothing")
      .option(
        "--vars <file>",
        `JSON file of variables for \${NAME} (default ${DEFAULT_VARS_FILE} if present)`,
      )
      .option("--set <NAME=value>", "set a variable (repeatable; beats --vars and the environment)", collect)
      .option("--timeout <seconds>", "kill a step's processes after this long (per attempt)", positiveSeconds)
      .option("--retries <n>", "extra attempts for a failing step", wholeNumber(0), 0)
      .option(
        "--backoff-ms <ms>",
        "delay before the first retry (doubles each time, with jitter)",
        wholeNumber(0),
        DEFAULT_BACKOFF.baseMs,
      )
      .option(
        "--backoff-max-ms <ms>",
        "cap on the delay between retries",
        wholeNumber(0),
        DEFAULT_BACKOFF.maxMs,
      )
      .option("--seed <n>", "seed for the retry jitter (reproducible delays)", wholeNumber(0))
      .option("--fail-fast", "start nothing new after the first failed or blocked step")
      .option(
        "--resume [run-id]",
        "continue a run (default: the latest): skip what it finished, same selection",
      )
      .option("--commands <file>", "command map: phrase patterns to command templates (JSON)")
      .option("--cwd <dir>", "directory the commands run in and .canary/ lives in (default: here)")
      .option("--plain", "plain progress lines even on a terminal")
      .option("--local", "no Kubernetes cluster here: steps with a local alternative (`locally:`) run it"),
  ).action(
    action(async (options: RunCommandOptions) => {
      const controller = new AbortController();
      // First Ctrl-C stops the running steps' process groups and ends the run cleanly; a second one exits.
      const interrupt = () => controller.abort();
      process.once("SIGINT", interrupt);
      try {
        process.exitCode = await runTasks(options, {
          stdout: process.stdout,
          stderr: process.stderr,
          env: process.env,
          signal: controller.signal,
        });
      } finally {
        process.removeListener("SIGINT", interrupt);
      }
    }),
  );
}
