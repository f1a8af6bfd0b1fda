import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { STABLE_ID } from "./testing/specs.ts";
import {
  EdgeCommandError,
  parseStableVersionId,
  parseUploadedVersionId,
  shellLine,
  wranglerBin,
  wranglerRunner,
} from "./wrangler.ts";

describe("reading wrangler's output", () => {
  it("finds the uploaded version's id where wrangler 4 prints it", () => {
    const output = [
      "Total Upload: 512.00 KiB / gzip: 96.00 KiB",
      "Worker Startup Time: 14 ms",
      "Uploaded canary (3.21 sec)",
      "Worker Version ID: 0F4C2A1E-8B7D-4E6F-9A0B-1C2D3E4F5A6B",
      "Version Preview URL: https://0f4c2a1e-canary.example.workers.dev",
    ].join("\n");
    expect(parseUploadedVersionId(output)).toBe("0f4c2a1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b");
    expect(() => parseUploadedVersionId("✘ [ERROR] Authentication error")).toThrow(/no "Worker Version ID/);
  });

  it("checks that wrangler still prints that line", async () => {
    // The format comes from wrangler's own source: a newer wrangler that changes it fails here first.
    const cli = await readFile(join(dirname(dirname(wranglerBin())), "wrangler-dist", "cli.js"), "utf8");
    expect(cli).toContain('logger.log("Worker Version ID:", versionId)');
    expect(cli).toContain('command: "wrangler deployments status"');
    expect(cli).toContain('command: "wrangler rollback"');
  });

  it("finds the stable version in `deployments status --json`", () => {
    const json = JSON.stringify({
      id: "d-1",
      created_on: "2026-01-01T00:00:00Z",
      versions: [{ version_id: STABLE_ID, percentage: 100 }],
    });
    expect(parseStableVersionId(json)).toBe(STABLE_ID);
    expect(parseStableVersionId(`some banner\n${json}`)).toBe(STABLE_ID);
  });

  it("refuses a deployment already split between versions, and output that is not a deployment", () => {
    const split = JSON.stringify({
      versions: [
        { version_id: "a", percentage: 90 },
        { version_id: "b", percentage: 10 },
      ],
    });
    expect(() => parseStableVersionId(split)).toThrow(/already under way \(a@90% b@10%\).*--stable-version/);
    expect(() => parseStableVersionId("not json")).toThrow(/did not print a deployment/);
    expect(() => parseStableVersionId('{"versions":[]}')).toThrow(/lists no versions/);
  });
});

describe("shellLine", () => {
  it("quotes only what a shell needs quoted, and leaves the dry run's placeholders as they are", () => {
    expect(
      shellLine([
        "npx",
        "wrangler",
        "versions",
        "deploy",
        "<stable-version-id>@90%",
        "<new-version-id>@10%",
        "-y",
      ]),
    ).toBe("npx wrangler versions deploy <stable-version-id>@90% <new-version-id>@10% -y");
    expect(shellLine(["--message", "it's a test", "<b>"])).toBe("--message 'it'\\''s a test' <b>");
    expect(shellLine(["a<b"])).toBe("'a<b'");
  });
});

describe("wranglerRunner", () => {
  it("runs only wrangler commands", () => {
    expect(() => wranglerRunner()(["rm", "-rf", "/"])).toThrow(/not a wrangler command/);
  });

  it("names the command, its exit code and its last output lines in a failure", () => {
    expect(new EdgeCommandError(["wrangler", "x"], { exitCode: 2, stdout: "", stderr: "" }).message).toBe(
      "wrangler x exited with 2",
    );
    const error = new EdgeCommandError(["wrangler", "rollback", "x"], {
      exitCode: 1,
      stdout: "",
      stderr: "line 1\n✘ [ERROR] A request to the Cloudflare API failed\n",
    });
    expect(error.message).toBe(
      "wrangler rollback x exited with 1:\nline 1\n✘ [ERROR] A request to the Cloudflare API failed",
    );
  });

  it("runs the project's wrangler and reports its exit code (no account, no network)", async () => {
    const logs = await mkdtemp(join(tmpdir(), "wrangler-logs-"));
    try {
      const runner = wranglerRunner({
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: logs },
      });
      const version = await runner(["wrangler", "--version"]);
      expect(version.exitCode).toBe(0);
      expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
      const unknown = await runner(["wrangler", "no-such-command"]);
      expect(unknown.exitCode).toBe(1);
      expect(unknown.stderr).toContain("Unknown argument: no-such-command");
    } finally {
      await rm(logs, { recursive: true, force: true });
    }
  });
});
