import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PrdError, type PrdProblem, parsePrds } from "./index.ts";

const fixture = (name: string) => ({
  file: `fixtures/${name}`,
  text: readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"),
});

/** The PrdError thrown for these inputs. */
function failure(...inputs: { file: string; text: string }[]): PrdError {
  try {
    parsePrds(inputs);
  } catch (error) {
    if (error instanceof PrdError) return error;
    throw error;
  }
  throw new Error("expected a PrdError");
}

const warningsOf = (text: string): PrdProblem[] => parsePrds([{ file: "w.md", text }]).warnings;

describe("PrdError", () => {
  it("names file and line for missing tasks, subtasks, phases and titles, one per line", () => {
    const error = failure(fixture("errors-missing.md"));
    expect(error.name).toBe("PrdError");
    expect(error.message).toBe(
      [
        "fixtures/errors-missing.md:3: subtask 1.1 depends on task 9, which does not exist",
        "fixtures/errors-missing.md:4: subtask 1.2 depends on subtask 1.7, which does not exist (task 1 has 2 subtasks)",
        "fixtures/errors-missing.md:8: task 2 depends on Phase 4, which does not exist",
        'fixtures/errors-missing.md:11: subtask 2.1 depends on "Nonexistent heading", but no task or phase has that title',
      ].join("\n"),
    );
    expect(error.problems[0]).toEqual({
      file: "fixtures/errors-missing.md",
      line: 3,
      message: "subtask 1.1 depends on task 9, which does not exist",
    });
  });

  it("reports self references of tasks and subtasks", () => {
    expect(failure(fixture("errors-self.md")).message).toBe(
      [
        'fixtures/errors-self.md:1: task 1 "Build" depends on itself',
        'fixtures/errors-self.md:4: subtask 1.2 "Link" depends on itself',
      ].join("\n"),
    );
    const items =
      "## A\n- [ ] one (after: 1)\n- [ ] two\n  Depends on: Phase 1\n## Phase 1: P\n- [ ] p (after: Phase 1)\n";
    expect(failure({ file: "s.md", text: items }).message).toBe(
      [
        "s.md:2: subtask 1.1 depends on its own task 1",
        "s.md:6: subtask 2.1 depends on its own phase (Phase 1)",
      ].join("\n"),
    );
    const phase = "## Phase 1: P\nDepends on: Phase 1, Task 1\n- [ ] p\n### Q\nDepends on: Phase 1\n- [ ] q";
    expect(failure({ file: "p.md", text: phase }).message).toBe(
      [
        "p.md:5: task 2 depends on its own phase (Phase 1)",
        "p.md:2: Phase 1 depends on its own phase (Phase 1)",
        "p.md:2: Phase 1 depends on task 1, which belongs to it",
      ].join("\n"),
    );
    const own = "## Build\nDepends on: 1.1\n- [ ] compile";
    expect(failure({ file: "o.md", text: own }).message).toBe('o.md:2: task 1 "Build" depends on itself');
  });

  it("reports a cycle once, with the line that closes it and every step's location", () => {
    expect(failure(fixture("errors-cycle.md")).message).toBe(
      "fixtures/errors-cycle.md:3: dependency cycle: task 1 (fixtures/errors-cycle.md:1) → " +
        "task 3 (fixtures/errors-cycle.md:11) → task 2 (fixtures/errors-cycle.md:7) → task 1",
    );
  });

  it("finds cycles that only close through subtasks and their parents", () => {
    const text = "## A\n- [ ] a1 (after: 2.1)\n## B (after: 1)\n- [ ] b1\n";
    expect(failure({ file: "c.md", text }).message).toBe(
      "c.md:2: dependency cycle: task 1 (c.md:1) → subtask 1.1 (c.md:2) → subtask 2.1 (c.md:4) → task 1",
    );
    const siblings = "## A\n- [ ] one (after: 1.2)\n- [ ] two\n";
    expect(failure({ file: "s.md", text: siblings }).message).toContain(
      "dependency cycle: subtask 1.1 (s.md:2)",
    );
  });

  it("shortens very long cycles", () => {
    const lines = ["## T1 (after: 30)", "- [ ] x"];
    for (let i = 2; i <= 30; i++) lines.push(`## T${i} (after: ${i - 1})`, "- [ ] x");
    const { message } = failure({ file: "long.md", text: lines.join("\n") });
    expect(message).toContain("→ …");
    expect(message.split(" → ")).toHaveLength(14);
  });

  it("reports an ambiguous title with both places", () => {
    expect(failure(fixture("errors-ambiguous.md")).message).toBe(
      'fixtures/errors-ambiguous.md:7: "Deploy" is ambiguous: it matches ' +
        "fixtures/errors-ambiguous.md:1 and fixtures/errors-ambiguous.md:11",
    );
    const a = { file: "a.md", text: "## Phase 2: Build\n- [ ] a\n" };
    const b = { file: "b.md", text: "## Phase 2: Build\n- [ ] b\n" };
    const c = { file: "c.md", text: "## Ship\nDepends on: Phase 2\n- [ ] c\n" };
    expect(failure(a, b, c).message).toBe("c.md:2: Phase 2 is ambiguous: it matches a.md:1 and b.md:1");
    const phases = { file: "d.md", text: "## Ship\nDepends on: Setup\n- [ ] c\n" };
    const setups = (file: string) => ({ file, text: "## Phase 1: Setup\n### Tasks\n- x\n" });
    expect(failure(setups("x.md"), setups("y.md"), phases).message).toBe(
      'd.md:2: "Setup" is ambiguous: it matches x.md:1 and y.md:1',
    );
    const e = { file: "e.md", text: "## Phase 1: Setup\n### A\n- [ ] a\n" };
    const f = { file: "f.md", text: "## Phase 3: Setup\n### B\n- [ ] b\n" };
    const g = { file: "g.md", text: "## Ship\nDepends on: Setup\n- [ ] c" };
    expect(failure(e, f, g).message).toBe('g.md:2: "Setup" is ambiguous: it matches e.md:1 and f.md:1');
  });

  it("reports duplicate explicit ids", () => {
    const text = "**TASK_001** [HIGH]: **One** - a\n\n## Other\n\n**TASK_001** [LOW]: **Again** - b\n";
    expect(failure({ file: "d.md", text }).message).toBe("d.md:5: TASK_001 is already defined at d.md:1");
  });
});

describe("warnings", () => {
  it("say when a task waits for a whole task because it named a subtask", () => {
    expect(warningsOf("## A\n- [ ] a\n## B\nDepends on: 1.1\n- [ ] b\n")).toEqual([
      {
        file: "w.md",
        line: 4,
        message: "task 2 depends on subtask 1.1; tasks wait for whole tasks, so it waits for task 1",
      },
    ]);
  });

  it("say when a dependency line has nothing to attach to, or a phase has no tasks", () => {
    expect(warningsOf("Depends on: Task 1\n\n## Notes\nDepends on: Phase 1\n\n## Phase 1: Empty\n")).toEqual([
      { file: "w.md", line: 1, message: "dependency line is not under a task or phase heading; ignored" },
      { file: "w.md", line: 4, message: "dependency line is not under a task or phase heading; ignored" },
    ]);
    expect(
      warningsOf("## Phase 1: Empty\nText only.\n## Phase 2: Work\nDepends on: Phase 1\n- [ ] w"),
    ).toEqual([{ file: "w.md", line: 4, message: "Phase 1 has no tasks; nothing to wait for" }]);
  });

  it("say when TASK_000 cannot be an id", () => {
    const { tasks, warnings } = parsePrds([{ file: "z.md", text: "**TASK_000**: **Zero**\n" }]);
    expect(tasks.map((t) => [t.id, t.title])).toEqual([[1, "Zero"]]);
    expect(warnings).toEqual([
      { file: "z.md", line: 1, message: "TASK_000 is not a task id (ids start at 1); a free id is used" },
    ]);
  });
});
