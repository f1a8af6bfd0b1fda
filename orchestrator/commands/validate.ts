/** `canary validate-dependencies`: missing targets, self references and cycles; exit 1 when any. */
import type { Command } from "commander";
import { dependencyProblems } from "../tasks/queries.ts";
import { readTasksFile } from "../tasks/store.ts";
import { action, print, printJson, type TaskFileOptions, withTaskFileOptions } from "./shared.ts";

export function registerValidateCommand(program: Command): void {
  withTaskFileOptions(
    program
      .command("validate-dependencies")
      .description("check that every dependency exists and that there are no cycles")
      .option("--json", "print the problems as JSON"),
  ).action(
    action(async (options: TaskFileOptions & { json?: boolean }) => {
      const { data } = await readTasksFile(options.file, { tag: options.tag });
      const problems = dependencyProblems(data.tasks);
      if (options.json) printJson(problems);
      else if (problems.length === 0) {
        const subtasks = data.tasks.reduce((n, t) => n + t.subtasks.length, 0);
        print(
          `Dependencies OK: ${data.tasks.length} task(s), ${subtasks} subtask(s), no missing targets or cycles.`,
        );
      } else for (const problem of problems) print(`✗ ${problem.message}`);
      if (problems.length > 0) {
        process.stderr.write(`canary: ${problems.length} dependency problem(s) in ${options.file}\n`);
        process.exitCode = 1;
      }
    }),
  );
}
