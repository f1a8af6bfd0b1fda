import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { verifyToken } from "../functions/shared/auth.ts";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../bin/canary.mjs", import.meta.url));

describe("canary token", () => {
  it("mints a token the services accept for that user", async () => {
    const { stdout } = await run(process.execPath, [bin, "token", "alice"], {
      env: { ...process.env, AUTH_SECRET: "cli-test-secret" },
    });
    expect(await verifyToken(stdout.trim(), "cli-test-secret")).toBe("alice");
  });

  it("refuses a bad --ttl with a clear message", async () => {
    const failed = run(process.execPath, [bin, "token", "alice", "--ttl", "-5"], { env: process.env });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringMatching(/positive whole number/) });
  });
});
