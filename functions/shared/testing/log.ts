import { createLogger, type Logger, type LogLevel } from "../logger.ts";

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps its lines, parsed, for assertions. */
export function captureLog(level: LogLevel = "debug"): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    service: "test",
    level,
    sink: (line) => lines.push(JSON.parse(line) as LogLine),
  });
  return { log, lines };
}

export const silentLog: Logger = createLogger({ service: "test", level: "silent" });
