/** The task commands, registered on the `canary` program in the order `--help` lists them. */
import type { Command } from "commander";
import { registerListCommand } from "./list.ts";
import { registerParsePrdCommand } from "./parse-prd.ts";
import { registerProgressCommand } from "./progress.ts";
import { registerSetStatusCommand } from "./set-status.ts";
import { registerShowCommands } from "./show.ts";
import { registerValidateCommand } from "./validate.ts";

export { reportError } from "./shared.ts";

export function registerTaskCommands(program: Command): void {
  registerParsePrdCommand(program);
  registerListCommand(program);
  registerShowCommands(program);
  registerSetStatusCommand(program);
  registerProgressCommand(program);
  registerValidateCommand(program);
}
