/**
 * One Markdown document → task drafts. A single pass over the top-level blocks: headings open sections,
 * task lines open tasks inside them, and lists, dependency lines and prose go to whichever is open (the
 * "owner"). A heading becomes a task only once a checklist item shows up in its own section.
 */
import { basename, extname } from "node:path";
import type { Heading, List, ListItem, Paragraph, RootContent } from "mdast";
import type { DepClause, PhaseDraft, TaskDraft } from "./drafts.ts";
import type { PrdProblem } from "./errors.ts";
import {
  type DepRef,
  firstSentence,
  GENERIC_TASKS_TITLE,
  lineDependencies,
  parseTitleLine,
  TASK_LINE,
  TASKS_TITLE,
  type TitleParts,
} from "./forms.ts";
import {
  blockSource,
  encodingDamage,
  type InlineLine,
  inlineLines,
  joinLines,
  parseMarkdown,
  sourceOf,
  splitLines,
} from "./markdown.ts";
import { bounded, MAX_DETAILS, subtaskFromItem } from "./steps.ts";

export interface DocumentDrafts {
  tasks: TaskDraft[];
  phases: PhaseDraft[];
  warnings: PrdProblem[];
}

/** Whatever content currently lands in: a heading's section, or a task line inside it. */
interface Owner {
  task?: TaskDraft;
  createTask: (line: number) => TaskDraft;
  clauses: DepClause[];
  prose: string[];
  proseChars: number;
  /** First sentence of the first prose paragraph: the description when the title line gave none. */
  summary?: string;
  /** Under a "Tasks"/"Steps" heading plain list items are steps too. */
  plainItems: boolean;
  /** Set for a phase heading's own section: its dependency lines are the phase's. */
  phase?: PhaseDraft;
  depth: number;
}

export function extractDocument(file: string, text: string): DocumentDrafts {
  return new Extractor(file, text).run();
}

class Extractor {
  private readonly file: string;
  private readonly text: string;
  private readonly tasks: TaskDraft[] = [];
  private readonly phases: PhaseDraft[] = [];
  private readonly warnings: PrdProblem[] = [];
  private readonly headings: { depth: number; title: string }[] = [];
  private section: Owner;
  private taskLine: Owner | undefined;
  private phase: PhaseDraft | undefined;
  private phaseDepth = 0;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    // A checklist before any heading is named after the file.
    const title = basename(file, extname(file)) || file;
    this.section = this.owner(0, (line) => this.addTask({ title, description: "" }, line, false));
  }

  run(): DocumentDrafts {
    const damage = encodingDamage(this.text);
    if (damage) this.warn(damage.line, damage.message);
    for (const node of parseMarkdown(this.text).children) this.block(node);
    this.finishSection();
    return { tasks: this.tasks, phases: this.phases, warnings: this.warnings };
  }

  private get active(): Owner {
    return this.taskLine ?? this.section;
  }

  private block(node: RootContent): void {
    if (node.type === "heading") this.heading(node);
    else if (node.type === "paragraph") this.paragraph(node, inlineLines(this.text, node), 0);
    else if (node.type === "list") this.list(node);
    else if (node.type === "code" || node.type === "blockquote" || node.type === "table") {
      this.addProse(this.active, blockSource(this.text, node));
    }
    // html, definitions, thematic breaks and footnotes carry no steps and no prose worth keeping.
  }

  private heading(node: Heading): void {
    const line = joinLines(inlineLines(this.text, node));
    const parts = parseTitleLine(line, { phase: true });
    const plain = parts.taskId === undefined && parts.phaseNumber === undefined;
    const generic = plain && GENERIC_TASKS_TITLE.test(parts.title);
    if (generic && this.section.depth > 0 && this.section.depth < node.depth) {
      // "### Steps" under "## Deploy": Deploy's own steps, listed under a sub-heading.
      this.finishTaskLine();
      this.section.plainItems = true;
      this.addClause(this.section.clauses, parts.refs, line.line);
      return;
    }
    this.finishSection();
    while ((this.headings.at(-1)?.depth ?? 0) >= node.depth) this.headings.pop();
    const parent = this.headings.at(-1);
    const title = (generic && parent?.title) || parts.title || "(untitled)";
    this.headings.push({ depth: node.depth, title });
    if (parts.phaseNumber !== undefined) {
      this.phase = {
        file: this.file,
        number: parts.phaseNumber,
        title,
        source: this.at(line.line),
        clauses: [],
        tasks: [],
      };
      if (parts.priority) this.phase.priority = parts.priority;
      this.phases.push(this.phase);
      this.phaseDepth = node.depth;
    } else if (this.phase && node.depth <= this.phaseDepth) {
      this.phase = undefined;
    }
    // Code in a heading names things ("`npm start` exits with …"); only a TASK_ heading carries a command.
    const commands = parts.taskId === undefined ? { command: undefined, localCommand: undefined } : {};
    const section = this.owner(node.depth, () =>
      this.addTask({ ...parts, title, ...commands }, line.line, false),
    );
    section.plainItems = TASKS_TITLE.test(parts.title);
    if (parts.phaseNumber !== undefined) section.phase = this.phase;
    this.addClause(section.clauses, parts.refs, line.line);
    this.section = section;
    if (parts.taskId !== undefined) this.ensureTask(section, line.line);
  }

  /** Paragraph lines from `from` on: task lines open tasks, dependency lines attach, the rest is prose. */
  private paragraph(node: Paragraph, lines: InlineLine[], from: number): void {
    const raw = splitLines(sourceOf(this.text, node));
    let prose: string[] = [];
    let plain: string[] = [];
    const flush = () => {
      if (prose.length > 0) this.addProse(this.active, prose.join("\n"), plain.join(" "));
      prose = [];
      plain = [];
    };
    for (let i = from; i < lines.length; i++) {
      const line = lines[i]!;
      if (TASK_LINE.test(line.text)) {
        flush();
        this.startTaskLine(line, false);
        continue;
      }
      const refs = lineDependencies(line);
      if (refs) this.addClause(this.active.clauses, refs, line.line);
      else {
        prose.push((raw[i] ?? line.text).trim());
        plain.push(line.text.trim());
      }
    }
    flush();
  }

  private list(node: List): void {
    for (const item of node.children) this.listItem(item);
  }

  private listItem(item: ListItem): void {
    const [first, ...rest] = item.children;
    const lines = first?.type === "paragraph" ? inlineLines(this.text, first) : [];
    const head = lines[0];
    if (!head || first?.type !== "paragraph") this.nestedLists(item);
    else if (TASK_LINE.test(head.text)) {
      // `- [ ] **TASK_002** …`: a task, its nested checklist its subtasks.
      this.startTaskLine(head, item.checked === true);
      this.paragraph(first, lines, 1);
      for (const child of rest) this.block(child);
    } else this.step(item, lines);
  }

  /** A checklist item (or any item under a tasks heading) is a step of the open task. */
  private step(item: ListItem, lines: InlineLine[]): void {
    const head = lines[0]!;
    const parts = parseTitleLine(head);
    const owner = this.active;
    if (!parts.title && parts.refs) this.addClause(owner.clauses, parts.refs, head.line);
    else if (parts.title && (item.checked !== null || owner.plainItems)) {
      this.ensureTask(owner, head.line).subtasks.push(
        subtaskFromItem(this.text, this.file, item, lines, parts),
      );
    } else this.nestedLists(item);
  }

  /** A plain item outside a tasks section is a note, but it may group checklists ("- Backend" → items). */
  private nestedLists(item: ListItem): void {
    for (const child of item.children) if (child.type === "list") this.list(child);
  }

  private startTaskLine(line: InlineLine, checked: boolean): void {
    this.finishTaskLine();
    const parts = parseTitleLine(line);
    const owner = this.owner(this.section.depth, () => this.addTask(parts, line.line, checked));
    owner.plainItems = this.section.plainItems;
    this.addClause(owner.clauses, parts.refs, line.line);
    this.ensureTask(owner, line.line);
    this.taskLine = owner;
  }

  private addTask(parts: Omit<TitleParts, "refs">, line: number, checked: boolean): TaskDraft {
    const task: TaskDraft = {
      id: 0,
      title: parts.title || "(untitled)",
      description: parts.description,
      details: "",
      source: this.at(line),
      checked,
      clauses: [],
      subtasks: [],
      dependencies: [],
    };
    if (parts.taskId !== undefined && parts.taskId > 0) task.explicitId = parts.taskId;
    else if (parts.taskId !== undefined)
      this.warn(line, "TASK_000 is not a task id (ids start at 1); a free id is used");
    if (parts.priority) task.priority = parts.priority;
    if (parts.command) task.command = parts.command;
    if (parts.localCommand) task.localCommand = parts.localCommand;
    if (this.phase) {
      task.phase = this.phase;
      this.phase.tasks.push(task);
    }
    this.tasks.push(task);
    return task;
  }

  private owner(depth: number, createTask: (line: number) => TaskDraft): Owner {
    return { createTask, clauses: [], prose: [], proseChars: 0, plainItems: false, depth };
  }

  private ensureTask(owner: Owner, line: number): TaskDraft {
    owner.task ??= owner.createTask(line);
    return owner.task;
  }

  private addClause(clauses: DepClause[], refs: DepRef[] | undefined, line: number): void {
    if (refs) clauses.push({ refs, source: this.at(line) });
  }

  private addProse(owner: Owner, raw: string, plain?: string): void {
    if (owner.proseChars > MAX_DETAILS) return;
    owner.prose.push(raw);
    owner.proseChars += raw.length;
    if (owner.summary === undefined && plain) owner.summary = firstSentence(plain);
  }

  private finishTaskLine(): void {
    if (this.taskLine) this.finish(this.taskLine);
    this.taskLine = undefined;
  }

  private finishSection(): void {
    this.finishTaskLine();
    this.finish(this.section);
  }

  private finish(owner: Owner): void {
    const task = owner.task;
    if (task) {
      task.details = bounded(owner.prose.join("\n\n"));
      task.description ||= owner.summary ?? "";
    }
    if (owner.phase) owner.phase.clauses.push(...owner.clauses);
    else if (task) task.clauses.push(...owner.clauses);
    else {
      for (const clause of owner.clauses) {
        this.warn(clause.source.line, "dependency line is not under a task or phase heading; ignored");
      }
    }
  }

  private at(line: number): { file: string; line: number } {
    return { file: this.file, line };
  }

  private warn(line: number, message: string): void {
    this.warnings.push({ file: this.file, line, message });
  }
}
