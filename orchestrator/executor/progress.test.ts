import { describe, expect, it } from "vitest";
import { buildPlan } from "./plan.ts";
import { prepareRun } from "./prepare.ts";
import { LineReporter, LiveReporter } from "./progress.ts";
import { formatDuration, formatRecap } from "./recap.ts";
import type { StepResult } from "./run.ts";
import { noCommandMap, task } from "./testing/tasks.ts";

const [step] = prepareRun(
  [task(1, { title: "Build", command: "make" })],
  buildPlan([task(1, { title: "Build", command: "make" })]),
  {
    commandMap: noCommandMap,
    variables: {},
    cwd: "/repo",
  },
).steps;

const failed: StepResult = {
  id: "1",
  title: "Build",
  outcome: "failed",
  attempts: 2,
  durationMs: 1500,
  exitCode: 2,
  reason: "exit 2 after 2 attempts",
  output: `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`,
};

function capture() {
  const out = { text: "", write: (s: string) => (out.text += s) };
  return out;
}

describe("LineReporter", () => {
  it("prints one line per event and the end of a failure's output", () => {
    const out = capture();
    const reporter = new LineReporter(out);
    reporter.stepStarted(step!, 1);
    reporter.stepRetrying(step!, 1, 1200, "exit 2");
    reporter.stepStarted(step!, 2);
    reporter.stepFinished(step!, failed);
    reporter.stepFinished(step!, { ...failed, outcome: "done", attempts: 0 });
    reporter.warn("tasks.json is locked");
    const lines = out.text.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "[start] 1 Build: make",
      "[retry] 1 attempt 1 exit 2; next in 1.2s",
      "[attempt 2] 1 Build: make",
      "[failed] 1 Build: exit 2 after 2 attempts (1.5s)",
    ]);
    expect(lines.slice(4, 6)).toEqual(["    | line 9", "    | line 10"]); // the last 12 lines
    expect(lines.at(-1)).toBe("warning: tasks.json is locked");
    expect(out.text).not.toContain("[done]");
  });
});

describe("LiveReporter", () => {
  it("keeps a footer of running steps below the lines and redraws it in place", () => {
    const out = capture();
    const reporter = new LiveReporter(out, 3, 0);
    reporter.stepStarted(step!, 1);
    expect(out.text).toMatch(
      /\[start\] 1 Build: make\n {2}… 1 Build \d+\.\ds\n {2}0\/3 finished, 1 running\n$/,
    );
    out.text = "";
    reporter.stepFinished(step!, { ...failed, outcome: "ok" });
    // Up two lines (the old footer), clear, then the line and a new footer.
    expect(out.text).toBe("\x1b[2F\x1b[J[ok] 1 Build (1.5s)\n  1/3 finished, 0 running\n");
    out.text = "";
    reporter.close();
    expect(out.text).toBe("\x1b[1F\x1b[J");
  });
});

describe("recap", () => {
  it("formats durations", () => {
    expect([0, 1234, 59_949, 61_000, 3_725_000].map(formatDuration)).toEqual([
      "0.0s",
      "1.2s",
      "59.9s",
      "1m01s",
      "62m05s",
    ]);
  });

  it("lists counts, then each step, then warnings", () => {
    const text = formatRecap(
      {
        results: [
          failed,
          {
            id: "2",
            title: "Ship",
            outcome: "skipped",
            attempts: 0,
            durationMs: 0,
            reason: "depends on 1 (failed)",
          },
        ],
        counts: { ok: 0, failed: 1, blocked: 0, skipped: 1, manual: 0, done: 0, interrupted: 0 },
        durationMs: 1500,
        interrupted: false,
        warnings: ["could not set 1 to pending: locked"],
      },
      "run-1",
    );
    expect(text.split("\n").slice(1)).toEqual([
      "ok=0  failed=1  blocked=0  skipped=1  manual=0  done=0",
      "",
      "step  outcome  attempts  duration  title",
      "1     failed   2         1.5s      Build — exit 2 after 2 attempts",
      "2     skipped  0         -         Ship — depends on 1 (failed)",
      "warning: could not set 1 to pending: locked",
    ]);
    expect(text.split("\n")[0]).toMatch(/^\*\*\* RUN RECAP run-1 {2}\(1\.5s\) \*+$/);
  });
});
