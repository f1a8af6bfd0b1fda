import { describe, expect, it } from "vitest";
import {
  cleanTitle,
  commandOf,
  firstSentence,
  localCommandOf,
  normalizeTitle,
  parseRefs,
  parseTitleLine,
} from "./forms.ts";
import type { CodeSpan, InlineLine } from "./markdown.ts";

/** A line as inlineLines would give it, code spans found by their backticks. */
function line(text: string): InlineLine {
  const codes: CodeSpan[] = [];
  for (const match of text.matchAll(/`([^`]+)`/g)) {
    codes.push({ start: match.index, end: match.index + match[0].length, value: match[1]! });
  }
  return { text, line: 1, codes };
}

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

  it("takes a local alternative out of the title, with its parentheses or separator", () => {
    const promote = "Promote the canary `kubectl argo rollouts promote tinyurl -n canary`";
    expect(parseTitleLine(line(`${promote} (locally: \`npx canary rollout promote tinyurl\`)`))).toEqual({
      title: promote,
      description: "",
      command: "kubectl argo rollouts promote tinyurl -n canary",
      localCommand: "npx canary rollout promote tinyurl",
    });
    expect(parseTitleLine(line("Watch it; local: `npx canary rollout status x` (after: 2)"))).toEqual({
      title: "Watch it",
      description: "",
      refs: [{ kind: "id", task: 2 }],
      localCommand: "npx canary rollout status x",
    });
    expect(parseTitleLine(line("Ship `a b` — locally: `c d`"))).toMatchObject({
      title: "Ship `a b`",
      description: "",
      command: "a b",
      localCommand: "c d",
    });
    // An unclosed parenthesis stays with the text; the clause still goes.
    expect(parseTitleLine(line("Odd (locally: `x y` `npm test`")).title).toBe("Odd ( `npm test`");
    expect(parseTitleLine(line("Two local: `a b` and locally: `c d`")).localCommand).toBe("a b");
    expect(parseTitleLine(line("Two local: `a b` and locally: `c d`")).title).toBe("Two and");
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
    expect(commandOf(line("`wrangler.toml` and `replicas` via `npm test`"))).toBe("npm test");
    expect(commandOf(line("`$ npm ci`"))).toBe("npm ci");
    expect(commandOf(line("`./scripts/setup.sh`"))).toBe("./scripts/setup.sh");
    expect(commandOf(line("`GET /healthz`"))).toBeUndefined();
    expect(commandOf(line("`strategy: canary`"))).toBeUndefined();
    expect(commandOf(line('`{"a": 1}`'))).toBeUndefined();
    expect(commandOf(line("`<div class=x>`"))).toBeUndefined();
    expect(commandOf(line("no code"))).toBeUndefined();
  });

  it("never takes the local alternative for the command", () => {
    expect(commandOf(line("locally: `npx canary rollout status x`"))).toBeUndefined();
    expect(commandOf(line("(locally: `npx a b`) then `kubectl get pods`"))).toBe("kubectl get pods");
  });
});

describe("localCommandOf", () => {
  it("takes the code span right after locally: or local:, whatever it looks like", () => {
    expect(localCommandOf(line("`kubectl get ro` (locally: `npx canary rollout status x`)"))).toBe(
      "npx canary rollout status x",
    );
    expect(localCommandOf(line("Local:  `$ ./demo.sh`"))).toBe("./demo.sh");
    expect(localCommandOf(line("LOCALLY: `make`"))).toBe("make"); // no arguments needed: it is marked
    expect(localCommandOf(line("locally: see `npm test`"))).toBeUndefined(); // not right after
    expect(localCommandOf(line("glocal: `npm test`"))).toBeUndefined();
    expect(localCommandOf(line("`npm test`"))).toBeUndefined();
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
