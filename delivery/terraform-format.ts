/**
 * The layout `terraform fmt` produces, checked without Terraform. It follows hclwrite's formatter: a
 * line's indent is two spaces per bracket level still open (counted per line, with its stack of
 * openers); consecutive lines of single-line `name = value` attributes form a chain whose `=` signs line
 * up one space after the longest name; trailing comments of consecutive lines line up the same way; single
 * spaces between tokens, none just inside `[]`, `()` or `${}`, one just inside a one-line `{ }`; and the
 * two rewrites `terraform fmt` adds on top (`"${x}"` → `x`, `type = "string"` → `type = string`). A
 * heredoc's body is left alone, as the formatter does; trailing whitespace goes everywhere else. Rules
 * that fmt does not enforce but this repository keeps (line endings, the file's end, blank lines) are
 * named `style-…`.
 */

export interface FormatProblem {
  line: number;
  rule: string;
  message: string;
}

type TokenKind = "open" | "close" | "equal" | "comma" | "comment" | "heredoc" | "string" | "other";

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** For open/close: which bracket ("{", "[", "(", "${"), so `{ }` and `${ }` get their own spacing. */
  bracket?: string;
  /** 0 at the top of the line; an interpolation's tokens share their own number (its `${` and `}` too). */
  context: number;
  /** A quoted string made of nothing but one interpolation, like "${var.x}". */
  interpolationOnly?: boolean;
}

interface SourceLine {
  number: number;
  text: string;
  tokens: Token[];
  /** Heredoc body and closing-marker lines: hclwrite keeps them in the line that opened the heredoc. */
  absorbed: boolean;
}

interface OpenString {
  token: Token;
  literal: number;
  interpolations: number;
}

const OPENER_OF: Record<string, string> = { "}": "{", "]": "[", ")": "(" };
const TWO_CHAR_OPERATORS = new Set(["==", "!=", "<=", ">=", "=>", "&&", "||"]);

/** Lexes just enough HCL to see brackets, `=`, commas, comments, strings (with their `${}`) and heredocs. */
function lexLines(source: string): SourceLine[] {
  const lines = source
    .split("\n")
    .map((text, i) => ({ number: i + 1, text, tokens: [] as Token[], absorbed: false }));
  const stack: string[] = []; // "{", "[", "(", "${" (an interpolation) or '"' (inside a quoted string)
  const strings: OpenString[] = [];
  const contexts = [0];
  let nextContext = 1;
  let heredocMarker: string | undefined;
  let inBlockComment = false;
  for (const line of lines) {
    const text = line.text;
    if (heredocMarker !== undefined) {
      line.absorbed = true;
      if (text.trim() === heredocMarker) heredocMarker = undefined;
      continue;
    }
    const push = (kind: TokenKind, start: number, end: number, bracket?: string): Token => {
      const token: Token = { kind, start, end, bracket, context: contexts.at(-1)! };
      line.tokens.push(token);
      return token;
    };
    let i = 0;
    if (inBlockComment) {
      line.absorbed = true;
      const close = text.indexOf("*/");
      if (close < 0) continue;
      inBlockComment = false;
      i = close + 2;
    }
    while (i < text.length) {
      const c = text[i]!;
      const two = text.slice(i, i + 2);
      const open = strings.at(-1);
      if (stack.at(-1) === '"' && open) {
        if (two === "${" || two === "%{") {
          open.interpolations++;
          contexts.push(nextContext++);
          push("open", i, i + 2, "${");
          stack.push("${");
          i += 2;
        } else if (c === '"') {
          stack.pop();
          strings.pop();
          open.token.end = i + 1;
          open.token.interpolationOnly = open.literal === 0 && open.interpolations === 1;
          i += 1;
        } else {
          open.literal++;
          i += c === "\\" || two === "$$" || two === "%%" ? 2 : 1;
        }
        continue;
      }
      if (c === " " || c === "\t") i += 1;
      else if (c === "#" || two === "//") {
        push("comment", i, text.length);
        i = text.length;
      } else if (two === "/*") {
        const close = text.indexOf("*/", i + 2);
        inBlockComment = close < 0;
        const end = close < 0 ? text.length : close + 2;
        push("comment", i, end);
        i = end;
      } else if (c === '"') {
        strings.push({ token: push("string", i, text.length), literal: 0, interpolations: 0 });
        stack.push('"');
        i += 1;
      } else if (two === "<<") {
        const match = /^<<-?([A-Za-z_][\w-]*)/.exec(text.slice(i));
        push("heredoc", i, text.length);
        heredocMarker = match?.[1];
        i = text.length;
      } else if (c === "{" || c === "[" || c === "(") {
        push("open", i, i + 1, c);
        stack.push(c);
        i += 1;
      } else if (c === "}" || c === "]" || c === ")") {
        const opener = stack.pop();
        push("close", i, i + 1, opener === "${" ? "${" : OPENER_OF[c]);
        if (opener === "${") contexts.pop();
        i += 1;
      } else if (TWO_CHAR_OPERATORS.has(two)) {
        push("other", i, i + 2);
        i += 2;
      } else if (c === "=") {
        push("equal", i, i + 1);
        i += 1;
      } else if (c === ",") {
        push("comma", i, i + 1);
        i += 1;
      } else {
        let end = i + 1;
        while (end < text.length && !/[\s"{}[\](),#=]/.test(text[end]!) && !text.startsWith("//", end)) end++;
        push("other", i, end);
        i = end;
      }
    }
  }
  return lines;
}

const bracketChange = (t: Token) => (t.kind === "open" ? 1 : t.kind === "close" ? -1 : 0);

/** Net brackets of tokens, stopping at a heredoc opener as hclwrite does. */
function netBrackets(tokens: Token[]): number {
  let net = 0;
  for (const t of tokens) {
    if (t.kind === "heredoc") break;
    net += bracketChange(t);
  }
  return net;
}

/** Top-level tokens: a quoted string counts as one token, whatever interpolations it holds. */
const topTokens = (line: SourceLine) => line.tokens.filter((t) => t.context === 0);

export function terraformFormatProblems(source: string): FormatProblem[] {
  const problems: FormatProblem[] = [];
  const report = (line: number, rule: string, message: string) => problems.push({ line, rule, message });
  const lines = lexLines(source);
  checkWhitespace(source, lines, report);
  const formatLines = lines.filter((l) => !l.absorbed && l.text.trim() !== "");

  const indents: number[] = [];
  for (const line of formatLines) {
    const net = netBrackets(line.tokens);
    if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents.at(-1)!;
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        }
      }
    }
    const expected = 2 * indents.length;
    const actual = line.text.length - line.text.trimStart().length;
    if (actual !== expected || /^\s*\t/.test(line.text))
      report(line.number, "indent", `indented ${actual} spaces, fmt indents ${expected}`);
    if (net > 0) indents.push(net);
  }

  checkAlignment(lines, report);
  for (const line of formatLines) checkSpacing(line, report);
  checkRewrites(lines, report);
  return problems;
}

type Report = (line: number, rule: string, message: string) => void;

function checkWhitespace(source: string, lines: SourceLine[], report: Report): void {
  if (source.includes("\r"))
    report(1, "style-newline", "carriage returns: this repository uses \\n line endings");
  if (!source.endsWith("\n") || source.endsWith("\n\n"))
    report(lines.length, "style-newline", "the file must end with exactly one newline");
  let blankRun = 0;
  for (const line of lines.slice(0, -1)) {
    if (!line.absorbed && /[ \t]+$/.test(line.text))
      report(line.number, "trailing-space", "trailing whitespace");
    blankRun = line.text.trim() === "" && !line.absorbed ? blankRun + 1 : 0;
    if (blankRun === 2) report(line.number, "style-blank-lines", "two blank lines in a row");
    if (line.number === 1 && blankRun === 1)
      report(1, "style-blank-lines", "the file starts with a blank line");
  }
}

/** hclwrite's "cells": `=` of single-line attributes, then trailing comments, aligned per chain of lines. */
function checkAlignment(lines: SourceLine[], report: Report): void {
  type Cell = { line: SourceLine; leadEnd: number; column: number };
  let equalsChain: Cell[] = [];
  let commentChain: Cell[] = [];
  const close = (chain: Cell[], what: string) => {
    const want = Math.max(...chain.map((c) => c.leadEnd)) + 1;
    for (const cell of chain)
      if (cell.column !== want)
        report(
          cell.line.number,
          `align-${what}`,
          `${what} at column ${cell.column + 1}, fmt puts it at ${want + 1}`,
        );
  };
  for (const line of lines) {
    if (line.absorbed) continue; // part of the line that opened the heredoc
    const tokens = topTokens(line);
    const last = tokens.at(-1);
    const hasComment = tokens.length > 1 && last?.kind === "comment";
    const lead = hasComment ? tokens.slice(0, -1) : tokens;
    const eq = lead.findIndex((t, i) => i > 0 && t.kind === "equal");
    const isAssign = eq > 0 && netBrackets(lead.slice(eq)) === 0;
    if (isAssign) equalsChain.push({ line, leadEnd: lead[eq - 1]!.end, column: lead[eq]!.start });
    else if (equalsChain.length > 0) {
      close(equalsChain, "=");
      equalsChain = [];
    }
    if (hasComment) commentChain.push({ line, leadEnd: lead.at(-1)!.end, column: last.start });
    else if (commentChain.length > 0) {
      close(commentChain, "comment");
      commentChain = [];
    }
  }
  if (equalsChain.length > 0) close(equalsChain, "=");
  if (commentChain.length > 0) close(commentChain, "comment");
}

function checkSpacing(line: SourceLine, report: Report): void {
  // Gaps are measured between neighbours of one context: the top of the line, or one interpolation's code.
  const byContext = new Map<number, Token[]>();
  for (const token of line.tokens)
    byContext.set(token.context, [...(byContext.get(token.context) ?? []), token]);
  for (const tokens of byContext.values()) {
    for (let i = 1; i < tokens.length; i++) {
      const prev = tokens[i - 1]!;
      const next = tokens[i]!;
      const gap = next.start - prev.end;
      const bad = (message: string) =>
        report(line.number, "spacing", `${message}: ${line.text.slice(prev.start, next.end).trim()}`);
      const isBrace = (t: Token) => t.bracket === "{";
      if (next.kind === "equal" || next.kind === "comment") continue; // aligned cells, checked apart
      if (prev.kind === "equal") gap !== 1 && bad("one space after =");
      else if (prev.kind === "open" && isBrace(prev))
        gap !== (next.kind === "close" ? 0 : 1) && bad("one space inside { } on one line, none in {}");
      else if (next.kind === "close" && isBrace(next)) gap !== 1 && bad("one space before }");
      else if (prev.kind === "open") gap !== 0 && bad("no space after an opening bracket");
      else if (next.kind === "close") gap !== 0 && bad("no space before a closing bracket");
      else if (next.kind === "comma") gap !== 0 && bad("no space before a comma");
      else if (prev.kind === "comma") gap !== 1 && bad("one space after a comma");
      else if (gap > 1) bad("one space between tokens");
    }
  }
}

/** What `terraform fmt` rewrites beyond layout. */
function checkRewrites(lines: SourceLine[], report: Report): void {
  let topBlock = "";
  for (const line of lines) {
    if (line.absorbed) continue;
    const block = /^([a-z_]+)\b.*\{\s*$/.exec(line.text);
    if (block) topBlock = block[1]!;
    const tokens = topTokens(line);
    const eq = tokens.findIndex((t) => t.kind === "equal");
    const value = tokens.slice(eq + 1).filter((t) => t.kind !== "comment");
    if (eq > 0 && value.length === 1 && value[0]!.interpolationOnly)
      report(line.number, "interpolation-only", `fmt unwraps "\${…}": ${line.text.trim()}`);
    if (topBlock === "variable" && /^ {2}type\s*=\s*"/.test(line.text))
      report(line.number, "quoted-type", `fmt unquotes type constraints: ${line.text.trim()}`);
  }
}
