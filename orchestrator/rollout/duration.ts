/**
 * Durations as Argo Rollouts manifests write them. Argo reads them with Go's time.ParseDuration ("30s",
 * "1h30m", "500ms", "1.5h"), except a pause's duration, an IntOrString where a bare integer (or a string of
 * one) counts seconds. Everything here is in seconds; the engine turns them into milliseconds (× timeScale).
 */

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DurationError";
  }
}

/** Go's units, in seconds. µ (U+00B5) and μ (U+03BC) both spell micro, as in Go. */
const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const MAX_SECONDS = (2 ** 63 - 1) / 1e9;

const EXAMPLES = 'e.g. "30s", "2m", "1h30m", "500ms"';

/** One "<number><unit>" element of a Go duration: digits with an optional fraction, then letters. */
const ELEMENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Seconds of a Go duration string (time.ParseDuration's grammar). Negative durations are refused: no
 * manifest field that takes one means anything by it.
 */
export function parseDuration(text: string): number {
  const bad = (why: string) => new DurationError(`"${text}" is not a duration: ${why} (${EXAMPLES})`);
  const negative = text.startsWith("-");
  let rest = negative || text.startsWith("+") ? text.slice(1) : text;
  if (rest === "0") return 0;
  if (rest === "") throw bad("it is empty");
  let seconds = 0;
  while (rest !== "") {
    const [element = "", whole = "", fraction, unit = ""] = ELEMENT.exec(rest) ?? [];
    if (whole === "" && !fraction) throw bad("a number is missing");
    if (unit === "")
      throw bad(`the unit after ${whole}${fraction === undefined ? "" : `.${fraction}`} is missing`);
    const scale = UNIT_SECONDS[unit];
    if (scale === undefined) throw bad(`unknown unit "${unit}" (units: ns, us, ms, s, m, h)`);
    seconds += Number(`${whole || "0"}.${fraction || "0"}`) * scale;
    rest = rest.slice(element.length);
  }
  // Go's limit: an int64 of nanoseconds, about 292 years.
  if (seconds > MAX_SECONDS) throw bad("it is longer than Go's limit of about 292 years");
  if (negative && seconds > 0) throw bad("it is negative");
  return seconds;
}

/** Go's strconv.ParseInt(s, 10, 32): an optional sign and decimal digits, within int32. */
const INT32 = /^[+-]?\d+$/;

/**
 * Seconds of an IntOrString duration as Argo reads `pause.duration` (RolloutPause.DurationSeconds): an
 * integer, or a string of one, is seconds; any other string is a Go duration cut to whole seconds (Argo
 * truncates, so "1500ms" pauses 1 s and "500ms" does not pause).
 */
export function parseSecondsOrDuration(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new DurationError(`${value} is not a whole number of seconds`);
    if (value < 0) throw new DurationError(`${value} is negative`);
    return value;
  }
  if (typeof value !== "string") {
    throw new DurationError(`expected seconds or a duration string (${EXAMPLES}), got ${describe(value)}`);
  }
  if (INT32.test(value)) {
    const seconds = Number(value);
    if (seconds < 0) throw new DurationError(`"${value}" is negative`);
    if (seconds > 2 ** 31 - 1) throw new DurationError(`"${value}" is out of range`);
    return seconds;
  }
  return Math.trunc(parseDuration(value));
}

/** What a value is, for messages. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * A duration for people: "2m", "1m30s", "1h", "1.5s", "250ms", "0s" (milliseconds precision; zero parts
 * left out, unlike Go's "2m0s").
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  const totalMs = Math.round(seconds * 1000);
  if (totalMs === 0) return "0s";
  if (totalMs < 1000) return `${totalMs}ms`;
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const ms = totalMs % 60_000;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (ms > 0) parts.push(`${ms / 1000}s`);
  return parts.join("");
}
