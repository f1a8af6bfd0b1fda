/**
 * Tokens of the expr language (github.com/expr-lang/expr), which Argo Rollouts uses for successCondition and
 * failureCondition. Follows expr's lexer: `not in` and friends are one operator, `#` starts a predicate
 * pointer, `..` is the range operator, strings take Go's escapes, comments are skipped.
 */

export type TokenKind = "number" | "string" | "identifier" | "operator" | "bracket" | "eof";

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset of the token's first character in the source. */
  pos: number;
}

/** A syntax error, with the position expr would report (line:column, 1-based) and the source pointed at. */
export class ConditionSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly source: string,
    readonly pos: number,
    readonly reason: string,
  ) {
    const { line, column, message } = locate(source, pos, reason);
    super(message);
    this.name = "ConditionSyntaxError";
    this.line = line;
    this.column = column;
  }
  /** One line: `reason (line:column)`, for a measurement's message. */
  get brief(): string {
    return `${this.reason} (${this.line}:${this.column})`;
  }
}

/** `reason (line:column)` and the source line with a caret under the position, as expr prints errors. */
export function locate(source: string, pos: number, reason: string) {
  const before = source.slice(0, pos).split("\n");
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  const text = source.split("\n")[line - 1] ?? "";
  const brief = `${reason} (${line}:${column})`;
  return { line, column, brief, message: `${brief}\n | ${text}\n | ${".".repeat(column - 1)}^` };
}

const WORD_OPERATORS = new Set(["in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let"]);
const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);
const isWordChar = (c: string) => /^[\p{L}\p{N}_$]$/u.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "`": "`",
  "?": "?",
};

/** Go-style escapes as expr accepts them: \n, \x41, \u00e9, \U0001F600, \101 (octal). */
function unescapeGo(body: string, fail: (reason: string) => never): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) fail("unable to unescape string, found '\\' as last character");
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const digits = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : /[0-7]/.test(e) ? 3 : 0;
    if (digits === 0) fail("invalid char escape");
    const start = e === "x" || e === "u" || e === "U" ? i + 1 : i;
    const text = body.slice(start, start + digits);
    const radix = digits === 3 ? 8 : 16;
    const pattern = radix === 8 ? /^[0-7]{3}$/ : /^[0-9a-fA-F]+$/;
    const code = Number.parseInt(text, radix);
    if (text.length !== digits || !pattern.test(text) || code > 0x10ffff) fail("invalid char escape");
    out += String.fromCodePoint(code);
    i = start + digits - 1;
  }
  return out;
}

/** The value of a number token: decimal, 0x/0o/0b, `_` separators; too large an integer is an error. */
export function numberLiteral(source: string, token: Token): number {
  const text = token.value.replaceAll("_", "").toLowerCase();
  const prefixed = /^0[xob]/.test(text);
  const value = prefixed
    ? Number.parseInt(text.slice(2), { x: 16, o: 8, b: 2 }[text[1] as "x" | "o" | "b"])
    : Number(text);
  if (!Number.isFinite(value))
    throw new ConditionSyntaxError(source, token.pos, `invalid number literal: ${token.value}`);
  if (!prefixed && !/[.e]/.test(text) && !Number.isSafeInteger(value)) {
    throw new ConditionSyntaxError(source, token.pos, "integer literal is too large");
  }
  return value;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new ConditionSyntaxError(source, at, reason);
  };
  const push = (kind: TokenKind, value: string, pos: number) => tokens.push({ kind, value, pos });

  const scanNumber = (start: number) => {
    let j = start;
    let digits = /[0-9_]/;
    if (source[j] === "0" && /[xXoObB]/.test(source[j + 1] ?? "")) {
      const base = source[j + 1]!.toLowerCase();
      digits = base === "x" ? /[0-9a-fA-F_]/ : base === "o" ? /[0-7_]/ : /[01_]/;
      j += 2;
    }
    while (j < source.length && digits.test(source[j]!)) j++;
    if (source[j] === "." && source[j + 1] !== ".") {
      j++;
      while (j < source.length && digits.test(source[j]!)) j++;
    }
    if (/[eE]/.test(source[j] ?? "") && digits.source !== "[0-9a-fA-F_]") {
      j++;
      if (/[+-]/.test(source[j] ?? "")) j++;
      while (j < source.length && digits.test(source[j]!)) j++;
    }
    if (j < source.length && isWordChar(source[j]!))
      fail(`bad number syntax: "${source.slice(start, j + 1)}"`);
    push("number", source.slice(start, j), start);
    i = j;
  };

  while (i < source.length) {
    const c = source[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) fail("unclosed comment");
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        if (source[j] === "\n") break;
        j += source[j] === "\\" ? 2 : 1;
      }
      if (j >= source.length || source[j] !== c) fail("literal not terminated");
      push(
        "string",
        unescapeGo(source.slice(i + 1, j), (reason) => fail(reason, start)),
        start,
      );
      i = j + 1;
    } else if (c === "`") {
      const end = source.indexOf("`", i + 1);
      if (end < 0) fail("literal not terminated");
      push("string", source.slice(i + 1, end), start);
      i = end + 1;
    } else if (isDigit(c) || (c === "." && isDigit(source[i + 1] ?? ""))) {
      scanNumber(i);
    } else if (c === ".") {
      i += source[i + 1] === "." ? 2 : 1;
      push("operator", source.slice(start, i), start);
    } else if (c === "?") {
      i += source[i + 1] === "." || source[i + 1] === "?" ? 2 : 1;
      push("operator", source.slice(start, i), start);
    } else if (c === "#") {
      i++;
      push("operator", "#", start);
      let j = i;
      while (j < source.length && isWordChar(source[j]!)) j++;
      if (j > i) push("identifier", source.slice(i, j), i);
      i = j;
    } else if ("([{)]}".includes(c)) {
      i++;
      push("bracket", c, start);
    } else if (c === "|" || c === ":") {
      i += source[i + 1] === c ? 2 : 1;
      push("operator", source.slice(start, i), start);
    } else if (",;%+-^/".includes(c)) {
      i++;
      push("operator", c, start);
    } else if ("&!=*<>".includes(c)) {
      i += "&=*".includes(source[i + 1] ?? "-") ? 2 : 1;
      push("operator", source.slice(start, i), start);
    } else if (isWordChar(c)) {
      let j = i;
      while (j < source.length && isWordChar(source[j]!)) j++;
      const word = source.slice(i, j);
      i = j;
      if (word === "not") {
        // "not in", "not contains", …: one operator, as expr's lexer makes it.
        const next = /^\s*([\p{L}\p{N}_$]+)/u.exec(source.slice(i));
        if (next && NEGATABLE.has(next[1]!)) {
          push("operator", "not", start);
          const at = i + next[0].length - next[1]!.length;
          push("operator", next[1]!, at);
          i += next[0].length;
        } else push("operator", "not", start);
      } else if (WORD_OPERATORS.has(word) || word === "if" || word === "else") {
        push("operator", word, start);
      } else push("identifier", word, start);
    } else {
      fail(
        `unrecognized character: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${c}'`,
      );
    }
  }
  push("eof", "", source.length);
  return tokens;
}
