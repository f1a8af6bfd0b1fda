/**
 * `${NAME}` variables in step commands. Values come from a JSON config file, the environment and
 * `--set NAME=value`, later sources winning (config < env < --set), so a CI job can override a checked-in
 * default without editing it. `${NAME:-default}` falls back like the shell does; `$${NAME}` stays literal.
 * Values are inserted verbatim (as make and go-task do): they come from the operator, not from the PRD.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

export type Variables = Readonly<Record<string, string>>;

/** `$${` (an escaped `${`), or a reference `${NAME}` / `${NAME:-default}`. Other `${…}` forms are the shell's. */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Expansion {
  text: string;
  /** Names referenced without a value or a default, in order of first use. */
  missing: string[];
}

export function expandVariables(template: string, variables: Variables): Expansion {
  const missing: string[] = [];
  const text = template.replace(
    REFERENCE,
    (whole, name: string | undefined, fallback: string | undefined) => {
      if (name === undefined) return "${";
      const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (fallback !== undefined) return value ? value : fallback;
      if (value !== undefined) return value;
      if (!missing.includes(name)) missing.push(name);
      return whole;
    },
  );
  return { text, missing };
}

/** `NAME=value` from `--set`; the value may contain `=`. */
export function parseAssignment(text: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) throw new Error(`expected NAME=value, got "${text}"`);
  return [match[1]!, match[2]!];
}

const variablesFileSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export async function readVariablesFile(file: string): Promise<Record<string, string>> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read variables file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`variables file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = variablesFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`variables file ${file} must be an object of string, number or boolean values`);
  }
  return Object.fromEntries(Object.entries(parsed.data).map(([k, v]) => [k, String(v)]));
}

export interface VariableSources {
  /** Parsed config file (lowest precedence). */
  config?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** `--set` assignments, in command-line order (highest precedence; the last one wins). */
  sets?: readonly string[];
}

/** Merged variables; also the environment the steps' processes get, so scripts see `--set` values too. */
export function mergeVariables(sources: VariableSources): Record<string, string> {
  const merged: Record<string, string> = { ...sources.config };
  for (const [name, value] of Object.entries(sources.env ?? {})) {
    if (value !== undefined) merged[name] = value;
  }
  for (const assignment of sources.sets ?? []) {
    const [name, value] = parseAssignment(assignment);
    merged[name] = value;
  }
  return merged;
}
