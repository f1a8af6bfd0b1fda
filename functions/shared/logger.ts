/** Structured JSON logs: one object per line, carrying the service, request id and trace id. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written (lets callers skip building fields). */
  enabled(level: Exclude<LogLevel, "silent">): boolean;
  /** A logger whose lines also carry `fields` (e.g. the request id). */
  child(fields: LogFields): Logger;
}

const consoleSink: LogSink = (line) => console.log(line);

/**
 * One small object per logger; a child shares its parent's settings and only adds fields, because a child
 * is made for every request.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly threshold: number,
    private readonly sink: LogSink,
    private readonly fields: LogFields,
  ) {}

  enabled(level: Exclude<LogLevel, "silent">): boolean {
    return rank[level] >= this.threshold;
  }

  private write(level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields): void {
    if (rank[level] < this.threshold) return;
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...this.fields, ...fields }));
  }

  debug(msg: string, fields?: LogFields): void {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write("error", msg, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.threshold, this.sink, { ...this.fields, ...fields });
  }
}

export function createLogger(options: {
  service: string;
  level?: LogLevel;
  sink?: LogSink;
  fields?: LogFields;
}): Logger {
  return new JsonLogger(rank[options.level ?? "info"], options.sink ?? consoleSink, {
    service: options.service,
    ...options.fields,
  });
}
