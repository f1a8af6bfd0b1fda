/**
 * Long documents are parsed in pieces. micromark's cost grows faster than the text once a document holds
 * thousands of list blocks (10,000 one-item lists take ~30 s in one piece, well under a second in
 * pieces), so a long text is cut at points where a new top-level block must start anyway, each piece is
 * parsed alone, and positions are shifted back into the whole text. Cutting at such a point cannot change
 * what any line means to us; at most a list becomes two lists, which the extractor treats alike. The one
 * thing lost across pieces is link-reference definitions, which only affect how `[label]` is displayed.
 */
import type { Nodes } from "mdast";

/** Below this many lines a document is parsed in one piece, exactly as remark would. */
export const CHUNK_LINES = 200;

export interface Chunk {
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

const BLANK = /^[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const BULLET_ITEM = /^([-*+])[ \t]/;
const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
/**
 * HTML blocks swallow lines that would otherwise start blocks: CommonMark types 1–5 until their end
 * marker (which may sit on the opening line), any other tag line until a blank line.
 */
const RAW_HTML: { opens: RegExp; ends: RegExp; sameLine: boolean }[] = [
  {
    opens: /^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i,
    ends: /<\/(?:script|pre|style|textarea)>/i,
    sameLine: true,
  },
  { opens: /^ {0,3}<!--/, ends: /-->/, sameLine: true },
  { opens: /^ {0,3}<\?/, ends: /\?>/, sameLine: true },
  { opens: /^ {0,3}<!\[CDATA\[/, ends: /\]\]>/, sameLine: true },
  { opens: /^ {0,3}<![A-Za-z]/, ends: />/, sameLine: true },
  { opens: /^ {0,3}<\/?[A-Za-z]/, ends: BLANK, sameLine: false },
];

/** Where a long text may be cut; one chunk for short texts. */
export function chunkText(text: string, chunkLines = CHUNK_LINES): Chunk[] {
  const chunks: Chunk[] = [];
  let chunk: Chunk = { start: 0, end: text.length, line: 1 };
  let fence: { char: string; length: number } | undefined;
  let htmlEnd: RegExp | undefined;
  let previous = "";
  let lineNumber = 0;
  for (let start = 0; start < text.length; ) {
    const { line, next } = readLine(text, start);
    lineNumber++;
    const safe = fence === undefined && htmlEnd === undefined;
    if (safe && lineNumber - chunk.line >= chunkLines && startsTopLevelBlock(previous, line)) {
      chunks.push({ ...chunk, end: start });
      chunk = { start, end: text.length, line: lineNumber };
    }
    if (fence) {
      const close = FENCE_CLOSE.exec(line);
      if (close?.[1]?.[0] === fence.char && close[1].length >= fence.length) fence = undefined;
    } else if (htmlEnd) {
      if (htmlEnd.test(line)) htmlEnd = undefined;
    } else {
      const open = FENCE_OPEN.exec(line);
      // A backtick fence's info string cannot hold a backtick (then it is inline code, not a fence).
      if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
        fence = { char: open[1]![0]!, length: open[1]!.length };
      }
      const html = fence ? undefined : RAW_HTML.find(({ opens }) => opens.test(line));
      const closed = html?.sameLine && html.ends.test(line.slice(line.indexOf("<") + 2));
      if (html && !closed) htmlEnd = html.ends;
    }
    previous = line;
    start = next;
  }
  chunks.push(chunk);
  return chunks;
}

/**
 * A line at column 0 after a blank line starts a new top-level block (blank lines end paragraphs, tables
 * and unindented content; indented lines would continue a list item, so they are never cut). An ATX
 * heading at column 0 always starts a block: it interrupts paragraphs and ends lists. A one-line
 * bullet item followed by another of the same marker is a new item of the same top-level list.
 */
function startsTopLevelBlock(previous: string, line: string): boolean {
  if (BLANK.test(line) || line[0] === " " || line[0] === "\t") return false;
  if (BLANK.test(previous) || ATX_HEADING.test(line)) return true;
  const before = BULLET_ITEM.exec(previous);
  const after = BULLET_ITEM.exec(line);
  return (
    before !== null &&
    after !== null &&
    before[1] === after[1] &&
    !THEMATIC_BREAK.test(previous) &&
    !THEMATIC_BREAK.test(line)
  );
}

function readLine(text: string, start: number): { line: string; next: number } {
  let end = start;
  while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
  const next = text[end] === "\r" && text[end + 1] === "\n" ? end + 2 : end + 1;
  return { line: text.slice(start, end), next };
}

/** Moves a piece's positions to where the piece sits in the whole text. */
export function shiftPositions(node: Nodes, offset: number, lines: number): void {
  const stack: Nodes[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const position = current.position;
    if (position) {
      position.start.line += lines;
      position.end.line += lines;
      if (position.start.offset !== undefined) position.start.offset += offset;
      if (position.end.offset !== undefined) position.end.offset += offset;
    }
    if ("children" in current) stack.push(...current.children);
  }
}
