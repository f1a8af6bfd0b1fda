/** The task commands through the real CLI: `node bin/canary.mjs … -f <tmp>/tasks.json`. */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ItemJson } from "./describe.ts";

const bin = fileURLToPath(new URL("../../bin/canary.mjs", import.meta.url));
const fixture = fileURLToPath(new URL("../tasks/testing/taskmaster-tagged.json", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function canary(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, CANARY_DEBUG: "" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function canaryJson<T = ItemJson>(...args: string[]): Promise<T> {
  const run = await canary(...args, "--json");
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "canary-cli-"));
  file = join(dir, "tasks.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a task-master tasks.json through list / next / set-status", () => {
  it("round-trips", async () => {
    await copyFile(fixture, file);
    const original = JSON.parse(await readFile(fixture, "utf8"));

    const listed = await canaryJson<ItemJson[]>("list", "-f", file);
    expect(listed.map((row) => row.id)).toEqual(["1", "2", "2.1", "2.2", "2.3", "3", "4", "5"]);
    expect((await canaryJson<ItemJson[]>("list", "-f", file, "--ready")).map((row) => row.id)).toEqual([
      "2",
      "2.2",
      "4",
    ]);

    expect((await canaryJson("next", "-f", file)).id).toBe("2.2");
    const setDone = await canary("set-status", "2.2", "completed", "-f", file);
    expect(setDone).toMatchObject({ code: 0, stdout: "subtask 2.2: pending → done\n" });
    expect((await canaryJson("next", "-f", file)).id).toBe("2.3");

    const viaOptions = await canary("set-status", "--id=2.3", "--status=done", "-f", file);
    expect(viaOptions.stdout).toMatch(/note: all subtasks of task 2 are finished/);
    expect((await canaryJson("next", "-f", file)).id).toBe("2"); // high priority beats 5 (medium) and 4 (low)

    const written = JSON.parse(await readFile(file, "utf8"));
    expect(written["feature-qr"]).toEqual(original["feature-qr"]);
    expect(written.master.tasks[1].subtasks.map((s: { status: string }) => s.status)).toEqual([
      "done",
      "done",
      "done",
    ]);
    expect(written.master.tasks[1].subtasks[1].parentTaskId).toBe(2);

    const table = await canary("list", "-f", file, "--status", "pending");
    expect(table.stdout).toMatch(/^ID\s+Status\s+Priority\s+Deps\s+Title\n/);
    expect(table.stdout).toMatch(/\n3\s+pending\s+medium\s+2\s+Add analytics\n/);
    expect(table.stdout).not.toMatch(/Set up the project/);

    const shown = await canaryJson("show", "2.3", "-f", file);
    expect(shown).toMatchObject({
      id: "2.3",
      type: "subtask",
      parent: 2,
      status: "done",
      dependencies: ["2.2"],
    });
    expect((await canaryJson<ItemJson[]>("list", "-f", file, "--tag", "feature-qr"))[0]?.status).toBe("done");
  });

  it("writes a flat file back flat", async () => {
    await writeFile(file, JSON.stringify({ tasks: [{ id: 1, title: "Only", status: "todo" }] }));
    expect((await canary("set-status", "1", "in-progress", "-f", file)).code).toBe(0);
    const written = JSON.parse(await readFile(file, "utf8"));
    expect(Object.keys(written)).toEqual(["tasks"]);
    expect(written.tasks[0].status).toBe("in-progress");
  });
});

describe("progress and validate-dependencies", () => {
  it("draws a bar per phase and a total", async () => {
    const phase = (number: number, title: string) => ({ number, title });
    const tasks = [
      { id: 1, title: "A", status: "done", phase: phase(1, "Foundation") },
      { id: 2, title: "B", status: "pending", phase: phase(1, "Foundation") },
      { id: 3, title: "C", status: "pending", phase: phase(2, "Rollout") },
    ];
    await writeFile(file, JSON.stringify({ master: { tasks, metadata: {} } }));
    const run = await canary("progress", "-f", file);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Phase 1: Foundation\s+\[█{12}░{12}\]\s+50\.0%\s+1\/2 done · 1 pending$/m);
    expect(run.stdout).toMatch(/^Phase 2: Rollout\s+\[░{24}\]\s+0\.0%/m);
    expect(run.stdout).toMatch(/^Total\s+\[█{8}░{16}\]\s+33\.3%/m);
  });

  it("exits 1 and names the ids on cycles and missing dependencies", async () => {
    const tasks = [
      { id: 1, title: "A", dependencies: [2] },
      { id: 2, title: "B", dependencies: [1] },
      { id: 3, title: "C", dependencies: [8], subtasks: [{ id: 1, title: "c", dependencies: ["3.4"] }] },
    ];
    await writeFile(file, JSON.stringify({ master: { tasks, metadata: {} } }));
    const run = await canary("validate-dependencies", "-f", file);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n")).toEqual([
      "✗ task 3 depends on 8, which does not exist",
      "✗ subtask 3.1 depends on 3.4, which does not exist",
      "✗ dependency cycle: 1 → 2 → 1",
    ]);
    expect(run.stderr).toBe(`canary: 3 dependency problem(s) in ${file}\n`);

    await writeFile(
      file,
      JSON.stringify({ master: { tasks: [tasks[0], { ...tasks[1], dependencies: [] }] } }),
    );
    expect(await canary("validate-dependencies", "-f", file)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Dependencies OK/),
    });
  });
});

describe("errors: one line on stderr, non-zero exit, file untouched", () => {
  it.each([
    ["invalid JSON", "{", ["list"], /^canary: .*tasks\.json: not valid JSON/],
    [
      "invalid status",
      '{"tasks":[{"id":1,"title":"A","status":"nope"}]}',
      ["next"],
      /tasks\.json: task 1: invalid status "nope"/,
    ],
    ["unknown id", '{"tasks":[{"id":1,"title":"A"}]}', ["set-status", "1,4", "done"], /^canary: no task 4$/],
    [
      "unknown status",
      '{"tasks":[{"id":1,"title":"A"}]}',
      ["set-status", "1", "finished"],
      /^canary: unknown status "finished"/,
    ],
    [
      "unknown task to show",
      '{"tasks":[{"id":1,"title":"A"}]}',
      ["show", "1.3"],
      /^canary: no task 1\.3 in /,
    ],
  ])("%s", async (_name, text, args, message) => {
    await writeFile(file, text);
    const run = await canary(...args, "-f", file);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("reports a missing tasks file", async () => {
    const run = await canary("list", "-f", join(dir, "none.json"));
    expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(/none\.json: no such tasks file/) });
  });
});

describe("parse-prd", () => {
  const prd = (body: string) => writeFile(join(dir, "prd.md"), body);
  const firstVersion =
    "# PRD\n\n## Setup\n- [x] Install `npm ci`\n- [ ] Build `npm run build`\n\n## Deploy\n- [ ] Ship it\n- [ ] Check health\n";

  it("creates a tagged file, then merges a changed PRD keeping progress", async () => {
    await prd(firstVersion);
    const first = await canary("parse-prd", join(dir, "prd.md"), "-o", file);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/2 added, 0 kept/);
    expect(Object.keys(JSON.parse(await readFile(file, "utf8")))).toEqual(["master"]);
    await canary("set-status", "1.2", "done", "-f", file);

    // Lines shift, "Check health" goes, "Lint" and a new task come.
    await prd(
      `# PRD\n\nIntro.\n\n${firstVersion.slice(7).replace("- [ ] Check health\n", "")}- [ ] Lint\n\n## Verify\n- [ ] Open it\n`,
    );
    const second = await canary("parse-prd", join(dir, "prd.md"), "-f", file, "--json");
    expect(JSON.parse(second.stdout).report).toEqual({ kept: ["1", "2"], added: ["3"], cancelled: ["2.2"] });
    const rows = await canaryJson<ItemJson[]>("list", "-f", file);
    expect(rows.map((r) => `${r.id} ${r.status}`)).toEqual([
      "1 pending",
      "1.1 done",
      "1.2 done",
      "2 pending",
      "2.1 pending",
      "2.2 cancelled",
      "2.3 pending",
      "3 pending",
      "3.1 pending",
    ]);

    const appended = await canary("parse-prd", join(dir, "prd.md"), "-f", file, "--append");
    expect(appended.stdout).toMatch(/3 added, 0 kept/);
    expect((await canaryJson<ItemJson[]>("list", "-f", file, "--no-subtasks")).map((r) => r.id)).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
    ]);
  });

  it("shows a step's local alternative next to its command", async () => {
    await prd(
      "## Canary\n- [ ] Promote `kubectl argo rollouts promote x` (locally: `npx canary rollout promote x`)\n",
    );
    expect(await canary("parse-prd", join(dir, "prd.md"), "-o", file)).toMatchObject({ code: 0 });
    expect(await canaryJson("show", "1.1", "-f", file)).toMatchObject({
      title: "Promote `kubectl argo rollouts promote x`",
      command: "kubectl argo rollouts promote x",
      localCommand: "npx canary rollout promote x",
    });
    const shown = await canary("show", "1.1", "-f", file);
    expect(shown.stdout).toMatch(
      / {2}command: +kubectl argo rollouts promote x\n {2}locally: +npx canary rollout promote x\n/,
    );
  });

  it("reports PRD problems by file and line, and writes nothing", async () => {
    await prd("## Setup\n- [ ] Build (after: 9)\n");
    const run = await canary("parse-prd", join(dir, "prd.md"), "-f", file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/prd\.md:2: .*9/);
    expect(run.stderr).toMatch(/canary: could not parse/);
    await expect(readFile(file, "utf8")).rejects.toThrow(/ENOENT/);
  });
});
