/** Checklist items → subtask drafts, and the bounds on text copied from the source. */
import type { ListItem } from "mdast";
import type { DepClause, SubtaskDraft } from "./drafts.ts";
import { commandOf, firstSentence, lineDependencies, localCommandOf, type TitleParts } from "./forms.ts";
import { blockSource, type InlineLine, sourceOf, splitLines } from "./markdown.ts";

/** Prose kept per task: enough to act on, bounded so a wall of text does not bloat tasks.json. */
export const MAX_DETAILS = 4000;

export function bounded(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_DETAILS ? `${trimmed.slice(0, MAX_DETAILS).trimEnd()}\n…` : trimmed;
}

/**
 * A step from a list item whose first paragraph's lines are `lines` (title line parsed into `parts`).
 * The item's later lines and blocks are its details — nested checklists stay there, as written — except
 * dependency lines, which are its own.
 */
export function subtaskFromItem(
  source: string,
  file: string,
  item: ListItem,
  lines: InlineLine[],
  parts: TitleParts,
): SubtaskDraft {
  const [first, ...rest] = item.children;
  const head = lines[0]!;
  const clauses: DepClause[] = parts.refs ? [{ refs: parts.refs, source: { file, line: head.line } }] : [];
  const raw = splitLines(sourceOf(source, first!));
  const details: string[] = [];
  const plain: string[] = [];
  let command = parts.command;
  let localCommand = parts.localCommand;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const refs = lineDependencies(line);
    if (refs) clauses.push({ refs, source: { file, line: line.line } });
    else {
      details.push((raw[i] ?? line.text).trim());
      plain.push(line.text);
      command ??= commandOf(line);
      localCommand ??= localCommandOf(line);
    }
  }
  for (const child of rest) details.push(blockSource(source, child));
  const subtask: SubtaskDraft = {
    title: parts.title,
    description: parts.description || (plain.length > 0 ? firstSentence(plain.join(" ")) : ""),
    details: bounded(details.join("\n")),
    done: item.checked === true,
    source: { file, line: head.line },
    clauses,
    dependencies: [],
  };
  if (command) subtask.command = command;
  if (localCommand) subtask.localCommand = localCommand;
  return subtask;
}
