/** Rollout specs for the edge tests, and a command runner that plays wrangler's part. */
import type {
  AnalysisRefSpec,
  BlueGreenStrategySpec,
  CanaryStepSpec,
  CanaryStrategySpec,
  RolloutSpec,
} from "../../types.ts";
import type { CommandResult, CommandRunner } from "../wrangler.ts";

export const STABLE_ID = "11111111-1111-4111-8111-111111111111";
export const NEW_ID = "22222222-2222-4222-8222-222222222222";

export const ref = (...names: string[]): AnalysisRefSpec => ({
  templates: names.map((templateName) => ({ templateName, clusterScope: false })),
  args: [],
});

const base = (strategy: RolloutSpec["strategy"]): RolloutSpec => ({
  name: "tinyurl",
  service: "tinyurl",
  replicas: 2,
  imageTag: "v2",
  port: 5000,
  strategy,
  source: { file: "k8s/rollouts/tinyurl.yaml" },
});

export const canarySpec = (steps: CanaryStepSpec[], extra: Partial<CanaryStrategySpec> = {}): RolloutSpec =>
  base({
    kind: "canary",
    steps,
    trafficRouting: null,
    abortScaleDownDelaySeconds: 30,
    scaleDownDelaySeconds: 30,
    ...extra,
  });

export const blueGreenSpec = (extra: Partial<BlueGreenStrategySpec> = {}): RolloutSpec =>
  base({
    kind: "blueGreen",
    activeService: "tinyurl-active",
    autoPromotionEnabled: true,
    scaleDownDelaySeconds: 30,
    abortScaleDownDelaySeconds: 30,
    ...extra,
  });

/** The canary of the issue: 10 → 25 → 50 → 75 → 100 with a pause and an analysis. */
export const walkSpec = () =>
  canarySpec([
    { setWeight: 10 },
    { pause: {} },
    { setWeight: 25 },
    { analysis: ref("success-rate") },
    { setWeight: 50 },
    { pause: { durationSeconds: 30 } },
    { setWeight: 75 },
  ]);

/** Plays wrangler: answers each command by its first words; records every argv. */
export class FakeWrangler {
  readonly calls: string[][] = [];
  readonly results = new Map<string, CommandResult>([
    [
      "deployments status",
      ok(JSON.stringify({ id: "d1", versions: [{ version_id: STABLE_ID, percentage: 100 }] }, null, 2)),
    ],
    [
      "versions upload",
      ok(
        `Total Upload: 120 KiB\nWorker Startup Time: 12 ms\nUploaded canary (2.10 sec)\nWorker Version ID: ${NEW_ID}\n`,
      ),
    ],
    ["versions deploy", ok("SUCCESS  Deployed canary version")],
    ["rollback", ok(`Current Version ID: ${STABLE_ID}`)],
  ]);

  readonly run: CommandRunner = async (argv) => {
    this.calls.push([...argv]);
    const key = argv.slice(1, 3).join(" ");
    return this.results.get(key) ?? this.results.get(argv[1] ?? "") ?? ok("");
  };

  /** The calls as "versions deploy a@90% b@10%"-like strings: subcommand and positional arguments. */
  get summary(): string[] {
    return this.calls.map((argv) =>
      argv
        .slice(1)
        .filter((a, i, all) => !a.startsWith("-") && !all[i - 1]?.startsWith("--"))
        .join(" "),
    );
  }
}

export function ok(stdout: string): CommandResult {
  return { exitCode: 0, stdout, stderr: "" };
}

export function failed(stderr: string): CommandResult {
  return { exitCode: 1, stdout: "", stderr };
}
