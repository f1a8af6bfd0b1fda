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
  /** A logger whose lines also carry `fields` (e.g. the request id). */
  child(fields: LogFields): Logger;
}

export function createLogger(options: {
  service: string;
  level?: LogLevel;
  sink?: LogSink;
  fields?: LogFields;
}): Logger {
  const threshold = rank[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => console.log(line));
  const base = { service: options.service, ...options.fields };
  const write = (level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
    if (rank[level] < threshold) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }));
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}
