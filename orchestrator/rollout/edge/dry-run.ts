/**
 * `canary rollout run --target edge --dry-run`: the exact wrangler commands an edge rollout would run, in
 * order, with the pauses and analyses between them as comments. Nothing runs, so the ids wrangler would
 * print stand as `<new-version-id>` (and `<stable-version-id>` unless `--stable-version` gives it).
 */
import { formatDuration } from "../duration.ts";
import type { RolloutSpec } from "../types.ts";
import {
  deploymentStatusArgv,
  type EdgeCommand,
  type EdgeTarget,
  edgePlan,
  rollbackArgv,
  uploadArgv,
} from "./plan.ts";
import { shellLine } from "./wrangler.ts";

export const NEW_VERSION_PLACEHOLDER = "<new-version-id>";
export const STABLE_VERSION_PLACEHOLDER = "<stable-version-id>";

export interface EdgeDryRunOptions {
  newVersionLabel: string;
  stableVersionId?: string;
  target?: EdgeTarget;
  timeScale?: number;
}

const command = (argv: string[]) => shellLine(["npx", ...argv]);

function pauseLine(description: string, durationSeconds: number | undefined, timeScale: number): string {
  if (durationSeconds === undefined) return `# ${description}: waits for \`canary rollout promote\``;
  const scaled =
    timeScale === 1 ? "" : ` (${formatDuration(durationSeconds * timeScale)} at time scale ${timeScale})`;
  return `# ${description}: waits ${formatDuration(durationSeconds)}${scaled}, or a promote`;
}

function planLines(step: EdgeCommand, timeScale: number): string[] {
  if (step.type === "deploy") {
    return [`# ${step.description}: ${step.weight}% to the new version`, command(step.argv)];
  }
  if (step.type === "pause") return [pauseLine(step.description, step.durationSeconds, timeScale)];
  if (step.type === "analysis") {
    return [`# ${step.description}: the engine's analysis; Failed or Error aborts, Inconclusive pauses`];
  }
  return [`# ${step.description} starts, until the end; its failure aborts`];
}

export function formatEdgeDryRun(spec: RolloutSpec, options: EdgeDryRunOptions): string {
  const target = options.target ?? {};
  const timeScale = options.timeScale ?? 1;
  const stableVersionId = options.stableVersionId ?? STABLE_VERSION_PLACEHOLDER;
  const ids = { stableVersionId, newVersionId: NEW_VERSION_PLACEHOLDER };
  const strategy =
    spec.strategy.kind === "canary" ? `canary, ${spec.strategy.steps.length} steps` : "blue-green";
  const worker = target.workerName ? `Worker "${target.workerName}"` : "the Worker named in wrangler.toml";
  const lines = [
    `# Dry run: Rollout/${spec.name} (${strategy}) as a Cloudflare gradual deployment of ${worker}.`,
    '# Nothing below was run. <new-version-id> is the id the upload prints ("Worker Version ID: ...").',
    "",
  ];
  if (options.stableVersionId) {
    lines.push(`# The stable version (--stable-version): ${options.stableVersionId}`);
  } else {
    lines.push(
      "# The stable version: the one at 100% in the current deployment (<stable-version-id>)",
      command(deploymentStatusArgv(target)),
    );
  }
  lines.push(
    "# Upload the new version: it serves no traffic yet",
    command(uploadArgv(spec, options.newVersionLabel, target)),
    ...edgePlan(spec, ids, target).flatMap((step) => planLines(step, timeScale)),
    "",
    "# On abort (canary rollout abort, a failed analysis or command), once traffic has moved:",
    command(rollbackArgv(spec, stableVersionId, "<reason>", target)),
  );
  return `${lines.join("\n")}\n`;
}
