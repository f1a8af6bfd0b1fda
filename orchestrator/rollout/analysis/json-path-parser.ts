/**
 * The parser of Kubernetes JSONPath templates (k8s.io/client-go/util/jsonpath/parser.go): text and `{…}`
 * actions made of fields, `*`, `..`, array indexes, slices, unions, quoted keys, filters and literals.
 */

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathError";
  }
}

export type Param = { known: boolean; value: number; derived: boolean };
export type PathList = { type: "list"; nodes: PathNode[] };
export type PathNode =
  | PathList
  | { type: "text"; text: string }
  | { type: "field"; name: string }
  | { type: "wildcard" }
  | { type: "recursive" }
  | { type: "array"; params: [Param, Param, Param] }
  | { type: "union"; lists: PathList[] }
  | { type: "filter"; left: PathList; right: PathList; operator: string }
  | { type: "literal"; value: unknown }
  | { type: "identifier"; name: string };

/** An integer written in the path: client-go compares it only with integers, never with JSON's floats. */
export class IntLiteral {
  constructor(readonly value: number) {}
}

export const fail = (message: string): never => {
  throw new JsonPathError(message);
};
const isTerminator = (c: string | undefined) => c === undefined || " \t\r\n.,[]$@{}".includes(c);
const isAlphaNumeric = (c: string | undefined) => c !== undefined && /^[\p{L}\p{N}_]$/u.test(c);

export class TemplateParser {
  private pos = 0;
  constructor(private readonly input: string) {}

  parse(): PathList {
    const root: PathList = { type: "list", nodes: [] };
    while (this.pos < this.input.length) {
      const open = this.input.indexOf("{", this.pos);
      const end = open < 0 ? this.input.length : open;
      if (end > this.pos) root.nodes.push({ type: "text", text: this.input.slice(this.pos, end) });
      if (open < 0) break;
      this.pos = open + 1;
      const action: PathList = { type: "list", nodes: [] };
      root.nodes.push(action);
      this.parseAction(action);
    }
    return root;
  }

  private parseAction(list: PathList): void {
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith("}")) {
        this.pos++;
        return;
      }
      if (rest.startsWith("[?(")) this.parseFilter(list);
      else if (rest.startsWith("..")) {
        if (list.nodes.at(-1)?.type === "recursive") fail("invalid multiple recursive descent");
        this.pos += 2;
        list.nodes.push({ type: "recursive" });
        if (isAlphaNumeric(this.input[this.pos])) this.parseField(list);
      } else {
        const c = this.input[this.pos];
        if (c === undefined || c === "\r" || c === "\n") fail("unclosed action");
        this.pos++;
        if (c === " " || c === "@" || c === "$") continue;
        if (c === "[") this.parseArray(list);
        else if (c === '"' || c === "'") this.parseQuote(list, c);
        else if (c === ".") this.parseField(list);
        else if (c === "+" || c === "-" || /\d/.test(c!)) this.parseNumber(list);
        else if (isAlphaNumeric(c)) this.parseIdentifier(list);
        else
          fail(
            `unrecognized character in action: U+${c!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${c}'`,
          );
      }
    }
  }

  private parseField(list: PathList): void {
    const start = this.pos;
    while (!isTerminator(this.input[this.pos])) this.pos += this.input[this.pos] === "\\" ? 2 : 1;
    const name = this.input.slice(start, this.pos);
    list.nodes.push(name === "*" ? { type: "wildcard" } : { type: "field", name: name.replaceAll("\\", "") });
  }

  private parseIdentifier(list: PathList): void {
    const start = this.pos - 1;
    while (!isTerminator(this.input[this.pos])) this.pos++;
    const word = this.input.slice(start, this.pos);
    if (word === "range" || word === "end")
      fail(`{${word}} is not supported by the local engine's web provider`);
    list.nodes.push(
      word === "true" || word === "false"
        ? { type: "literal", value: word === "true" }
        : { type: "identifier", name: word },
    );
  }

  private parseNumber(list: PathList): void {
    const start = this.pos - 1;
    while (/[\d.]/.test(this.input[this.pos] ?? "")) this.pos++;
    const text = this.input.slice(start, this.pos);
    if (/^[+-]?\d+$/.test(text)) list.nodes.push({ type: "literal", value: new IntLiteral(Number(text)) });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) list.nodes.push({ type: "literal", value: Number(text) });
    else fail(`cannot parse number ${text}`);
  }

  private parseQuote(list: PathList, quote: string): void {
    const start = this.pos;
    while (this.input[this.pos] !== quote || this.input[this.pos - 1] === "\\") {
      if (this.pos >= this.input.length || this.input[this.pos] === "\n") fail("unterminated quoted string");
      this.pos++;
    }
    const body = this.input.slice(start, this.pos);
    this.pos++;
    const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r" };
    list.nodes.push({ type: "text", text: body.replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c) });
  }

  private parseArray(list: PathList): void {
    const close = this.input.indexOf("]", this.pos);
    const newline = this.input.indexOf("\n", this.pos);
    if (close < 0 || (newline >= 0 && newline < close)) fail("unterminated array");
    let text = this.input.slice(this.pos, close);
    this.pos = close + 1;
    if (text === "*") text = ":";
    const parts = text.split(",");
    if (parts.length > 1) {
      list.nodes.push({ type: "union", lists: parts.map((part) => parseAction(`[${part.trim()}]`)) });
      return;
    }
    const key = /^'([^']*)'$/.exec(text);
    if (key) {
      list.nodes.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }
    const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!slice) throw new JsonPathError(`invalid array index ${text}`);
    const params: Param[] = [];
    for (let i = 0; i < 3; i++) {
      const raw = slice[i + 1] ?? "";
      const digits = i > 0 ? raw.slice(1) : raw;
      if (raw === "") {
        params.push(
          i === 1
            ? { known: true, value: params[0]!.value + 1, derived: true }
            : { known: false, value: 0, derived: false },
        );
      } else if (digits === "" || digits === "-") {
        if (i === 0 || digits === "-") fail(`array index ${digits} is not a number`);
        params.push({ known: false, value: 0, derived: false });
      } else params.push({ known: true, value: Number(digits), derived: false });
    }
    list.nodes.push({ type: "array", params: params as [Param, Param, Param] });
  }

  private parseFilter(list: PathList): void {
    this.pos += 3;
    const start = this.pos;
    let [begin, end] = [false, false];
    let pair = "";
    for (;;) {
      const c = this.input[this.pos++];
      if (c === undefined || c === "\n") fail("unterminated filter");
      if (c === '"' || c === "'") {
        if (!begin) [begin, pair] = [true, c!];
        else if (c === pair && this.input[this.pos - 2] !== "\\") end = true;
      } else if (c === ")" && begin === end) break;
    }
    if (this.input[this.pos++] !== "]") fail("unclosed array expect ]");
    const text = this.input.slice(start, this.pos - 2);
    const comparison = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (!comparison) {
      list.nodes.push({
        type: "filter",
        left: parseAction(text),
        right: { type: "list", nodes: [] },
        operator: "exists",
      });
    } else {
      const [, left, operator, right] = comparison as unknown as [string, string, string, string];
      list.nodes.push({ type: "filter", left: parseAction(left), right: parseAction(right), operator });
    }
  }
}

/** Parses the inside of one `{…}` (used for unions, quoted keys and filter operands, as client-go does). */
export function parseAction(text: string): PathList {
  return new TemplateParser(`{${text}}`).parse().nodes[0] as PathList;
}
