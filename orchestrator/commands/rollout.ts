/**
 * `canary rollout run|status|promote|abort|retry`: the local progressive-delivery engine
 * (orchestrator/rollout/README.md). `run` executes one Rollout manifest on this machine (or, with
 * `--target edge`, as Cloudflare gradual deployments) and serves the control API and console; the other
 * commands talk to that API, like `kubectl argo rollouts …` talks to a cluster.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { formatEdgeDryRun } from "../rollout/edge/dry-run.ts";
import { runEdge } from "../rollout/run-edge.ts";
import { DEFAULT_CONTROL_PORT, runLocalRollout } from "../rollout/run-local.ts";
import { loadRollout } from "../rollout/sources.ts";
import { describeStatus } from "../rollout/status-text.ts";
import type { RolloutStatus } from "../rollout/types.ts";
import { action, printJson, UsageError } from "./shared.ts";

const collectPair = (value: string, previous: Record<string, string> = {}) => {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`expected NAME=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
};
const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number");
  return n;
};
const positive = (value: string) => {
  const n = Number(value);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError("expected a number > 0");
  return n;
};

const controlUrl = () =>
  new Option("--control <url>", "the engine's control API").default(
    process.env.CANARY_ROLLOUT_URL ?? `http://127.0.0.1:${DEFAULT_CONTROL_PORT}`,
  );

async function call(base: string, path: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base), init);
  } catch {
    throw new UsageError(`no rollout engine answers at ${base} (start one with \`canary rollout run\`)`);
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new UsageError(body.error?.message ?? `${res.status} from ${base}${path}`);
  return body;
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command("rollout").description("run Argo Rollout manifests on this machine");

  rollout
    .command("run")
    .description("roll out a new version of a Rollout (blue-green or canary) with local processes")
    .requiredOption(
      "--file <path>",
      "a Rollout manifest, or a folder/kustomization under k8s/ (e.g. k8s/canary)",
    )
    .option("--name <rollout>", "which Rollout, when the file has several")
    .requiredOption("--new-version <label>", "the version to roll out (APP_VERSION of its replicas)")
    .option("--stable-version <label>", "the version running now (default: the manifest's image tag)")
    .option("--env <NAME=value>", "an environment variable for every replica (repeatable)", collectPair, {})
    .option(
      "--new-env <NAME=value>",
      "… for the new version's replicas only, e.g. FAULT_ERROR_RATE=0.3",
      collectPair,
      {},
    )
    .option(
      "--time-scale <factor>",
      "multiply every duration (pauses, intervals, delays): 0.01 = 100× faster",
      positive,
      1,
    )
    .option(
      "--traffic <rps>",
      "demo traffic through the proxy, requests per second (0: none)",
      (v) => Number(v),
      20,
    )
    .option(
      "--traffic-path <path>",
      "paths the demo traffic requests (repeatable; default /)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("--prometheus <url>", "query this Prometheus (default: start Debian's when a template needs one)")
    .option("--port <port>", "the service's (or blue-green active) port (default: the manifest's)", port)
    .option("--preview-port <port>", "blue-green preview port (default: the service's port + 100)", port)
    .option("--control-port <port>", "the control API and console", port, DEFAULT_CONTROL_PORT)
    .addOption(
      new Option("--expect-phase <phase>", "exit 0 when the rollout ends in this phase, 1 otherwise").choices(
        ["Healthy", "Degraded"],
      ),
    )
    .option(
      "--promote-on-pause",
      "promote by itself whenever the rollout waits for a person (unattended runs)",
    )
    .option("--promote-full-at-step <n>", "promote fully by itself once the canary reaches step n", (v) =>
      Number(v),
    )
    .option("--keep-running", "stay up after the end (console, retry after an abort) until Ctrl-C")
    .option("--json", "print a JSON summary at the end (progress goes to stderr)")
    .addOption(
      new Option("--target <where>", "local processes, or Cloudflare gradual deployments")
        .choices(["local", "edge"])
        .default("local"),
    )
    .option("--dry-run", "with --target edge: print the wrangler commands without running any")
    .addHelpText(
      "after",
      "\n--target edge runs wrangler for real (a Cloudflare account; --stable-version takes the version id serving now).",
    )
    .action(
      action(async (options) => {
        if (options.target === "edge") {
          const source = loadRollout(options.file, options.name);
          if (options.dryRun) {
            process.stdout.write(
              formatEdgeDryRun(source.rollout, {
                newVersionLabel: options.newVersion,
                stableVersionId: options.stableVersion,
                timeScale: options.timeScale,
              }),
            );
            return;
          }
          const started = Date.now();
          const result = await runEdge({
            source,
            newVersion: options.newVersion,
            stableVersionId: options.stableVersion,
            timeScale: options.timeScale,
            prometheus: options.prometheus,
            promoteOnPause: Boolean(options.promoteOnPause),
            log: (line) =>
              process.stderr.write(`[+${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`),
          });
          if (options.json) printJson(result);
          else process.stdout.write(`${result.phase}: ${result.message} (rollback: ${result.rollback})\n`);
          process.exitCode = result.phase === "Healthy" ? 0 : 3;
          return;
        }
        if (options.dryRun) throw new UsageError("--dry-run applies to --target edge only");
        process.exitCode = await runLocalRollout(
          {
            file: options.file,
            name: options.name,
            newVersion: options.newVersion,
            stableVersion: options.stableVersion,
            env: options.env,
            newEnv: options.newEnv,
            timeScale: options.timeScale,
            prometheus: options.prometheus,
            port: options.port,
            previewPort: options.previewPort,
            controlPort: options.controlPort,
            json: Boolean(options.json),
            keepRunning: Boolean(options.keepRunning),
            expectPhase: options.expectPhase,
            promoteOnPause: Boolean(options.promoteOnPause),
            promoteFullAtStep: options.promoteFullAtStep,
            trafficRps: options.traffic,
            trafficPaths: options.trafficPath,
          },
          { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
        );
      }),
    );

  rollout
    .command("status")
    .description("show a running rollout: phase, steps, weights, analysis, traffic")
    .argument("[name]", "the Rollout (default: every one the engine runs)")
    .addOption(controlUrl())
    .option("--json", "print the status as JSON")
    .action(
      action(async (name: string | undefined, options: { control: string; json?: boolean }) => {
        const statuses = name
          ? [(await call(options.control, `/api/rollouts/${encodeURIComponent(name)}`)) as RolloutStatus]
          : ((await call(options.control, "/api/rollouts")) as { rollouts: RolloutStatus[] }).rollouts;
        if (options.json) printJson(name ? statuses[0] : statuses);
        else process.stdout.write(statuses.map(describeStatus).join("\n"));
      }),
    );

  for (const [verb, what] of [
    ["promote", "resume a pause or skip the current step (--full: skip every remaining step)"],
    ["abort", "send all traffic back to the stable version and scale the new one down"],
    ["retry", "start an aborted rollout again from its first step"],
  ] as const) {
    const command = rollout
      .command(verb)
      .description(what)
      .argument("<name>", "the Rollout")
      .addOption(controlUrl());
    if (verb === "promote") command.option("--full", "skip every remaining step and analysis");
    command.action(
      action(async (name: string, options: { control: string; full?: boolean }) => {
        const status = (await call(options.control, `/api/rollouts/${encodeURIComponent(name)}/${verb}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(verb === "promote" ? { full: Boolean(options.full) } : {}),
        })) as RolloutStatus;
        process.stdout.write(describeStatus(status));
      }),
    );
  }
}
