/**
 * What every task command shares: `-f/--file` and `--tag`, error reporting (one line on stderr, a
 * non-zero exit, no stack trace unless CANARY_DEBUG is set), and plain-text tables.
 */
import type { Command } from "commander";
import { DEFAULT_TAG, DEFAULT_TASKS_FILE, type TaskStatus } from "../tasks/model.ts";
import { normalizeStatus, STATUS_LIST } from "../tasks/status.ts";

export interface TaskFileOptions {
  file: string;
  tag: string;
}

/** A mistake on the command line (as opposed to a problem in a file). */
export class UsageError extends Error {
  override name = "UsageError";
}

export function withTaskFileOptions(command: Command): Command {
  return command
    .option("-f, --file <tasks.json>", "tasks file", DEFAULT_TASKS_FILE)
    .option("--tag <tag>", "tag (task list) inside a tagged tasks file", DEFAULT_TAG);
}

export function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`canary: ${message}\n`);
  if (process.env.CANARY_DEBUG && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = 1;
}

/** Wraps a command action so a thrown error becomes one line on stderr and exit status 1. */
export function action<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      reportError(error);
    }
  };
}

/** `"done,in_progress"` → ["done", "in-progress"]; synonyms accepted, anything else is a usage error. */
export function parseStatuses(text: string): TaskStatus[] {
  return text.split(",").map((part) => {
    const status = normalizeStatus(part);
    if (!status) throw new UsageError(`unknown status "${part.trim()}" (expected ${STATUS_LIST})`);
    return status;
  });
}

export function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Columns padded to their widest cell. On a terminal the last column is cut to fit the window; in a pipe
 * nothing is cut, so `grep` sees whole titles.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const last = headers.length - 1;
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  if (columns) {
    const used = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
    widths[last] = Math.max(headers[last]!.length, Math.min(widths[last]!, columns - used - 1));
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i]!;
        const fitted = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return i === last ? fitted : fitted.padEnd(width);
      })
      .join("  ");
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

export function progressBar(percent: number, width = 24): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}
