/**
 * Running wrangler and reading what it prints. The formats are wrangler 4's (node_modules/wrangler):
 *   versions upload        logs "Worker Version ID: <uuid>" once the version is created
 *   deployments status --json   prints the latest deployment as JSON: {"versions":[{"version_id","percentage"}],…}
 * Commands run without a shell and with stdin closed: wrangler then takes every prompt's default (it is
 * non-interactive), and `-y` accepts the deploy prompts.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one command given as argv ("wrangler" first). Injected, so tests never touch Cloudflare. */
export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>;

export class EdgeCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-5).join("\n");
    super(`${argv.join(" ")} exited with ${result.exitCode}${output ? `:\n${output}` : ""}`);
    this.name = "EdgeCommandError";
  }
}

/** The project's own wrangler (node_modules/wrangler/bin/wrangler.js). */
export function wranglerBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
}

/** A runner for real wrangler commands, started with this Node. */
export function wranglerRunner(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CommandRunner {
  return (argv) => {
    if (argv[0] !== "wrangler") throw new Error(`not a wrangler command: ${argv.join(" ")}`);
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [wranglerBin(), ...argv.slice(1)],
        { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ exitCode: code, stdout, stderr });
        },
      );
      child.stdin?.end();
    });
  };
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** The new version's id from `wrangler versions upload`'s output. */
export function parseUploadedVersionId(output: string): string {
  const match = new RegExp(`Worker Version ID:\\s*(${UUID})`, "i").exec(output);
  if (!match) {
    throw new Error(
      'wrangler versions upload printed no "Worker Version ID: <id>" line: did the upload fail?',
    );
  }
  return match[1]!.toLowerCase();
}

/**
 * The stable version from `wrangler deployments status --json`: the one serving 100%. A deployment split
 * between versions means a gradual deployment is already under way, which must be finished (or rolled
 * back) before another starts.
 */
export function parseStableVersionId(output: string): string {
  let deployment: unknown;
  try {
    deployment = JSON.parse(output.slice(output.indexOf("{")));
  } catch {
    throw new Error("wrangler deployments status --json did not print a deployment as JSON");
  }
  const versions = (deployment as { versions?: unknown }).versions;
  if (!Array.isArray(versions) || versions.length === 0) {
    throw new Error("The latest deployment lists no versions");
  }
  const full = versions.find((v: { percentage?: unknown }) => v.percentage === 100) as
    | { version_id?: unknown }
    | undefined;
  if (!full || typeof full.version_id !== "string") {
    const split = versions
      .map(
        (v: { version_id?: unknown; percentage?: unknown }) =>
          `${String(v.version_id)}@${String(v.percentage)}%`,
      )
      .join(" ");
    throw new Error(
      `A gradual deployment is already under way (${split}): finish it with wrangler versions deploy, or pass --stable-version`,
    );
  }
  return full.version_id;
}

/** The dry run's stand-ins for ids it cannot know, e.g. `<new-version-id>`: printed as they are. */
const PLACEHOLDER = /<[a-z-]+>/g;
const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/** An argv as one shell line (dry run, messages): words quoted only where a shell needs it. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((arg) => {
      const bare = arg.replace(PLACEHOLDER, "x");
      return SHELL_SAFE.test(bare) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
    })
    .join(" ");
}
