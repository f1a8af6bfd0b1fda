/**
 * The syntax tree of an expr condition and expr's operator table (precedence and associativity as in
 * github.com/expr-lang/expr's parser/operator package).
 */

export type Node =
  | { type: "literal"; value: null | boolean | number | string; pos: number }
  | { type: "identifier"; name: string; pos: number }
  /** `#` (the element a predicate visits), `#index`; `.name` inside a predicate is `#.name`. */
  | { type: "pointer"; name: string; pos: number }
  | { type: "member"; object: Node; property: Node; optional: boolean; pos: number }
  /** An optional chain: `a?.b.c` is nil as a whole when `a` is nil. */
  | { type: "chain"; node: Node; pos: number }
  | { type: "slice"; object: Node; from?: Node; to?: Node; pos: number }
  | { type: "unary"; operator: string; operand: Node; pos: number }
  | { type: "binary"; operator: string; left: Node; right: Node; pos: number }
  | { type: "conditional"; test: Node; consequent: Node; alternate: Node; pos: number }
  | { type: "call"; name: string; args: Node[]; pos: number }
  | { type: "predicate"; body: Node; pos: number }
  | { type: "array"; items: Node[]; pos: number };

export const UNARY: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };

export const BINARY: Record<string, { precedence: number; right?: true }> = {
  or: { precedence: 10 },
  "||": { precedence: 10 },
  and: { precedence: 15 },
  "&&": { precedence: 15 },
  "==": { precedence: 20 },
  "!=": { precedence: 20 },
  "<": { precedence: 20 },
  ">": { precedence: 20 },
  ">=": { precedence: 20 },
  "<=": { precedence: 20 },
  in: { precedence: 20 },
  matches: { precedence: 20 },
  contains: { precedence: 20 },
  startsWith: { precedence: 20 },
  endsWith: { precedence: 20 },
  "..": { precedence: 25 },
  "+": { precedence: 30 },
  "-": { precedence: 30 },
  "*": { precedence: 60 },
  "/": { precedence: 60 },
  "%": { precedence: 60 },
  "**": { precedence: 100, right: true },
  "^": { precedence: 100, right: true },
  "??": { precedence: 500 },
};
export const COMPARISONS = new Set(["<", ">", "<=", ">="]);
export const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);

/** expr's builtins whose arguments include a predicate, and where: "e" expression, "p" predicate, "?" optional. */
export const PREDICATE_BUILTINS: Record<string, string[]> = {
  all: ["e", "p"],
  none: ["e", "p"],
  any: ["e", "p"],
  one: ["e", "p"],
  filter: ["e", "p"],
  map: ["e", "p"],
  count: ["e", "p?"],
  sum: ["e", "p?"],
  find: ["e", "p"],
  findIndex: ["e", "p"],
  findLast: ["e", "p"],
  findLastIndex: ["e", "p"],
  groupBy: ["e", "p"],
  sortBy: ["e", "p", "e?"],
  reduce: ["e", "p", "e?"],
};
