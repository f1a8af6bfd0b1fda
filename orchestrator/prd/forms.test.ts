import { describe, expect, it } from "vitest";
import { cleanTitle, commandOf, firstSentence, normalizeTitle, parseRefs, parseTitleLine } from "./forms.ts";
import type { CodeSpan, InlineLine } from "./markdown.ts";

/** A line as inlineLines would give it, code spans found by their backticks. */
function line(text: string): InlineLine {
  const codes: CodeSpan[] = [];
  for (const match of text.matchAll(/`([^`]+)`/g)) {
    codes.push({ start: match.index, end: match.index + match[0].length, value: match[1]! });
  }
  return { text, line: 1, codes };
}
const code = (value: string): CodeSpan => ({ start: 0, end: value.length + 2, value });

describe("parseTitleLine", () => {
  it("reads a task line", () => {
    expect(parseTitleLine(line("TASK_001 [MEDIUM]: Task Manager - PRD parsing and task management"))).toEqual(
      {
        title: "Task Manager",
        description: "PRD parsing and task management",
        priority: "medium",
        taskId: 1,
      },
    );
  });

  it("reads a phase heading only when asked", () => {
    const heading = line("Phase 3: Task Master Execution Engine (Priority: Critical)");
    expect(parseTitleLine(heading, { phase: true })).toEqual({
      title: "Task Master Execution Engine",
      description: "",
      priority: "critical",
      phaseNumber: 3,
    });
    expect(parseTitleLine(line("Phase 7"), { phase: true })).toMatchObject({
      title: "Phase 7",
      phaseNumber: 7,
    });
    expect(parseTitleLine(heading).phaseNumber).toBeUndefined();
    expect(parseTitleLine(line("Phase 2 — Build - Priority: low"), { phase: true })).toMatchObject({
      title: "Build",
      priority: "low",
    });
  });

  it("strips dependency clauses from the title and never splits inside code", () => {
    expect(parseTitleLine(line("Deploy `a - b` now (after: 3, 5) (depends on: 2.1)"))).toEqual({
      title: "Deploy `a - b` now",
      description: "",
      refs: [
        { kind: "id", task: 3 },
        { kind: "id", task: 5 },
        { kind: "id", task: 2, subtask: 1 },
      ],
      command: "a - b",
    });
    expect(parseTitleLine(line("Ship it; depends on: Phase 2")).refs).toEqual([{ kind: "phase", number: 2 }]);
    expect(parseTitleLine(line("Ship it — depends on: Build")).title).toBe("Ship it");
    expect(parseTitleLine(line("It depends on: luck")).refs).toBeUndefined(); // mid-sentence prose
  });
});

describe("parseRefs", () => {
  it("reads ids, TASK_ ids, phases, titles and 'none'", () => {
    expect(parseRefs("3, 2.1; Task 4, task #5, TASK_006, #7, Phase 2, `Set up kind`.")).toEqual([
      { kind: "id", task: 3 },
      { kind: "id", task: 2, subtask: 1 },
      { kind: "id", task: 4 },
      { kind: "id", task: 5 },
      { kind: "id", task: 6 },
      { kind: "id", task: 7 },
      { kind: "phase", number: 2 },
      { kind: "title", title: "Set up kind" },
    ]);
    expect(parseRefs("none")).toEqual([]);
    expect(parseRefs(" n/a ")).toEqual([]);
    expect(parseRefs("Build & Task 2")).toEqual([
      {
        kind: "title",
        title: "Build & Task 2",
        parts: [
          { kind: "title", title: "Build" },
          { kind: "id", task: 2 },
        ],
      },
    ]);
  });
});

describe("commandOf", () => {
  it("takes command lines and leaves file names, identifiers and data alone", () => {
    expect(commandOf([code("wrangler.toml"), code("replicas"), code("npm test")])).toBe("npm test");
    expect(commandOf([code("$ npm ci")])).toBe("npm ci");
    expect(commandOf([code("./scripts/setup.sh")])).toBe("./scripts/setup.sh");
    expect(commandOf([code("GET /healthz")])).toBeUndefined();
    expect(commandOf([code("strategy: canary")])).toBeUndefined();
    expect(commandOf([code('{"a": 1}')])).toBeUndefined();
    expect(commandOf([code("<div class=x>")])).toBeUndefined();
    expect(commandOf([])).toBeUndefined();
  });
});

describe("text helpers", () => {
  it("clean titles, normalise them for matching and take first sentences", () => {
    expect(cleanTitle("  Set   up:  ")).toBe("Set up");
    expect(cleanTitle("Wait for it...")).toBe("Wait for it...");
    expect(cleanTitle("Done.")).toBe("Done");
    expect(normalizeTitle("Set up **`Kind`**  cluster")).toBe("set up kind cluster");
    expect(firstSentence("One. Two.")).toBe("One.");
    expect(firstSentence("No end")).toBe("No end");
    expect(firstSentence("x".repeat(400))).toHaveLength(300);
  });
});
