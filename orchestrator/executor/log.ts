/**
 * One JSON line per event, one file per run: `.canary/runs/<run-id>.jsonl`. Lines are appended
 * synchronously, so a runner that dies mid-run leaves every finished step on disk for `--resume`.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Selection } from "./plan.ts";
import type { StepOutcome } from "./run.ts";

export const RUNS_DIR = ".canary/runs";

export type RunEvent =
  | {
      type: "run-start";
      at: string;
      runId: string;
      tasksFile: string;
      selection: Selection;
      steps: string[];
      resumedFrom?: string;
      /** `--local`: steps with a local alternative ran it. */
      local?: boolean;
    }
  | {
      type: "step-start";
      at: string;
      id: string;
      title: string;
      attempt: number;
      command: string;
      /** The command is the step's local alternative. */
      local?: boolean;
      cwd: string;
    }
  | {
      type: "step-retry";
      at: string;
      id: string;
      attempt: number;
      exitCode: number | null;
      timedOut: boolean;
      delayMs: number;
    }
  | {
      type: "step-end";
      at: string;
      id: string;
      outcome: StepOutcome;
      attempts: number;
      durationMs: number;
      exitCode?: number | null;
      reason?: string;
      /** The local alternative ran (see step-command.ts), and why when it stood in for the command. */
      local?: boolean;
      note?: string;
      outputTail?: string;
    }
  | { type: "run-end"; at: string; durationMs: number; counts: Record<StepOutcome, number> };

export interface RunLogWriter {
  write(event: RunEvent): void;
}

export class RunLog implements RunLogWriter {
  constructor(readonly file: string) {}

  static create(dir: string, runId: string): RunLog {
    mkdirSync(dir, { recursive: true });
    return new RunLog(runLogPath(dir, runId));
  }

  write(event: RunEvent): void {
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
  }
}

export function runLogPath(dir: string, runId: string): string {
  return join(dir, `${runId}.jsonl`);
}

/** Sortable by time (so the newest run is the greatest id), unique enough for one machine. */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").replace(".", "-").replace("Z", "");
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, "0");
  return `${stamp}-${suffix}`;
}

export function latestRunId(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const ids = readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => name.slice(0, -".jsonl".length))
    .sort();
  return ids.at(-1);
}

/** Every well-formed event; a torn last line (the runner was killed mid-write) is ignored. */
export function readRunLog(file: string): RunEvent[] {
  const events: RunEvent[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      // torn line
    }
  }
  return events;
}

/** Steps a logged run finished (ran `ok`, or found already done). */
export function finishedSteps(events: readonly RunEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type === "step-end" && (event.outcome === "ok" || event.outcome === "done")) ids.add(event.id);
  }
  return ids;
}

export function loggedRunStart(
  events: readonly RunEvent[],
): Extract<RunEvent, { type: "run-start" }> | undefined {
  return events.find((e): e is Extract<RunEvent, { type: "run-start" }> => e.type === "run-start");
}
