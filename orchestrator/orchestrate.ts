/**
 * `npm run orchestrate`: the project's own PRDs → `.taskmaster/tasks/tasks.json` → the plan.
 *   npm run orchestrate                               parse all five, print the dry-run plan and a summary
 *   npm run orchestrate -- --execute [--phase NAME]   parse, then execute (tools absent here come out blocked)
 * Any other `canary run` option (--concurrency, --timeout, --retries, --set …) is passed through.
 *
 * Before planning it decides whether a Kubernetes cluster is here (`kubectl cluster-info` answers; see
 * executor/cluster.ts) and prints which and why. Without one, the run gets `--local`: steps with a local
 * alternative (`locally: \`…\`` in the guides) run it. `--cluster` and `--local` decide instead of the
 * probe, as does the environment variable CANARY_CLUSTER=present|absent.
 */
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { parsePrdIntoFile } from "./commands/parse-prd.ts";
import { formatProgress } from "./commands/progress.ts";
import { runTasks } from "./executor/cli-run.ts";
import { decideLocal } from "./executor/cluster.ts";
import { parsePrds, readPrdFiles } from "./prd/index.ts";
import { DEFAULT_TAG, DEFAULT_TASKS_FILE } from "./tasks/model.ts";
import { progressByPhase } from "./tasks/queries.ts";
import { readTasksFile } from "./tasks/store.ts";

/** The PRD and the four guides, in the order their tasks are numbered. */
export const PROJECT_PRDS = [
  "PRD.md",
  "docs/setup-guide.md",
  "docs/blue-green-guide.md",
  "docs/canary-guide.md",
  "docs/troubleshooting.md",
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function main(argv: string[]): Promise<number> {
  const program = new Command("orchestrate")
    .description("parse the project's PRDs into tasks.json and print (or execute) the plan")
    .option("--execute", "run the plan instead of printing it")
    .option("--phase <name>", "only this phase (number or title; repeatable)", collect)
    .option("-f, --file <tasks.json>", "tasks file", DEFAULT_TASKS_FILE)
    .option("-c, --concurrency <n>", "steps at once", (v) => Number(v), 2)
    .option("--timeout <seconds>", "per-step timeout", (v) => Number(v), 900)
    .option("--retries <n>", "retries per failing step", (v) => Number(v), 0)
    .option("--set <NAME=value>", "a variable for commands (repeatable)", collect)
    .addOption(new Option("--local", "steps with a local alternative run it (default without a cluster)"))
    .addOption(
      new Option("--cluster", "steps run their commands even when no cluster answers").conflicts("local"),
    )
    .allowExcessArguments(false);
  program.parse(argv);
  const options = program.opts<{
    execute?: boolean;
    phase?: string[];
    file: string;
    concurrency: number;
    timeout: number;
    retries: number;
    set?: string[];
    local?: boolean;
    cluster?: boolean;
  }>();

  const present = PROJECT_PRDS.filter((path) => existsSync(path));
  const missing = PROJECT_PRDS.filter((path) => !existsSync(path));
  for (const path of missing) process.stderr.write(`orchestrate: ${path} is missing; planning without it\n`);
  const parsed = await parsePrdIntoFile({ readPrdFiles, parsePrds }, present, {
    file: options.file,
    tag: DEFAULT_TAG,
  });
  const { kept, added, cancelled } = parsed.report;
  console.log(
    `parsed ${present.length} PRDs → ${parsed.tasks} tasks, ${parsed.subtasks} subtasks in ${options.file} ` +
      `(${added.length} new, ${kept.length} kept, ${cancelled.length} cancelled)`,
  );
  for (const warning of parsed.warnings) console.log(`  warning: ${warning}`);
  const where = await decideLocal(options, process.env);
  console.log(where.message);

  const code = await runTasks(
    {
      file: options.file,
      tag: DEFAULT_TAG,
      ...(options.phase ? { phase: options.phase } : {}),
      concurrency: options.concurrency,
      dryRun: !options.execute,
      timeout: options.timeout,
      retries: options.retries,
      backoffMs: 1000,
      backoffMaxMs: 30_000,
      ...(options.set ? { set: options.set } : {}),
      ...(where.local ? { local: true } : {}),
    },
    { stdout: process.stdout, stderr: process.stderr, env: process.env },
  );

  const { data } = await readTasksFile(options.file, { tag: DEFAULT_TAG });
  console.log("\nprogress");
  for (const line of formatProgress(progressByPhase(data.tasks))) console.log(`  ${line}`);
  return code;
}

main(process.argv).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`orchestrate: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
