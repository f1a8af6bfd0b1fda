/**
 * The line-level forms a PRD uses: task lines (`TASK_001 [HIGH]: Title - description`), phase headings
 * (`Phase 3: Title (Priority: Critical)`), dependency clauses (`(after: 3, 2.1)`, `Depends on: Phase 2`),
 * priorities, inline commands and local alternatives (`(locally: \`npx canary rollout promote x\`)`).
 * Patterns run on a copy of the line whose code spans are masked, so text inside backticks never looks
 * like a separator or a clause.
 */
import type { Priority } from "../tasks/model.ts";
import type { CodeSpan, InlineLine } from "./markdown.ts";

/** A dependency as written, before ids are known. `parts` are the alternatives when "A and B" is no title. */
export type DepRef =
  | { kind: "id"; task: number; subtask?: number }
  | { kind: "phase"; number: number }
  | { kind: "title"; title: string; parts?: DepRef[] };

/** What a heading, task line or checklist item says about the task it starts. */
export interface TitleParts {
  title: string;
  description: string;
  priority?: Priority;
  /** From `TASK_NNN`. */
  taskId?: number;
  /** From `Phase N`, only looked for in headings. */
  phaseNumber?: number;
  /** Explicit dependencies; `[]` means "Depends on: none" (which still overrides the defaults). */
  refs?: DepRef[];
  command?: string;
  /** The code span after `locally:` (or `local:`): what runs when no Kubernetes cluster is present. */
  localCommand?: string;
}

const TASK_PREFIX = /^\s*TASK[_-]?(\d+)\b\s*[:.–—-]?\s*/di;
const PHASE_PREFIX = /^\s*phase\s+(\d+)\b\s*[:.–—-]?\s*/di;
const PRIORITY_TAG =
  /\(\s*priority\s*:\s*(critical|high|medium|low)\s*\)|\[\s*(critical|high|medium|low)\s*\]|\bpriority\s*:\s*(critical|high|medium|low)\b/di;
const PAREN_CLAUSE = /\(\s*(?:after|depends\s+on)\s*:\s*([^)]*)\)/di;
// In a title, "Depends on:" must open the line or follow punctuation, so prose like "it depends on: …" mid
// sentence in an item is not taken for a clause; in a prose line it must open the line.
const TITLE_TAIL_CLAUSE = /(?:^|[.;,–—-]\s)\s*depends\s+on\s*:\s*(.*)$/di;
const LINE_CLAUSE = /^\s*depends\s+on\s*:\s*(.*)$/di;
const DASH_SEPARATOR = /\s[-–—]\s/d;
const SENTENCE_END = /[.!?]\s+(?=\S)/d;

export const TASK_LINE = /^\s*TASK[_-]?\d+\b/i;
/** Headings whose plain list items are steps, not notes: "Tasks", "Deployment Steps", "Checklist". */
export const TASKS_TITLE = /(?:^|\s)(?:tasks?|steps?|checklists?|to-?dos?|action\s+items)$/i;
/** A heading that is nothing but such a word belongs to the heading above it. */
export const GENERIC_TASKS_TITLE = /^(?:tasks?|steps?|checklists?|to-?dos?|action\s+items)$/i;

/** The line's text and a same-length copy with code spans masked; edits apply to both. */
class MaskedLine {
  real: string;
  masked: string;

  constructor(line: InlineLine) {
    this.real = line.text;
    const chars = line.text.split("");
    for (const code of line.codes) chars.fill("x", code.start, code.end);
    this.masked = chars.join("");
  }

  /** Removes the first match of `pattern` (with the `d` flag) and returns the real text of its groups. */
  take(pattern: RegExp): string[] | undefined {
    const match = pattern.exec(this.masked);
    if (!match) return undefined;
    const groups = (match.indices ?? []).slice(1).map((range) => (range ? this.real.slice(...range) : ""));
    const end = match.index + match[0].length;
    this.real = `${this.real.slice(0, match.index)} ${this.real.slice(end)}`;
    this.masked = `${this.masked.slice(0, match.index)} ${this.masked.slice(end)}`;
    return groups;
  }

  /** The real text before and after the first match of `pattern`, or the whole text and "". */
  split(pattern: RegExp): [string, string] {
    const match = pattern.exec(this.masked);
    if (!match) return [this.real, ""];
    return [this.real.slice(0, match.index), this.real.slice(match.index + match[0].length)];
  }
}

function takeDependencies(text: MaskedLine, tail: RegExp): DepRef[] | undefined {
  let refs: DepRef[] | undefined;
  for (let groups = text.take(PAREN_CLAUSE); groups; groups = text.take(PAREN_CLAUSE)) {
    refs = [...(refs ?? []), ...parseRefs(groups[0]!)];
  }
  const groups = text.take(tail);
  if (groups) refs = [...(refs ?? []), ...parseRefs(groups[0]!)];
  return refs;
}

/** The title line of a heading, task line or checklist item, taken apart. */
export function parseTitleLine(line: InlineLine, options: { phase?: boolean } = {}): TitleParts {
  // The local alternative is an annotation, not part of the title (titles are what re-parses match on).
  const localCommand = localCommandOf(line);
  const own = withoutLocalClauses(line);
  const text = new MaskedLine(own);
  const refs = takeDependencies(text, TITLE_TAIL_CLAUSE);
  const priorityGroups = text.take(PRIORITY_TAG);
  const taskGroups = text.take(TASK_PREFIX);
  const phaseGroups = !taskGroups && options.phase ? text.take(PHASE_PREFIX) : undefined;
  let [title, description] = text.split(DASH_SEPARATOR);
  // "Install deps. This takes a minute." → title "Install deps", the rest describes it.
  if (!description) [title, description] = text.split(SENTENCE_END);
  const parts: TitleParts = { title: cleanTitle(title), description: collapse(description) };
  const priority = priorityGroups?.find(Boolean)?.toLowerCase();
  if (priority) parts.priority = priority as Priority;
  if (taskGroups) parts.taskId = Number(taskGroups[0]);
  if (phaseGroups) {
    parts.phaseNumber = Number(phaseGroups[0]);
    parts.title ||= `Phase ${parts.phaseNumber}`;
  }
  if (refs) parts.refs = refs;
  const command = commandOf(own);
  if (command) parts.command = command;
  if (localCommand) parts.localCommand = localCommand;
  return parts;
}

/** Dependencies declared by a prose line: `Depends on: …` opening it, or `(after: …)` anywhere. */
export function lineDependencies(line: InlineLine): DepRef[] | undefined {
  return takeDependencies(new MaskedLine(line), LINE_CLAUSE);
}

const NO_DEPENDENCIES = /^(?:none|nothing|n\/a|-|–|—)$/i;
const ID_REF = /^(?:task\s*#?\s*|task[_-]|#)?(\d+)(?:\.(\d+))?$/i;
const PHASE_REF = /^phase\s+(\d+)\b/i;
const AND = /\s+(?:and|&)\s+/i;

/** `3, 2.1, Task 4, TASK_004, Phase 2, Set up the cluster` → refs; `none` → no refs. */
export function parseRefs(list: string): DepRef[] {
  const refs: DepRef[] = [];
  for (const part of list.split(/[,;]/)) {
    const token = part
      .trim()
      .replace(/^[`"'*_]+|[`"'*_.]+$/g, "")
      .trim();
    if (!token || NO_DEPENDENCIES.test(token)) continue;
    const id = ID_REF.exec(token);
    const phase = PHASE_REF.exec(token);
    if (id)
      refs.push(
        id[2]
          ? { kind: "id", task: Number(id[1]), subtask: Number(id[2]) }
          : { kind: "id", task: Number(id[1]) },
      );
    else if (phase) refs.push({ kind: "phase", number: Number(phase[1]) });
    else if (AND.test(token))
      refs.push({ kind: "title", title: token, parts: token.split(AND).flatMap(parseRefs) });
    else refs.push({ kind: "title", title: token });
  }
  return refs;
}

// Code spans that are data, not commands: JSON/HTML/quoted text, HTTP routes, `key: value` settings.
const NOT_A_COMMAND = /^(?:[{[<"'#(]|(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\/|[\w.-]+:\s)/;

// `locally:` / `local:` right before a code span (an opening parenthesis before it belongs to the clause).
const LOCAL_MARK = /(\(\s*)?\blocal(?:ly)?\s*:\s*$/i;

const isLocal = (line: Pick<InlineLine, "text">, code: CodeSpan) =>
  LOCAL_MARK.test(line.text.slice(0, code.start));
const commandText = (code: CodeSpan) => code.value.trim().replace(/^\$\s+/, "");

/**
 * The first code span that reads as a command line. Guides also put file names and identifiers in
 * backticks (`wrangler.toml`, `replicas`), so a command needs arguments (`npm test`) or an explicit path
 * (`./run.sh`); a leading shell prompt (`$ npm ci`) is dropped. A span after `locally:` is the local
 * alternative (see {@link localCommandOf}), never the command.
 */
export function commandOf(line: Pick<InlineLine, "text" | "codes">): string | undefined {
  for (const code of line.codes) {
    const value = commandText(code);
    if (isLocal(line, code) || NOT_A_COMMAND.test(value)) continue;
    if (/\s/.test(value) || /^\.{1,2}\//.test(value)) return value;
  }
  return undefined;
}

/** The code span right after `locally:` / `local:`: the author marked it a command, so it is taken as is. */
export function localCommandOf(line: Pick<InlineLine, "text" | "codes">): string | undefined {
  for (const code of line.codes) {
    const value = commandText(code);
    if (value && isLocal(line, code)) return value;
  }
  return undefined;
}

/** `line` without its `locally: \`…\`` clauses (with their parentheses, when they have both). */
function withoutLocalClauses(line: InlineLine): InlineLine {
  const code = line.codes.find((c) => isLocal(line, c));
  if (!code) return line;
  const mark = LOCAL_MARK.exec(line.text.slice(0, code.start))!;
  const close = mark[1] ? /^\s*\)/.exec(line.text.slice(code.end)) : null;
  const start = mark.index + (mark[1] && !close ? mark[1].length : 0);
  const end = code.end + (close ? close[0].length : 0);
  const shift = start + 1 - end;
  return withoutLocalClauses({
    text: `${line.text.slice(0, start)} ${line.text.slice(end)}`,
    line: line.line,
    codes: line.codes
      .filter((c) => c.end <= start || c.start >= end)
      .map((c) => (c.start >= end ? { ...c, start: c.start + shift, end: c.end + shift } : c)),
  });
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Whitespace collapsed; trailing separators and a single trailing period dropped ("Set up:" → "Set up"). */
export function cleanTitle(text: string): string {
  return collapse(text)
    .replace(/[\s:;,–—-]+$/, "")
    .replace(/(?<!\.)\.$/, "");
}

/** The key titles are matched on: case, spacing and emphasis marks do not matter. */
export function normalizeTitle(title: string): string {
  return collapse(title.replace(/[`*_]/g, "")).toLowerCase();
}

const MAX_SUMMARY = 300;

/** A paragraph's first sentence, bounded: what `description` holds when no " - " gave one. */
export function firstSentence(text: string): string {
  const flat = collapse(text);
  const end = SENTENCE_END.exec(flat);
  const sentence = end ? flat.slice(0, end.index + 1) : flat;
  return sentence.length > MAX_SUMMARY ? `${sentence.slice(0, MAX_SUMMARY - 1).trimEnd()}…` : sentence;
}
