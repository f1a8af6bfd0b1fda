/**
 * The Markdown layer: mdast from unified + remark-parse + remark-gfm, and helpers that read text back from
 * the SOURCE through node positions. Titles and commands are what the author typed, not re-rendered
 * Markdown; only emphasis/link delimiters are dropped so `**Task Manager**` reads as "Task Manager".
 */
import type { Heading, Nodes, Paragraph, PhrasingContent, Root, Text } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { CHUNK_LINES, chunkText, shiftPositions } from "./chunks.ts";

const processor = unified().use(remarkParse).use(remarkGfm);

/** The mdast of `text`; long texts are parsed in pieces (see chunks.ts) with positions into `text`. */
export function parseMarkdown(text: string, chunkLines = CHUNK_LINES): Root {
  const chunks = chunkText(text, chunkLines);
  if (chunks.length === 1) return processor.parse(text);
  const root: Root = { type: "root", children: [] };
  for (const chunk of chunks) {
    const tree = processor.parse(text.slice(chunk.start, chunk.end));
    shiftPositions(tree, chunk.start, chunk.line - 1);
    for (const child of tree.children) root.children.push(child);
  }
  return root;
}

/** Markdown accepts CRLF, CR and LF; offsets index the original text, so split rather than normalise. */
const LINE_BREAK = /\r\n|\r|\n/;
const LINE_BREAKS = /\r\n|\r|\n/g;

export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

// remark sets positions on every node it parses; the fallbacks only satisfy the optional type.
export const startOffset = (node: Nodes): number => node.position?.start.offset ?? 0;
export const endOffset = (node: Nodes): number => node.position?.end.offset ?? 0;
export const startLine = (node: Nodes): number => node.position?.start.line ?? 1;

export function sourceOf(source: string, node: Nodes): string {
  return source.slice(startOffset(node), endOffset(node));
}

/**
 * A block as written. Its first line starts at the node's column; the lines after it carry the enclosing
 * list indentation, which is removed so a nested checklist reads `- [ ] nested` wherever it sat.
 */
export function blockSource(source: string, node: Nodes): string {
  const indent = (node.position?.start.column ?? 1) - 1;
  const lines = splitLines(sourceOf(source, node));
  return lines.map((line, i) => (i === 0 ? line : stripIndent(line, indent))).join("\n");
}

function stripIndent(line: string, width: number): string {
  let i = 0;
  while (i < width && (line[i] === " " || line[i] === "\t")) i++;
  return line.slice(i);
}

/** An inline code span inside an {@link InlineLine}: its range in `text` and its content. */
export interface CodeSpan {
  start: number;
  end: number;
  value: string;
}

/** One source line of a paragraph or heading, with emphasis and link delimiters dropped. */
export interface InlineLine {
  text: string;
  line: number;
  codes: CodeSpan[];
}

/**
 * The lines of a paragraph or heading, walked by position: emphasis and link delimiters are dropped, code
 * spans are kept with their backticks and recorded (so later patterns can skip over them), and every
 * source line break is kept, so `lines[i].line` is the real line number.
 */
export function inlineLines(source: string, node: Heading | Paragraph): InlineLine[] {
  let current: InlineLine = { text: "", line: startLine(node), codes: [] };
  const lines = [current];
  const append = (raw: string) => {
    const parts = splitLines(raw);
    current.text += parts[0];
    for (let i = 1; i < parts.length; i++) {
      current = { text: parts[i]!, line: current.line + 1, codes: [] };
      lines.push(current);
    }
  };
  const visit = (nodes: PhrasingContent[]) => {
    for (const child of nodes) {
      if (child.type === "text") append(textOf(source, child));
      else if (child.type === "inlineCode") {
        const raw = sourceOf(source, child).replace(LINE_BREAKS, " ");
        const start = current.text.length;
        current.codes.push({ start, end: start + raw.length, value: child.value });
        current.text += raw;
      } else if (child.type === "break") append("\n");
      else if (child.type === "image" || child.type === "imageReference") current.text += child.alt ?? "";
      // Inline HTML is markup, not words; keep only its line breaks so later lines keep their numbers.
      else if (child.type === "html") append(child.value.replace(/[^\r\n]+/g, ""));
      else if ("children" in child) visit(child.children);
    }
  };
  visit(node.children);
  return lines;
}

/**
 * A text node's words: its value, which is the source with escapes and character references resolved
 * (`&lt;token&gt;` reads as `<token>`). Should a reference encode a line break, the raw source is used so
 * line numbers stay true.
 */
function textOf(source: string, node: Text): string {
  const raw = sourceOf(source, node);
  return raw.split(LINE_BREAK).length === node.value.split(LINE_BREAK).length ? node.value : raw;
}

/** A multi-line (setext) heading as one line. */
export function joinLines(lines: InlineLine[]): InlineLine {
  const joined: InlineLine = { text: "", line: lines[0]?.line ?? 1, codes: [] };
  for (const [i, line] of lines.entries()) {
    if (i > 0) joined.text += " ";
    const shift = joined.text.length;
    for (const code of line.codes)
      joined.codes.push({ ...code, start: code.start + shift, end: code.end + shift });
    joined.text += line.text;
  }
  return joined;
}

/** Text decoded with replacement characters (broken bytes): worth a warning with the first line hit. */
export function encodingDamage(text: string): { line: number; message: string } | undefined {
  const first = text.indexOf("\uFFFD");
  if (first < 0) return undefined;
  const count = text.split("\uFFFD").length - 1;
  const line = splitLines(text.slice(0, first)).length;
  return { line, message: `${count} character(s) could not be decoded and read as U+FFFD` };
}
