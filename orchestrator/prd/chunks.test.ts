import type { Nodes } from "mdast";
import { describe, expect, it } from "vitest";
import { chunkText } from "./chunks.ts";
import { parseMarkdown } from "./markdown.ts";

/** Every node but lists (which a cut may split in two), as type + position + checked. */
function shape(node: Nodes, out: string[] = []): string[] {
  if (node.type !== "list" && node.type !== "root") {
    const { start, end } = node.position!;
    const checked = node.type === "listItem" ? node.checked : "";
    out.push(
      `${node.type} ${start.line}:${start.column}@${start.offset}-${end.line}:${end.column}@${end.offset} ${checked}`,
    );
  }
  if ("children" in node) for (const child of node.children) shape(child, out);
  return out;
}

const MESSY = [
  "# Title",
  "para",
  "## Heading right after",
  "- [ ] a",
  "- [x] b",
  "  continued",
  "- c",
  "* star",
  "* * *",
  "",
  "```md",
  "# not a heading",
  "",
  "- [ ] not an item",
  "```",
  "",
  "~~~",
  "``` still code",
  "~~~",
  "<!--",
  "",
  "# commented",
  "-->",
  "",
  "<!-- one line -->",
  "",
  "<div>",
  "- [ ] inside html",
  "",
  "<script>",
  "",
  "# script",
  "</script>",
  "``` inline `code` ```",
  "",
  "> quote",
  "",
  "1. one",
  "2. two",
  "",
  "10. ten",
  "   - [ ] nested",
  "",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "# last",
].join("\r\n");

describe("chunked parsing", () => {
  it("gives the same nodes at the same positions as parsing in one piece", () => {
    const text = `${MESSY}\n\n${MESSY}`;
    expect(chunkText(text, 1).length).toBeGreaterThan(15);
    expect(shape(parseMarkdown(text, 1))).toEqual(shape(parseMarkdown(text, Number.POSITIVE_INFINITY)));
  });

  it("never cuts inside fences, raw HTML or indented lines", () => {
    const cuts = chunkText(MESSY, 1).map((c) => c.line);
    const lines = MESSY.split("\r\n");
    expect(cuts.map((n) => lines[n - 1])).toEqual([
      "# Title",
      "## Heading right after",
      "- [x] b", // one-line items of the same marker; "* star" after "- c" is a new list, not cut
      "```md",
      "~~~",
      "<!-- one line -->", // closed on its own line

      "<div>",
      "<script>",
      "> quote",
      "1. one",
      "10. ten",
      "| a | b |",
      "# last",
    ]);
  });

  it("keeps short documents in one piece", () => {
    expect(chunkText("# a\n\n- [ ] b\n")).toEqual([{ start: 0, end: 13, line: 1 }]);
  });
});
