/**
 * Turns what a person typed into an FTS5 query that cannot be a syntax error: every word becomes a quoted
 * string (so `AND`, `NEAR`, `-`, `:`, `(` and column filters are plain text), `"…"` keeps a phrase, and a
 * trailing `*` asks for a prefix. Words are ANDed, as search boxes do.
 */

/** More terms than this are ignored (each one is a posting-list scan). */
export const MAX_SEARCH_TERMS = 16;

/** Letters or digits: what the unicode61 tokenizer indexes. A term without any matches nothing useful. */
const SEARCHABLE = /[\p{L}\p{N}]/u;

export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/** The terms of `input`: quoted phrases and bare words, each optionally ending in `*`. */
export function searchTerms(input: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // A quoted phrase (closing quote optional), or a run of anything but whitespace and quotes.
  for (const match of input.matchAll(/"([^"]*)"?(\*?)|([^\s"]+)/g)) {
    const phrase = match[1];
    let text = phrase ?? match[3] ?? "";
    let prefix = match[2] === "*";
    if (phrase === undefined && text.endsWith("*")) {
      text = text.replace(/\*+$/, "");
      prefix = true;
    }
    text = text.replace(/\s+/g, " ").trim();
    if (!SEARCHABLE.test(text)) continue;
    terms.push({ text, prefix });
    if (terms.length === MAX_SEARCH_TERMS) break;
  }
  return terms;
}

/** The FTS5 MATCH expression for `terms`: each a string literal (quotes doubled), prefix marked with `*`. */
export function ftsQuery(terms: readonly SearchTerm[]): string {
  return terms.map((t) => `"${t.text.replace(/"/g, '""')}"${t.prefix ? "*" : ""}`).join(" ");
}
