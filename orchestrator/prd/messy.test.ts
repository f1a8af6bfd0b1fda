import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePrds } from "./index.ts";
import { MAX_DETAILS } from "./steps.ts";

const fixture = (name: string) => ({
  file: `fixtures/${name}`,
  text: readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"),
});
const parseText = (text: string, file = "m.md") => parsePrds([{ file, text }]);

describe("messy real input", () => {
  const { tasks, warnings } = parsePrds([fixture("messy.md")]);

  it("keeps every checklist whatever the heading levels, and both copies of a repeated title", () => {
    expect(tasks.map((t) => [t.id, t.title, t.source?.line, t.subtasks.map((s) => s.title)])).toEqual([
      [1, "messy", 3, ["A step before any heading"]], // no heading: named after the file
      [2, "Deep heading first", 5, ["deep step"]], // a #### before any ##
      [3, "Shallow after deep", 9, ["plain step one", "plain step two"]], // "### Tasks" lists its steps
      [4, "Deploy", 20, ["Push"]],
      [5, "Deploy", 24, ["Push again"]],
      [6, "Backend", 28, ["Grouped checklist item"]], // a checklist nested under a plain item
      [7, "Deployment Steps", 33, ["Build", "Ship"]], // plain items count under a "… Steps" heading
      [8, "Broken encoding \uFFFD here", 38, ["Step with damage \uFFFD inside"]],
    ]);
    expect(tasks[0]!.description).toBe("Intro text before any heading.");
    expect(tasks[2]!.subtasks[1]).toMatchObject({ details: "- nested plain detail", dependencies: [1] });
  });

  it("warns about encoding damage once, at its first line", () => {
    expect(warnings).toEqual([
      {
        file: "fixtures/messy.md",
        line: 38,
        message: "2 character(s) could not be decoded and read as U+FFFD",
      },
    ]);
  });

  it("ignores plain lists outside tasks headings", () => {
    const { tasks: none } = parseText("## Notes\n- one\n- two\n\n1. three\n");
    expect(none).toEqual([]);
  });

  it("reads CRLF and CR line endings with the right line numbers", () => {
    const crlf = parseText("# T\r\n\r\n## Build\r\n- [ ] a\r\n  more\r\n- [x] b\r\n");
    expect(crlf.tasks[0]!.subtasks.map((s) => [s.title, s.source?.line, s.details])).toEqual([
      ["a", 4, "more"],
      ["b", 6, ""],
    ]);
    const cr = parseText("## Build\r- [ ] a\r- [ ] b\r");
    expect(cr.tasks[0]!.subtasks.map((s) => s.source?.line)).toEqual([2, 3]);
  });

  it("takes setext headings, links, emphasis, images, inline HTML and hard breaks apart by position", () => {
    const text = [
      "Build *the* [service](https://example.com)",
      "=========",
      "",
      "- [ ] Read ![logo](l.png) <kbd>docs</kbd> ~~now~~",
      "- [ ] First line\\",
      "  second line",
      "- [ ] Multi <span",
      '  class="x">html</span>',
    ].join("\n");
    const [task] = parseText(text).tasks;
    expect(task!.title).toBe("Build the service");
    expect(task!.subtasks.map((s) => [s.title, s.source?.line, s.details])).toEqual([
      ["Read logo docs now", 4, ""],
      ["First line", 5, "second line"],
      ["Multi", 7, 'class="x">html</span>'], // the tag's line break is kept: details quote line 8 as written
    ]);
  });

  it("reads escapes and character references as the text they stand for", () => {
    const text = "## Tokens\n- [ ] Send &lt;token&gt; as \\*bold\\*\n- [ ] Odd &#10;break\n  next\n";
    const [task] = parseText(text).tasks;
    expect(task!.subtasks.map((s) => [s.title, s.source?.line, s.details])).toEqual([
      ["Send <token> as *bold*", 2, ""],
      ["Odd &#10;break", 3, "next"], // an encoded line break would shift line numbers: kept as written
    ]);
  });

  it("splits a long item into a title sentence and a description", () => {
    const [task] = parseText(
      "## Prep\n- [ ] Install deps. This takes a minute.\n- [ ] Check\n  Look twice. Then go.\n",
    ).tasks;
    expect(task!.subtasks.map((s) => [s.title, s.description])).toEqual([
      ["Install deps", "This takes a minute."],
      ["Check", "Look twice."],
    ]);
  });

  it("bounds details and descriptions taken from long prose", () => {
    const prose = `${"word ".repeat(2000)}end.`;
    const [task] = parseText(`## Long\n\n${prose}\n\n${prose}\n\n- [ ] step\n  ${prose}`).tasks;
    expect(task!.details.length).toBeLessThanOrEqual(MAX_DETAILS + 2);
    expect(task!.details.endsWith("\n…")).toBe(true);
    expect(task!.description.length).toBeLessThanOrEqual(300);
    expect(task!.subtasks[0]!.details.length).toBeLessThanOrEqual(MAX_DETAILS + 2);
  });

  it("names empty and generic headings sensibly", () => {
    const text = "##\n- [ ] a\n\n# Tasks\n- plain\n\n## Deploy\n#### Deep\n### Steps\n- s\n";
    expect(parseText(text).tasks.map((t) => [t.title, t.subtasks.length])).toEqual([
      ["(untitled)", 1],
      ["Tasks", 1], // a generic heading with nothing above it keeps its own name
      ["Deploy", 1], // "### Steps" after a deeper heading: a section of its own, named after "## Deploy"
    ]);
  });

  it("gives a generic heading's dependency line to the heading it belongs to", () => {
    const text = "## A\n- [ ] a\n\n## B\n**TASK_009**: **Inner**\n### Steps (after: 1)\n- step\n";
    expect(parseText(text).tasks.map((t) => [t.id, t.title, t.dependencies, t.subtasks.length])).toEqual([
      [1, "A", [], 1],
      [9, "Inner", [], 0],
      [2, "B", [1], 1], // the steps after "### Steps" are B's, not the task line's
    ]);
  });

  it("keeps dependency-only items out of the steps", () => {
    const text = "## Build\n- Depends on: Setup\n- [ ] compile\n\n## Setup\n- [ ] install\n";
    const { tasks: built } = parseText(text);
    expect(built.map((t) => [t.title, t.dependencies, t.subtasks.length])).toEqual([
      ["Build", [2], 1],
      ["Setup", [], 1],
    ]);
  });

  it("treats items without a paragraph, blockquotes and tables as prose or nothing", () => {
    const text =
      "## Mixed\n\n> quoted - [ ] not a step\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n-\n- [ ]\n- [ ] real\n";
    const [task] = parseText(text).tasks;
    expect(task!.subtasks.map((s) => s.title)).toEqual(["real"]);
    expect(task!.details).toBe("> quoted - [ ] not a step\n\n| a | b |\n|---|---|\n| 1 | 2 |");
  });
});

describe("very long documents", () => {
  /** A generated PRD: `count` checklist items, `perHeading` per section. */
  function generated(count: number, perHeading: number): string {
    const lines = ["# Generated PRD", ""];
    for (let i = 0; i < count; i++) {
      if (i % perHeading === 0) lines.push("", `## Section ${i / perHeading + 1}`, "");
      lines.push(`- [${i % 4 === 0 ? "x" : " "}] Step ${i + 1} \`echo ${i + 1}\``);
    }
    return lines.join("\n");
  }

  it("parses 10,000 items in one checklist into 10,000 subtasks", () => {
    const { tasks } = parseText(generated(10_000, 10_000), "big.md");
    expect(tasks).toHaveLength(1);
    const subtasks = tasks[0]!.subtasks;
    expect(subtasks).toHaveLength(10_000);
    expect(subtasks.at(-1)).toMatchObject({
      id: 10_000,
      title: "Step 10000 `echo 10000`",
      command: "echo 10000",
      dependencies: [9_999],
      source: { file: "big.md", line: 10_005 },
    });
    expect(subtasks.filter((s) => s.status === "done")).toHaveLength(2_500);
  });

  it("parses 10,000 items spread over 1,000 sections, with every line number right", () => {
    const { tasks } = parseText(generated(10_000, 10), "sections.md");
    expect(tasks).toHaveLength(1_000);
    expect(tasks.reduce((n, t) => n + t.subtasks.length, 0)).toBe(10_000);
    expect(tasks.at(-1)!.source?.line).toBe(2 + 999 * 13 + 2);
    expect(tasks.at(-1)!.subtasks.at(-1)!.source?.line).toBe(2 + 1000 * 13);
  });
});
