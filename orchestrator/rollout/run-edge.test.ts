/**
 * `--target edge` for real, with wrangler played by a fake runner: the canary's weights deployed in order,
 * the analysis between them run by the engine's AnalysisRuns (Argo's web provider against a local server),
 * and a rollback when the analysis fails.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandRunner } from "./edge/wrangler.ts";
import { runEdge } from "./run-edge.ts";
import type { RolloutSource } from "./sources.ts";
import type { RolloutSpec } from "./types.ts";

const STABLE = "11111111-2222-4333-8444-555555555555";
const NEW = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

let server: Server;
let verdict = true;
let url = "";
beforeAll(async () => {
  server = createServer((_req, res) => res.end(JSON.stringify({ ok: verdict })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function source(): RolloutSource {
  const rollout: RolloutSpec = {
    name: "tinyurl",
    service: "tinyurl",
    replicas: 1,
    imageTag: "0.1.0",
    port: 5000,
    source: { file: "test" },
    strategy: {
      kind: "canary",
      steps: [
        { setWeight: 20 },
        { pause: { durationSeconds: 60 } },
        { analysis: { templates: [{ templateName: "ok", clusterScope: false }], args: [] } },
        { setWeight: 60 },
      ],
      trafficRouting: null,
      abortScaleDownDelaySeconds: 30,
      scaleDownDelaySeconds: 30,
    },
  };
  const metric = {
    name: "ok",
    successCondition: "result == true",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    provider: {
      web: { url, method: "GET" as const, headers: [], jsonPath: "{$.ok}", timeoutSeconds: 5 },
    },
  };
  return {
    rollout,
    templates: [{ name: "ok", clusterScope: false, args: [], metrics: [metric], source: { file: "test" } }],
    refused: [],
  };
}

function fakeWrangler() {
  const calls: string[] = [];
  const runner: CommandRunner = async (argv) => {
    calls.push(argv.join(" "));
    if (argv[1] === "versions" && argv[2] === "upload")
      return { exitCode: 0, stdout: `Uploaded canary\nWorker Version ID: ${NEW}\n`, stderr: "" };
    return { exitCode: 0, stdout: "", stderr: "" };
  };
  return { calls, runner };
}

describe("runEdge", () => {
  it("deploys each weight, analyses between them, and ends at 100%", async () => {
    verdict = true;
    const wrangler = fakeWrangler();
    const lines: string[] = [];
    const result = await runEdge({
      source: source(),
      newVersion: "0.2.0",
      stableVersionId: STABLE,
      timeScale: 0.001,
      promoteOnPause: false,
      log: (line) => lines.push(line),
      runner: wrangler.runner,
    });
    expect(result.phase).toBe("Healthy");
    const deploys = wrangler.calls.filter((c) => c.includes("versions deploy"));
    expect(deploys.map((c) => c.match(/\d+%/g)?.join(" "))).toEqual(["80% 20%", "40% 60%", "100%"]);
    expect(wrangler.calls.some((c) => c.includes("rollback"))).toBe(false);
    expect(lines.some((l) => /analysis step-\d+: Successful/.test(l))).toBe(true);
  });

  it("rolls back when the analysis fails", async () => {
    verdict = false;
    const wrangler = fakeWrangler();
    const result = await runEdge({
      source: source(),
      newVersion: "0.2.0",
      stableVersionId: STABLE,
      timeScale: 0.001,
      promoteOnPause: false,
      log: () => {},
      runner: wrangler.runner,
    });
    expect(result).toMatchObject({ phase: "Degraded", rollback: "done", weight: 0 });
    expect(wrangler.calls.at(-1)).toMatch(new RegExp(`^wrangler rollback ${STABLE}`));
    expect(wrangler.calls.filter((c) => c.includes("versions deploy"))).toHaveLength(1);
  });
});
