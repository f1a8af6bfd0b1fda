import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "canary-orchestrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsx = resolve("node_modules/.bin/tsx");
const script = resolve("orchestrator/orchestrate.ts");

describe("npm run orchestrate (dry run)", () => {
  it("parses the project's PRDs into tasks.json and prints the plan without executing anything", async () => {
    const file = join(dir, "tasks.json");
    const { stdout } = await run(tsx, [script, "-f", file], {
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    expect(stdout).toMatch(/parsed \d PRDs → \d+ tasks, \d+ subtasks/);
    expect(stdout).toMatch(/^(no )?Kubernetes cluster reachable \(.+\): /m); // decided by the real probe
    expect(stdout).toMatch(/PLAN: \d+ steps in \d+ parallel groups/);
    expect(stdout).toContain("dry run: nothing was executed");
    expect(stdout).toMatch(/Phase 1: Foundation and TinyURL\s+\[█+\]\s+100\.0%/);
    const tagged = JSON.parse(readFileSync(file, "utf8")) as { master: { tasks: { title: string }[] } };
    const titles = tagged.master.tasks.map((t) => t.title);
    expect(titles).toEqual(expect.arrayContaining(["Foundation and TinyURL", "Verify the tree"]));
  });
});

describe("npm run orchestrate: cluster or local", () => {
  // A project of its own: orchestrate reads PRD.md (and the guides, missing here) from where it runs.
  const project = mkdtempSync(join(dir, "project-"));
  writeFileSync(
    join(project, "PRD.md"),
    [
      "### Phase 1: Canary Deployment",
      "- [ ] Promote the canary `definitely-not-kubectl-xyz argo rollouts promote tinyurl` (locally: `touch promoted`)",
      "- [ ] Check it `touch checked` (locally: `touch checked-locally`)",
    ].join("\n"),
  );
  const orchestrate = (args: string[], cluster?: string) =>
    run(tsx, [script, ...args], {
      cwd: project,
      env: { ...process.env, FORCE_COLOR: "0", CANARY_CLUSTER: cluster },
    });

  it("without a cluster, executes the local alternatives and says why", async () => {
    const { stdout } = await orchestrate(["--execute", "--phase", "Canary Deployment"], "absent");
    expect(stdout).toContain(
      "no Kubernetes cluster reachable (CANARY_CLUSTER=absent): steps with a local alternative run it\n",
    );
    expect(stdout).toContain("[start] 1.2 Check it `touch checked`: (local) touch checked-locally");
    expect(existsSync(join(project, "promoted"))).toBe(true);
    expect(existsSync(join(project, "checked-locally"))).toBe(true);
    expect(existsSync(join(project, "checked"))).toBe(false);
  });

  it("with a cluster, plans the main commands and the local alternative only where a program is missing", async () => {
    const { stdout } = await orchestrate(["-f", join(project, "plan.json")], "present");
    expect(stdout).toMatch(
      /^Kubernetes cluster reachable \(CANARY_CLUSTER=present\): steps run their commands/m,
    );
    expect(stdout).toContain("$ touch promoted   # (local) definitely-not-kubectl-xyz not found");
    expect(stdout).toContain("$ touch checked   # from the PRD");
  });

  it("refuses --local with --cluster", async () => {
    await expect(orchestrate(["--local", "--cluster"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/'--cluster' cannot be used with option '--local'/),
    });
  });
});
