import { describe, expect, it } from "vitest";
import { formatEdgeDryRun } from "./dry-run.ts";
import { blueGreenSpec, canarySpec, ref, STABLE_ID, walkSpec } from "./testing/specs.ts";

describe("formatEdgeDryRun", () => {
  it("prints the exact commands of a canary, with its pauses and analyses between them", () => {
    const spec = walkSpec();
    if (spec.strategy.kind === "canary") spec.strategy.analysis = { ...ref("error-rate"), startingStep: 2 };
    expect(formatEdgeDryRun(spec, { newVersionLabel: "v2", timeScale: 0.1 })).toBe(
      `# Dry run: Rollout/tinyurl (canary, 7 steps) as a Cloudflare gradual deployment of the Worker named in wrangler.toml.
# Nothing below was run. <new-version-id> is the id the upload prints ("Worker Version ID: ...").

# The stable version: the one at 100% in the current deployment (<stable-version-id>)
npx wrangler deployments status --json
# Upload the new version: it serves no traffic yet
npx wrangler versions upload --tag v2 --message 'tinyurl: v2 (canary rollout)'
# step 0: setWeight 10: 10% to the new version
npx wrangler versions deploy <stable-version-id>@90% <new-version-id>@10% --message 'tinyurl: step 0: setWeight 10' -y
# step 1: pause (until promoted): waits for \`canary rollout promote\`
# background analysis error-rate starts, until the end; its failure aborts
# step 2: setWeight 25: 25% to the new version
npx wrangler versions deploy <stable-version-id>@75% <new-version-id>@25% --message 'tinyurl: step 2: setWeight 25' -y
# step 3: analysis success-rate: the engine's analysis; Failed or Error aborts, Inconclusive pauses
# step 4: setWeight 50: 50% to the new version
npx wrangler versions deploy <stable-version-id>@50% <new-version-id>@50% --message 'tinyurl: step 4: setWeight 50' -y
# step 5: pause 30s: waits 30s (3s at time scale 0.1), or a promote
# step 6: setWeight 75: 75% to the new version
npx wrangler versions deploy <stable-version-id>@25% <new-version-id>@75% --message 'tinyurl: step 6: setWeight 75' -y
# full promotion: 100% to the new version
npx wrangler versions deploy <new-version-id>@100% --message 'tinyurl: full promotion' -y

# On abort (canary rollout abort, a failed analysis or command), once traffic has moved:
npx wrangler rollback <stable-version-id> --message 'tinyurl: aborted: <reason>' -y
`,
    );
  });

  it("uses --stable-version and the Worker's name when given", () => {
    const text = formatEdgeDryRun(canarySpec([{ setWeight: 10 }, { pause: { durationSeconds: 60 } }]), {
      newVersionLabel: "v2",
      stableVersionId: STABLE_ID,
      target: { workerName: "canary-prod" },
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      '# Dry run: Rollout/tinyurl (canary, 2 steps) as a Cloudflare gradual deployment of Worker "canary-prod".',
    );
    expect(lines).toContain(`# The stable version (--stable-version): ${STABLE_ID}`);
    expect(text).not.toContain("deployments status");
    expect(lines).toContain(
      `npx wrangler versions deploy ${STABLE_ID}@90% <new-version-id>@10% --message 'tinyurl: step 0: setWeight 10' -y --name canary-prod`,
    );
    expect(lines).toContain("# step 1: pause 1m: waits 1m, or a promote");
    expect(lines.at(-2)).toBe(
      `npx wrangler rollback ${STABLE_ID} --message 'tinyurl: aborted: <reason>' -y --name canary-prod`,
    );
  });

  it("prints a blue-green switch", () => {
    const text = formatEdgeDryRun(
      blueGreenSpec({ autoPromotionEnabled: false, postPromotionAnalysis: ref("success-rate") }),
      {
        newVersionLabel: "v2",
      },
    );
    expect(text).toContain("(blue-green)");
    expect(text).toContain(
      "# pause (until promoted): waits for `canary rollout promote`\n# switch to the new version: 100% to the new version\n" +
        "npx wrangler versions deploy <new-version-id>@100% --message 'tinyurl: switch to the new version' -y\n" +
        "# postPromotionAnalysis success-rate: the engine's analysis",
    );
  });
});
