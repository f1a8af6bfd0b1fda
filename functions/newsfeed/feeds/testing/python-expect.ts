/**
 * The small part of Python that feedparser's `Expect:` lines use: `[not bozo and] <comparison> [and …]`,
 * where a comparison is `<path> == <literal>` (or a chain `<path> == <path> == <literal>`), a path is
 * `name` followed by `['key']`, `[0]` or `.attr`, and a literal is a string (any quoting, with escapes),
 * an integer, a tuple or a dict of those. Anything else is refused with a reason.
 */

export type Literal = string | number | Literal[] | { [key: string]: Literal };
export type Path = (string | number)[];
type Token = { kind: "name" | "num" | "str" | "op"; value: string };

/** Each path is expected to equal the literal. */
export interface Comparison {
  paths: Path[];
  literal: Literal;
}

export type ParsedExpect = { ok: true; comparisons: Comparison[] } | { ok: false; reason: string };

/** Splits the expression on top-level `and`, drops a leading `not bozo`, and parses each comparison. */
export function parseExpect(expect: string): ParsedExpect {
  const tokens = tokenize(expect);
  if (!tokens || tokens.length === 0) return { ok: false, reason: "not a comparison" };
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "op" && "([{".includes(token.value)) depth++;
    if (token.kind === "op" && ")]}".includes(token.value)) depth--;
    if (depth === 0 && token.kind === "name" && token.value === "and") parts.push([]);
    else parts.at(-1)!.push(token);
  }
  const [first] = parts;
  if (first?.length === 2 && first[0]!.value === "not" && first[1]!.value === "bozo") parts.shift();
  if (parts.length === 0) return { ok: false, reason: "not a comparison" };
  const comparisons: Comparison[] = [];
  for (let part of parts) {
    if (part[0]?.value === "(" && part.at(-1)?.value === ")") part = part.slice(1, -1);
    // `a == b == literal` (Python's chained comparison) means a == literal and b == literal.
    const sides: Token[][] = [[]];
    for (const t of part) {
      if (t.kind === "op" && t.value === "==") sides.push([]);
      else sides.at(-1)!.push(t);
    }
    if (sides.length < 2) return { ok: false, reason: "not a comparison" };
    const literal = parseLiteral(sides.pop()!);
    const paths = sides.map(parsePath);
    if (literal === undefined || paths.some((path) => path === null)) {
      return { ok: false, reason: "not <path> == <literal>" };
    }
    comparisons.push({ paths: paths as Path[], literal });
  }
  return { ok: true, comparisons };
}

const TOKEN =
  /\s*(?:("""[\s\S]*?"""|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")|(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|[[\](){},:.])|(\S))/gy;

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) break;
    if (m[5] !== undefined) return null; // an operator we do not translate (!=, <, …)
    if (m[1] !== undefined) tokens.push({ kind: "str", value: pythonString(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: "num", value: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: "name", value: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "op", value: m[4] });
  }
  return tokens;
}

function pythonString(quoted: string): string {
  const body = quoted.startsWith('"""') ? quoted.slice(3, -3) : quoted.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
    if (esc[0] === "x" || esc[0] === "u") return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    return ({ n: "\n", t: "\t", r: "\r" } as Record<string, string>)[esc] ?? esc;
  });
}

function parsePath(tokens: Token[]): Path | null {
  const [head, ...rest] = tokens;
  if (head?.kind !== "name") return null;
  const path: Path = [head.value];
  for (let i = 0; i < rest.length; ) {
    const [a, b, c] = [rest[i], rest[i + 1], rest[i + 2]];
    if (a?.value === "[" && (b?.kind === "str" || b?.kind === "num") && c?.value === "]") {
      path.push(b.kind === "num" ? Number(b.value) : b.value);
      i += 3;
    } else if (a?.value === "." && b?.kind === "name") {
      path.push(b.value);
      i += 2;
    } else return null;
  }
  return path;
}

function parseLiteral(tokens: Token[]): Literal | undefined {
  let i = 0;
  const value = (): Literal | undefined => {
    const t = tokens[i++];
    if (t?.kind === "str") return t.value;
    if (t?.kind === "num") return Number(t.value);
    if (t?.value !== "(" && t?.value !== "{") return undefined;
    const close = t.value === "(" ? ")" : "}";
    const items: Literal[] = [];
    const dict: Record<string, Literal> = {};
    while (tokens[i]?.value !== close) {
      const item = value();
      if (item === undefined) return undefined;
      if (close === "}") {
        if (tokens[i++]?.value !== ":" || typeof item !== "string") return undefined;
        const entry = value();
        if (entry === undefined) return undefined;
        dict[item] = entry;
      } else items.push(item);
      if (tokens[i]?.value === ",") i++;
      else if (tokens[i]?.value !== close) return undefined;
    }
    i++;
    return close === ")" ? items : dict;
  };
  const result = value();
  return i === tokens.length ? result : undefined;
}
