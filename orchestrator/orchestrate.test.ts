import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "canary-orchestrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run orchestrate (dry run)", () => {
  it("parses the project's PRDs into tasks.json and prints the plan without executing anything", async () => {
    const file = join(dir, "tasks.json");
    const { stdout } = await run("node_modules/.bin/tsx", ["orchestrator/orchestrate.ts", "-f", file], {
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    expect(stdout).toMatch(/parsed \d PRDs → \d+ tasks, \d+ subtasks/);
    expect(stdout).toMatch(/PLAN: \d+ steps in \d+ parallel groups/);
    expect(stdout).toContain("dry run: nothing was executed");
    expect(stdout).toMatch(/Phase 1: Foundation and TinyURL\s+\[█+\]\s+100\.0%/);
    const tagged = JSON.parse(readFileSync(file, "utf8")) as { master: { tasks: { title: string }[] } };
    const titles = tagged.master.tasks.map((t) => t.title);
    expect(titles).toEqual(expect.arrayContaining(["Foundation and TinyURL", "Verify the tree"]));
  });
});
