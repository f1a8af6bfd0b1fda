/**
 * What a person watches while a run goes: one line per step event (CI logs read well that way), and on a
 * terminal a live footer with the steps running now and their elapsed time, redrawn in place.
 */
import type { PreparedStep } from "./prepare.ts";
import { formatDuration, resultNotes } from "./recap.ts";
import type { RunReporter, StepResult } from "./run.ts";

export interface Output {
  write(text: string): unknown;
}

const TAIL_LINES = 12;

function resultLines(step: PreparedStep, result: StepResult): string[] {
  const time = result.attempts > 0 ? ` (${formatDuration(result.durationMs)})` : "";
  const notes = resultNotes(result);
  const lines = [`[${result.outcome}] ${step.id} ${step.title}${notes ? `: ${notes}` : ""}${time}`];
  if (result.outcome === "failed" && result.output) {
    const tail = result.output.trimEnd().split("\n").slice(-TAIL_LINES);
    lines.push(...tail.map((line) => `    | ${line}`));
  }
  return lines;
}

/** Plain lines: start, retry, end of each step. Steps done before the run are left to the recap. */
export class LineReporter implements RunReporter {
  constructor(protected readonly out: Output) {}

  protected emit(lines: string[]): void {
    this.out.write(`${lines.join("\n")}\n`);
  }
  stepStarted(step: PreparedStep, attempt: number): void {
    const label = attempt > 1 ? `attempt ${attempt}` : "start";
    const local = step.commandSource?.kind === "local" ? " (local)" : "";
    this.emit([`[${label}] ${step.id} ${step.title}:${local} ${step.shown}`]);
  }
  stepRetrying(step: PreparedStep, attempt: number, delayMs: number, reason: string): void {
    this.emit([`[retry] ${step.id} attempt ${attempt} ${reason}; next in ${formatDuration(delayMs)}`]);
  }
  stepFinished(step: PreparedStep, result: StepResult): void {
    if (result.outcome !== "done") this.emit(resultLines(step, result));
  }
  warn(message: string): void {
    this.emit([`warning: ${message}`]);
  }
  close(): void {}
}

/** Lines above, and a footer below them listing what runs now; the footer is redrawn in place. */
export class LiveReporter extends LineReporter {
  private readonly running = new Map<string, { step: PreparedStep; since: number; attempt: number }>();
  private footerLines = 0;
  private finished = 0;
  private readonly timer: NodeJS.Timeout;

  private readonly columns: number;

  constructor(
    out: Output,
    private readonly total: number,
    columns?: number,
  ) {
    super(out);
    // Some terminals (and `script`) report 0 columns.
    this.columns = columns && columns >= 20 ? columns : 100;
    this.timer = setInterval(() => this.redraw([]), 500);
    this.timer.unref();
  }

  protected override emit(lines: string[]): void {
    this.redraw(lines);
  }

  private redraw(lines: string[]): void {
    // Move to the first footer line and clear to the end of the screen, then write lines and a new footer.
    const clear = this.footerLines > 0 ? `\x1b[${this.footerLines}F\x1b[J` : "";
    const now = performance.now();
    const footer = [...this.running.values()].map(({ step, since, attempt }) => {
      const retry = attempt > 1 ? ` attempt ${attempt}` : "";
      const line = `  … ${step.id} ${step.title}${retry} ${formatDuration(now - since)}`;
      return line.length > this.columns ? `${line.slice(0, this.columns - 1)}…` : line;
    });
    footer.push(`  ${this.finished}/${this.total} finished, ${this.running.size} running`);
    this.footerLines = footer.length;
    const body = lines.length > 0 ? `${lines.join("\n")}\n` : "";
    this.out.write(`${clear}${body}${footer.join("\n")}\n`);
  }

  override stepStarted(step: PreparedStep, attempt: number): void {
    const since = this.running.get(step.id)?.since ?? performance.now();
    this.running.set(step.id, { step, since, attempt });
    super.stepStarted(step, attempt);
  }
  override stepFinished(step: PreparedStep, result: StepResult): void {
    this.running.delete(step.id);
    this.finished++;
    super.stepFinished(step, result);
    if (result.outcome === "done") this.redraw([]);
  }
  override close(): void {
    clearInterval(this.timer);
    if (this.footerLines > 0) this.out.write(`\x1b[${this.footerLines}F\x1b[J`);
    this.footerLines = 0;
  }
}

export const silentReporter: RunReporter = {
  stepStarted() {},
  stepRetrying() {},
  stepFinished() {},
  warn() {},
};
