/** `canary …`: the platform's command line. */
import { Command, InvalidArgumentError } from "commander";
import { signToken } from "../functions/shared/auth.ts";
import { loadConfig } from "../functions/shared/config.ts";
import { registerFeedCommand } from "./commands/feed.ts";
import { registerTaskCommands, reportError } from "./commands/index.ts";
import { registerRolloutCommands } from "./commands/rollout.ts";
import { registerRunCommand } from "./executor/cli-run.ts";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive whole number");
  return n;
}

export function buildCli(): Command {
  const program = new Command("canary")
    .description("canary progressive-delivery platform")
    .showHelpAfterError();

  program
    .command("token")
    .description("mint a development bearer token (HS256 JWT, sub=<user>) signed with AUTH_SECRET")
    .argument("<user>", "user id to put in the token's sub claim")
    .option("--ttl <seconds>", "lifetime in seconds", positiveInt, 30 * 24 * 3600)
    .action(async (user: string, options: { ttl: number }) => {
      const config = loadConfig(process.env);
      if (config.AUTH_SECRET === "canary-dev-secret-change-me") {
        process.stderr.write(
          "note: signed with the development AUTH_SECRET; set AUTH_SECRET to match your services\n",
        );
      }
      process.stdout.write(`${await signToken(user, config.AUTH_SECRET, options.ttl)}\n`);
    });

  registerTaskCommands(program);
  registerRunCommand(program);
  registerFeedCommand(program);
  registerRolloutCommands(program);
  return program;
}

try {
  await buildCli().parseAsync(process.argv);
} catch (error) {
  reportError(error);
}
