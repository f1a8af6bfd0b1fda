/**
 * Just enough PromQL lexing to check the repo's expressions: the metric names an expression reads, the
 * placeholders Argo and Grafana fill in before Prometheus sees it, and the "probe" form of an alert (the
 * same selectors, but returning samples while all is well). No parser: Prometheus itself judges syntax
 * (promtool, the live test); this only has to find names without mistaking labels or functions for them.
 */

/** Aggregation operators, set operators and modifiers: words that are never metric names. */
const KEYWORDS = new Set([
  "sum",
  "avg",
  "min",
  "max",
  "count",
  "group",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "quantile",
  "count_values",
  "limitk",
  "limit_ratio",
  "and",
  "or",
  "unless",
  "atan2",
  "bool",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "inf",
  "nan",
]);
/** Modifiers followed by a list of label names, not of expressions. */
const LABEL_LIST_MODIFIERS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/**
 * `expr` with everything that is not top-level code blanked out, same length so positions still match:
 * strings, comments, label matchers `{…}`, ranges and subqueries `[…]`, Grafana variables (`$x`, `${x}`).
 */
export function maskPromql(expr: string): string {
  const out = expr.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== "`" && expr[j] === "\\" ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
    } else if (c === "#") {
      const end = expr.indexOf("\n", i);
      const j = end === -1 ? expr.length : end;
      blank(i, j);
      i = j;
    } else if (c === "{" || c === "[") {
      const j = closing(expr, i);
      blank(i, j + 1);
      i = j + 1;
    } else if (c === "$") {
      const j =
        expr[i + 1] === "{"
          ? expr.indexOf("}", i) + 1 || expr.length
          : /^\$\w*/.exec(expr.slice(i))![0].length + i;
      blank(i, j);
      i = j;
    } else i++;
  }
  return out.join("");
}

/** Index of the bracket closing the one at `open` (strings inside are skipped), or the end of `text`. */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { "{": "}", "[": "]", "(": ")" };
  const stack = [pairs[text[open]!]!];
  let i = open + 1;
  while (i < text.length && stack.length > 0) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c !== "`" && text[j] === "\\" ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]!);
    else if (c === stack.at(-1)) stack.pop();
    i++;
  }
  return i - 1;
}

const TOKEN = /(\d[\w.]*|\.\d[\w.]*)|([A-Za-z_:][\w:]*)|(\S)/g;

/**
 * The metric names `expr` reads: bare selector names and `__name__="…"` matchers. Function names,
 * aggregations, keywords, label names (in matchers and in by/without/on/ignoring lists), strings,
 * durations and numbers are not names.
 */
export function metricNames(expr: string): string[] {
  const tokens = [...maskPromql(expr).matchAll(TOKEN)].map((m) => ({
    word: m[2],
    text: m[0],
  }));
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]!.word;
    if (!word) continue;
    const next = tokens[i + 1]?.text;
    const keyword = word.toLowerCase();
    if (LABEL_LIST_MODIFIERS.has(keyword) && next === "(") {
      let depth = 0;
      for (i++; i < tokens.length; i++) {
        if (tokens[i]!.text === "(") depth++;
        else if (tokens[i]!.text === ")" && --depth === 0) break;
      }
    } else if (!KEYWORDS.has(keyword) && next !== "(") names.add(word);
  }
  for (const m of expr.matchAll(/__name__\s*=\s*(["'`])([A-Za-z_:][\w:]*)\1/g)) names.add(m[2]!);
  return [...names].sort();
}

/**
 * Fills in Argo analysis args (`{{args.service-name}}`, looked up as "args.service-name") and Grafana
 * variables (`$service`, `${service}`, `${service:regex}`, `[[service]]`, `$__rate_interval`, looked up
 * without the `$`). A placeholder without a value throws: an expression is never evaluated half-filled.
 * `$1`-style capture references (label_replace) are not variables.
 */
export function substitutePlaceholders(expr: string, values: Readonly<Record<string, string>>): string {
  const value = (name: string, written: string) => {
    const found = values[name];
    if (found === undefined) throw new Error(`no value for ${written} in: ${expr}`);
    return found;
  };
  return expr
    .replace(/\{\{\s*(args\.[\w-]+)\s*\}\}/g, (written, name: string) => value(name, written))
    .replace(
      /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$([A-Za-z_]\w*)/g,
      (written, braced?: string, bracketed?: string, bare?: string) =>
        value((braced ?? bracketed ?? bare)!, written),
    );
}

/**
 * An alert's expression is a filter: empty while all is well. Its probe keeps the selectors and the
 * arithmetic but returns samples anyway: `absent(x)` becomes `x`, and every comparison gets `bool` (0 or 1
 * instead of dropping the sample). A probe that returns nothing means the alert watches series that do
 * not exist.
 */
export function alertProbe(expr: string): string {
  let probe = expr.trim();
  const absent = /^absent\s*\(/.exec(probe);
  if (absent) {
    const open = absent[0].length - 1;
    if (closing(probe, open) === probe.length - 1) probe = probe.slice(open + 1, -1).trim();
  }
  const masked = maskPromql(probe);
  let result = "";
  let from = 0;
  for (const m of masked.matchAll(/==|!=|>=|<=|>|</g)) {
    const end = m.index + m[0].length;
    if (/^\s*bool\b/i.test(masked.slice(end))) continue;
    result += `${probe.slice(from, end)} bool`;
    from = end;
  }
  return result + probe.slice(from);
}
