/**
 * `canary parse-prd <files...>`: Markdown PRDs → tasks.json. By default the parse is merged into what is
 * already there (statuses kept, new tasks added, vanished ones cancelled: see tasks/merge.ts); with
 * `--append` the parsed tasks are added as new ones after the existing tasks.
 */
import type { Command } from "commander";
import { appendParsedTasks, type MergeReport, mergeParsedTasks } from "../tasks/merge.ts";
import type { Task } from "../tasks/model.ts";
import { updateTasksFile } from "../tasks/store.ts";
import { action, print, printJson, type TaskFileOptions, withTaskFileOptions } from "./shared.ts";

export interface PrdInput {
  file: string;
  text: string;
}

/** The parser's API (orchestrator/prd/index.ts), as this command uses it; tests pass a stand-in. */
export interface PrdParser {
  readPrdFiles(paths: string[]): PrdInput[] | Promise<PrdInput[]>;
  parsePrds(inputs: PrdInput[]): { tasks: Task[]; warnings: readonly unknown[] };
}

export interface ParsePrdOptions {
  file: string;
  tag: string;
  append?: boolean;
}

export interface ParsePrdResult {
  file: string;
  prds: string[];
  tasks: number;
  subtasks: number;
  report: MergeReport;
  warnings: string[];
}

function problemLine(problem: unknown): string {
  if (typeof problem === "object" && problem !== null && "message" in problem) {
    const { file, line, message } = problem as { file?: string; line?: number; message: string };
    return file ? `${file}${line ? `:${line}` : ""}: ${message}` : message;
  }
  return String(problem);
}

/** An error from the parser carrying `{file, line, message}` problems (PrdError), as one line each. */
export function prdErrorText(error: unknown): string | undefined {
  const problems = (error as { problems?: unknown }).problems;
  if (!Array.isArray(problems) || problems.length === 0) return undefined;
  return problems.map(problemLine).join("\n");
}

export async function parsePrdIntoFile(
  parser: PrdParser,
  paths: string[],
  options: ParsePrdOptions,
): Promise<ParsePrdResult> {
  const inputs = await parser.readPrdFiles(paths);
  const { tasks: parsed, warnings } = parser.parsePrds(inputs);
  return updateTasksFile(options.file, { tag: options.tag, allowMissing: true }, (data) => {
    const merged = options.append
      ? appendParsedTasks(data.tasks, parsed)
      : mergeParsedTasks(data.tasks, parsed, { files: inputs.map((input) => input.file) });
    data.tasks = merged.tasks;
    return {
      file: options.file,
      prds: inputs.map((input) => input.file),
      tasks: parsed.length,
      subtasks: parsed.reduce((n, t) => n + t.subtasks.length, 0),
      report: merged.report,
      warnings: warnings.map(problemLine),
    };
  });
}

export function registerParsePrdCommand(program: Command): void {
  withTaskFileOptions(
    program
      .command("parse-prd")
      .description("turn Markdown PRDs into tasks (merged into the tasks file, keeping progress)")
      .argument("<files...>", "Markdown files")
      .option("-o, --output <tasks.json>", "tasks file to write (default: --file)")
      .option("--append", "add the parsed tasks as new tasks instead of merging")
      .option("--json", "print the result as JSON"),
  ).action(
    action(
      async (
        files: string[],
        options: TaskFileOptions & { output?: string; append?: boolean; json?: boolean },
      ) => {
        // Loaded here, not at the top: the Markdown toolchain is only needed by this command.
        const parser: PrdParser = await import("../prd/index.ts");
        let result: ParsePrdResult;
        try {
          result = await parsePrdIntoFile(parser, files, {
            file: options.output ?? options.file,
            tag: options.tag,
            append: options.append,
          });
        } catch (error) {
          const text = prdErrorText(error);
          if (text === undefined) throw error;
          process.stderr.write(`${text}\n`);
          throw new Error(`could not parse ${files.join(", ")}: fix the problems above`);
        }
        for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
        if (options.json) return printJson(result);
        const { added, kept, cancelled } = result.report;
        print(
          `Parsed ${result.prds.length} PRD file(s): ${result.tasks} task(s), ${result.subtasks} subtask(s) → ${result.file}`,
        );
        print(
          `  ${added.length} added, ${kept.length} kept (statuses preserved), ${cancelled.length} cancelled`,
        );
      },
    ),
  );
}
