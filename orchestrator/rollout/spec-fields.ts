/**
 * Reading one manifest's fields with errors that point at them: every problem becomes a RolloutSpecError
 * naming the file, the document, the object and the field path (`spec.strategy.canary.steps[3].experiment`).
 * Every mapping the engine reads is checked against a table of the fields it knows, so a field it does not
 * support (or a misspelt one) is refused by name instead of being skipped.
 */
import { DurationError, parseDuration, parseSecondsOrDuration } from "./duration.ts";

export interface SpecSource {
  file: string;
  index?: number;
}

/** A manifest the local engine cannot run as written; the message says where and why. */
export class RolloutSpecError extends Error {
  constructor(
    readonly source: SpecSource,
    /** `Kind/name` of the object. */
    readonly object: string,
    /** The field, e.g. `spec.strategy.canary.steps[3].experiment` (empty: the object itself). */
    readonly path: string,
    readonly reason: string,
  ) {
    const where = source.index === undefined ? source.file : `${source.file} #${source.index}`;
    super(`${where} ${object}: ${path ? `${path} ` : ""}${reason}`);
    this.name = "RolloutSpecError";
  }
}

/** What the engine does with a field: reads it, knowingly leaves it aside (and why), or refuses it. */
export type FieldRule =
  | "read"
  | { ignored: string }
  /** Refused, unless `allowed(value)` says this value changes nothing (e.g. `paused: false`). */
  | { refused: string; allowed?: (value: unknown) => boolean };

export type FieldRules = Record<string, FieldRule>;

export type Mapping = Record<string, unknown>;

export const isMapping = (value: unknown): value is Mapping =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Absent, or a list or mapping with nothing set in it: a field written out with its zero value. */
export const isEmptyValue = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (Array.isArray(value) && value.length === 0) ||
  (isMapping(value) && Object.values(value).every(isEmptyValue));

/** `what` of a value for messages: `a list`, `string "x"`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return isMapping(value) ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}

/** Field readers bound to one object; every method takes the value and its path. */
export class SpecReader {
  constructor(
    readonly source: SpecSource,
    readonly object: string,
  ) {}

  error(path: string, reason: string): RolloutSpecError {
    return new RolloutSpecError(this.source, this.object, path, reason);
  }

  unsupported(path: string, why: string): RolloutSpecError {
    return this.error(path, `is not supported by the local engine (${why})`);
  }

  /** Refuses any field of `node` its rules do not read or knowingly ignore. */
  checkFields(node: Mapping, path: string, rules: FieldRules): void {
    for (const [key, value] of Object.entries(node)) {
      const rule = rules[key];
      const at = path ? `${path}.${key}` : key;
      if (rule === undefined) {
        throw this.error(at, "is not a field the local engine knows (misspelt, or newer than it)");
      }
      if (typeof rule === "object" && "refused" in rule && !rule.allowed?.(value)) {
        throw this.unsupported(at, rule.refused);
      }
    }
  }

  mapping(value: unknown, path: string): Mapping | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isMapping(value)) throw this.error(path, `must be a mapping, not ${describeValue(value)}`);
    return value;
  }

  requiredMapping(value: unknown, path: string): Mapping {
    const found = this.mapping(value, path);
    if (!found) throw this.error(path, "is required");
    return found;
  }

  list(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(path, `must be a list, not ${describeValue(value)}`);
    return value;
  }

  string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw this.error(path, `must be a string, not ${describeValue(value)}`);
    return value;
  }

  requiredString(value: unknown, path: string): string {
    const found = this.string(value, path);
    if (!found) throw this.error(path, "is required");
    return found;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean")
      throw this.error(path, `must be true or false, not ${describeValue(value)}`);
    return value;
  }

  /** An integer within [min, max]; Argo's IntOrString fields also take a string of digits. */
  integer(
    value: unknown,
    path: string,
    range: { min?: number; max?: number; intOrString?: boolean } = {},
  ): number | undefined {
    if (value === undefined || value === null) return undefined;
    let n = value;
    if (range.intOrString && typeof value === "string") {
      if (value.includes("{{")) {
        throw this.unsupported(path, "a placeholder here is resolved per AnalysisRun; write the number");
      }
      if (/^[+-]?\d+$/.test(value)) n = Number(value);
    }
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw this.error(path, `must be a whole number, not ${describeValue(value)}`);
    }
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (n < min || n > max) {
      const bounds = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      throw this.error(path, `must be ${bounds}, not ${n}`);
    }
    return n;
  }

  /** Seconds of a Go duration string (metric interval, initialDelay). */
  duration(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
      throw this.error(path, `must be a duration string such as "30s" or "5m", not ${describeValue(value)}`);
    }
    return this.parsing(path, () => parseDuration(value));
  }

  /** Seconds of an IntOrString duration (pause.duration): bare integers are seconds. */
  secondsOrDuration(value: unknown, path: string): number {
    return this.parsing(path, () => parseSecondsOrDuration(value));
  }

  private parsing(path: string, parse: () => number): number {
    try {
      return parse();
    } catch (error) {
      if (error instanceof DurationError) throw this.error(path, `is invalid: ${error.message}`);
      throw error;
    }
  }
}
