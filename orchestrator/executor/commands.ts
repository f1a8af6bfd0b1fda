/**
 * Where a step's command comes from: the inline code the PRD gave it, else the first rule of the mapping
 * file whose phrase pattern matches the step's title (then its description). Templates may use `$1` or
 * `$<name>` for the pattern's groups and `${NAME}` for variables (expanded later, see variables.ts).
 *
 * Rules marked `manual` name phrases that mean a person has to do the step ("in a second terminal": a
 * server meant to keep running). They win over everything, inline code and local alternatives included,
 * because running such a command to completion would hang the run.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The mapping file shipped with canary. */
export const DEFAULT_COMMAND_MAP = fileURLToPath(new URL("./command-map.json", import.meta.url));

export interface CommandRule {
  /** The program the template runs (for reports), e.g. `terraform`. */
  tool: string;
  pattern: RegExp;
  /** Absent for manual rules. */
  command?: string;
  /** Lower-case captured text (Kubernetes names, bench names) before it goes into the command. */
  lowercase: boolean;
  /** Why a step matching a manual rule is left to a person; undefined for command rules. */
  manual?: string;
}

export interface CommandMap {
  file: string;
  rules: CommandRule[];
}

/** `local`: the step's local alternative (`locally: \`…\`` in the PRD), for machines without a cluster. */
export type CommandSource =
  | { kind: "inline" }
  | { kind: "mapped"; tool: string; pattern: string }
  | { kind: "local" };

export interface ResolvedCommand {
  kind: "command";
  /** The command with `${NAME}` references still in it. */
  template: string;
  source: CommandSource;
}

export type Resolution = ResolvedCommand | { kind: "manual"; reason: string };

export const NO_COMMAND = "no command: do it by hand, then mark it done";

const commandRuleSchema = z
  .object({
    pattern: z.string().min(1),
    tool: z.string().min(1).optional(),
    command: z.string().min(1).optional(),
    lowercase: z.boolean().optional(),
    manual: z.literal(true).optional(),
    reason: z.string().min(1).optional(),
  })
  .superRefine((rule, ctx) => {
    const needed = rule.manual ? (["reason"] as const) : (["tool", "command"] as const);
    for (const key of needed) {
      if (rule[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "is required" });
    }
  });

const commandMapSchema = z.object({ rules: z.array(commandRuleSchema) });

export function parseCommandMap(json: unknown, file: string): CommandMap {
  const parsed = commandMapSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`command map ${file}: ${first?.path.join(".") || "root"}: ${first?.message}`);
  }
  return {
    file,
    rules: parsed.data.rules.map((rule, index): CommandRule => {
      try {
        const pattern = new RegExp(rule.pattern, "i");
        return rule.manual
          ? { tool: "manual", pattern, lowercase: false, manual: rule.reason! }
          : { tool: rule.tool!, command: rule.command!, pattern, lowercase: rule.lowercase === true };
      } catch (error) {
        throw new Error(`command map ${file}: rules.${index}.pattern: ${(error as Error).message}`);
      }
    }),
  };
}

export async function loadCommandMap(file: string = DEFAULT_COMMAND_MAP): Promise<CommandMap> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot load command map ${file}: ${(error as Error).message}`);
  }
  return parseCommandMap(json, file);
}

/**
 * Text captured from a PRD goes into a shell command, so a captured group may only hold characters that
 * cannot change the command's shape (names, paths, refs); anything else makes the rule not match.
 */
const SAFE_CAPTURE = /^[\w./:@=,+-]*$/;

function fillTemplate(rule: CommandRule, match: RegExpExecArray): string | undefined {
  // Named groups are numbered groups too, so checking the numbered ones covers both.
  if (!match.slice(1).every((g) => g === undefined || SAFE_CAPTURE.test(g))) return undefined;
  return rule.command!.replace(
    /\$(\d)|\$<([A-Za-z_]\w*)>/g,
    (_, index: string | undefined, name?: string) => {
      const text = (index !== undefined ? match[Number(index)] : match.groups?.[name!]) ?? "";
      return rule.lowercase ? text.toLowerCase() : text;
    },
  );
}

export function matchCommandMap(text: string, map: CommandMap): ResolvedCommand | undefined {
  for (const rule of map.rules) {
    if (rule.manual !== undefined) continue;
    const match = rule.pattern.exec(text);
    if (!match) continue;
    const template = fillTemplate(rule, match);
    if (template !== undefined) {
      return {
        kind: "command",
        template,
        source: { kind: "mapped", tool: rule.tool, pattern: rule.pattern.source },
      };
    }
  }
  return undefined;
}

interface StepText {
  title: string;
  description: string;
}

function manualRule(step: StepText, map: CommandMap): CommandRule | undefined {
  return map.rules.find(
    (rule) =>
      rule.manual !== undefined && (rule.pattern.test(step.title) || rule.pattern.test(step.description)),
  );
}

// tasks.json is hand-edited too: a command that is not a non-blank string does not count.
const isCommand = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

export function resolveCommand(step: StepText & { command?: string }, map: CommandMap): Resolution {
  const manual = manualRule(step, map);
  if (manual) return { kind: "manual", reason: manual.manual! };
  if (isCommand(step.command)) {
    return { kind: "command", template: step.command, source: { kind: "inline" } };
  }
  const mapped =
    matchCommandMap(step.title, map) ??
    (step.description ? matchCommandMap(step.description, map) : undefined);
  return mapped ?? { kind: "manual", reason: NO_COMMAND };
}

/** The step's local alternative, unless a manual rule leaves the step to a person whatever runs it. */
export function resolveLocalCommand(
  step: StepText & { localCommand?: string },
  map: CommandMap,
): ResolvedCommand | undefined {
  if (!isCommand(step.localCommand) || manualRule(step, map)) return undefined;
  return { kind: "command", template: step.localCommand, source: { kind: "local" } };
}
