/**
 * A parser for the subset of the expr language that Argo Rollouts conditions use, with expr's precedence
 * and associativity (precedence climbing, as expr's own parser does): literals, arrays, `result` with
 * member access, indexing and slices, unary and binary operators, ternaries, `??`, function calls, and the
 * predicate builtins (`all(result, # < 1)`, `any(xs, {.ok})`). What expr has but conditions do not need
 * (pipes, `let`, `if`/`else`, map literals, method calls) is refused with a clear error and a position.
 */
import { BINARY, COMPARISONS, NEGATABLE, type Node, PREDICATE_BUILTINS, UNARY } from "./expr-ast.ts";
import { ConditionSyntaxError, numberLiteral, type Token, tokenize } from "./expr-lexer.ts";

export type { Node } from "./expr-ast.ts";

const NOT_SUPPORTED = "not supported in analysis conditions by the local engine";

class Parser {
  private index = 0;
  /** Nesting of predicates: `#` and `.name` only mean something inside one. */
  private depth = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private get current(): Token {
    return this.tokens[this.index]!;
  }
  private fail(reason: string, token = this.current): never {
    throw new ConditionSyntaxError(this.source, token.pos, reason);
  }
  private describe(token: Token): string {
    if (token.kind === "eof") return "end of expression";
    const kind = token.kind[0]!.toUpperCase() + token.kind.slice(1);
    return `token ${kind}(${JSON.stringify(token.value)})`;
  }
  private unexpected(token = this.current): never {
    this.fail(
      token.kind === "eof" ? "unexpected end of expression" : `unexpected ${this.describe(token)}`,
      token,
    );
  }
  private is(kind: Token["kind"], value?: string, token = this.current): boolean {
    return token.kind === kind && (value === undefined || token.value === value);
  }
  private expect(kind: Token["kind"], value?: string): Token {
    const token = this.current;
    if (!this.is(kind, value)) this.unexpected();
    this.index++;
    return token;
  }

  parse(): Node {
    const node = this.parseExpression(0);
    if (this.is("operator", ";")) this.fail(`a sequence of expressions (;) is ${NOT_SUPPORTED}`);
    if (!this.is("eof")) this.unexpected();
    return node;
  }

  private parseExpression(precedence: number): Node {
    const first = this.current;
    if (precedence === 0 && this.is("operator", "let")) this.fail(`"let" is ${NOT_SUPPORTED}`, first);
    if (precedence === 0 && this.is("operator", "if")) this.fail(`"if" is ${NOT_SUPPORTED}`, first);
    let left = this.parsePrimary();
    let previous = "";
    for (;;) {
      let token = this.current;
      if (!this.is("operator")) break;
      const negate = token.value === "not";
      if (negate) {
        const next = this.tokens[this.index + 1]!;
        if (!(next.kind === "operator" && NEGATABLE.has(next.value))) this.unexpected(next);
        if (BINARY[next.value]!.precedence < precedence) break;
        this.index++;
        token = next;
      }
      const op = Object.hasOwn(BINARY, token.value) ? BINARY[token.value] : undefined;
      if (!op || op.precedence < precedence) {
        if (token.value === "|") this.fail(`the pipe operator (|) is ${NOT_SUPPORTED}`, token);
        break;
      }
      this.index++;
      if (previous === "??" && token.value !== "??") {
        this.fail(
          `Operator (${token.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
          token,
        );
      }
      if (COMPARISONS.has(token.value)) {
        left = this.parseComparison(left, token, op.precedence);
      } else {
        const right = this.parseExpression(op.right ? op.precedence : op.precedence + 1);
        left = { type: "binary", operator: token.value, left, right, pos: token.pos };
        if (negate) left = { type: "unary", operator: "not", operand: left, pos: token.pos };
      }
      previous = token.value;
    }
    return precedence === 0 ? this.parseConditional(left) : left;
  }

  /** `a < b < c` means `a < b && b < c`, as in expr. */
  private parseComparison(left: Node, token: Token, precedence: number): Node {
    let root: Node | undefined;
    let operator = token;
    for (;;) {
      const right = this.parseExpression(precedence + 1);
      const comparison: Node = { type: "binary", operator: operator.value, left, right, pos: operator.pos };
      root = root
        ? { type: "binary", operator: "&&", left: root, right: comparison, pos: operator.pos }
        : comparison;
      left = right;
      operator = this.current;
      if (!(this.is("operator") && COMPARISONS.has(operator.value))) return root;
      this.index++;
    }
  }

  private parseConditional(node: Node): Node {
    while (this.is("operator", "?")) {
      const pos = this.current.pos;
      this.index++;
      if (this.is("operator", ":")) {
        // `a ?: b` is `a ? a : b`
        this.index++;
        node = { type: "conditional", test: node, consequent: node, alternate: this.parseExpression(0), pos };
      } else {
        const consequent = this.parseExpression(0);
        this.expect("operator", ":");
        node = { type: "conditional", test: node, consequent, alternate: this.parseExpression(0), pos };
      }
    }
    return node;
  }

  private parsePrimary(): Node {
    const token = this.current;
    if (this.is("operator") && Object.hasOwn(UNARY, token.value)) {
      this.index++;
      const operand = this.parseExpression(UNARY[token.value]!);
      return this.parsePostfix({ type: "unary", operator: token.value, operand, pos: token.pos });
    }
    if (this.is("bracket", "(")) {
      this.index++;
      const inner = this.parseExpression(0);
      if (this.is("operator", ";")) this.fail(`a sequence of expressions (;) is ${NOT_SUPPORTED}`);
      this.expect("bracket", ")");
      return this.parsePostfix(inner);
    }
    if (this.depth > 0 && (this.is("operator", "#") || this.is("operator", "."))) {
      let name = "";
      if (token.value === "#") {
        this.index++;
        if (this.is("identifier")) name = this.expect("identifier").value;
      }
      return this.parsePostfix({ type: "pointer", name, pos: token.pos });
    }
    if (this.is("operator", "::")) this.fail(`"::" is ${NOT_SUPPORTED}`);
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.current;
    let node: Node;
    if (token.kind === "identifier") {
      this.index++;
      if (token.value === "true" || token.value === "false") {
        return { type: "literal", value: token.value === "true", pos: token.pos };
      }
      if (token.value === "nil") return { type: "literal", value: null, pos: token.pos };
      node = this.is("bracket", "(")
        ? this.parseCall(token)
        : { type: "identifier", name: token.value, pos: token.pos };
    } else if (token.kind === "number") {
      this.index++;
      node = { type: "literal", value: numberLiteral(this.source, token), pos: token.pos };
    } else if (token.kind === "string") {
      this.index++;
      node = { type: "literal", value: token.value, pos: token.pos };
    } else if (this.is("bracket", "[")) {
      node = this.parseArray();
    } else if (this.is("bracket", "{")) {
      this.fail(`map literals are ${NOT_SUPPORTED}`);
    } else {
      this.unexpected();
    }
    return this.parsePostfix(node);
  }

  private parseCall(name: Token): Node {
    const args: Node[] = [];
    this.expect("bracket", "(");
    const shape = Object.hasOwn(PREDICATE_BUILTINS, name.value) ? PREDICATE_BUILTINS[name.value] : undefined;
    if (shape) {
      shape.forEach((kind) => {
        if (this.is("bracket", ")")) {
          if (kind.endsWith("?")) return;
          this.fail(`expected at least ${shape.filter((k) => !k.endsWith("?")).length} arguments`);
        }
        if (args.length > 0) this.expect("operator", ",");
        if (this.is("bracket", ")") && kind.endsWith("?")) return;
        args.push(kind.startsWith("p") ? this.parsePredicate() : this.parseExpression(0));
      });
      if (this.is("operator", ",")) this.index++;
    } else {
      while (!this.is("bracket", ")")) {
        if (args.length > 0) {
          this.expect("operator", ",");
          if (this.is("bracket", ")")) break;
        }
        args.push(this.parseExpression(0));
      }
    }
    this.expect("bracket", ")");
    return { type: "call", name: name.value, args, pos: name.pos };
  }

  private parsePredicate(): Node {
    const start = this.current;
    const braces = this.is("bracket", "{");
    if (braces) this.index++;
    this.depth++;
    const body = this.parseExpression(0);
    this.depth--;
    if (this.is("operator", ";"))
      this.fail(
        braces ? `a sequence of expressions (;) is ${NOT_SUPPORTED}` : "wrap predicate with brackets { and }",
      );
    if (braces) this.expect("bracket", "}");
    return { type: "predicate", body, pos: start.pos };
  }

  private parseArray(): Node {
    const start = this.expect("bracket", "[");
    const items: Node[] = [];
    while (!this.is("bracket", "]")) {
      if (items.length > 0) {
        this.expect("operator", ",");
        if (this.is("bracket", "]")) break;
      }
      items.push(this.parseExpression(0));
    }
    this.expect("bracket", "]");
    return { type: "array", items, pos: start.pos };
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      const token = this.current;
      if (this.is("operator", ".") || this.is("operator", "?.")) {
        const optional = token.value === "?.";
        this.index++;
        if (optional && this.is("bracket", "[")) {
          node = this.parseIndex(node, true);
          continue;
        }
        const property = this.current;
        const isName =
          property.kind === "identifier" ||
          (property.kind === "operator" && /^[A-Za-z_]\w*$/.test(property.value));
        if (!isName) this.fail("expected name", property);
        this.index++;
        if (this.is("bracket", "(")) this.fail(`method calls are ${NOT_SUPPORTED}`, property);
        const inChain = node.type === "chain";
        const member: Node = {
          type: "member",
          object: node.type === "chain" ? node.node : node,
          property: { type: "literal", value: property.value, pos: property.pos },
          optional,
          pos: property.pos,
        };
        node = inChain || optional ? { type: "chain", node: member, pos: property.pos } : member;
      } else if (this.is("bracket", "[")) {
        node = this.parseIndex(node, false);
      } else {
        return node;
      }
    }
  }

  private parseIndex(node: Node, optional: boolean): Node {
    const token = this.expect("bracket", "[");
    if (this.is("operator", ":")) {
      this.index++;
      const to = this.is("bracket", "]") ? undefined : this.parseExpression(0);
      this.expect("bracket", "]");
      return { type: "slice", object: node, to, pos: token.pos };
    }
    const from = this.parseExpression(0);
    if (this.is("operator", ":")) {
      this.index++;
      const to = this.is("bracket", "]") ? undefined : this.parseExpression(0);
      this.expect("bracket", "]");
      return { type: "slice", object: node, from, to, pos: token.pos };
    }
    this.expect("bracket", "]");
    const inChain = node.type === "chain";
    const member: Node = {
      type: "member",
      object: inChain ? node.node : node,
      property: from,
      optional,
      pos: token.pos,
    };
    return inChain || optional ? { type: "chain", node: member, pos: token.pos } : member;
  }
}

/** Parses an expr condition; throws ConditionSyntaxError (with line:column) when it is not valid. */
export function parseExpression(source: string): Node {
  try {
    return new Parser(source, tokenize(source)).parse();
  } catch (err) {
    // A pathological nesting depth exhausts the stack; that is the author's expression, not our bug.
    if (err instanceof RangeError)
      throw new ConditionSyntaxError(source, 0, "expression is nested too deeply");
    throw err;
  }
}
