import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsePrds, readPrdFiles } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "canary-prd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readPrdFiles", () => {
  it("decodes broken UTF-8 with replacement characters, drops a BOM, keeps paths and order", async () => {
    const broken = join(dir, "broken.md");
    const bom = join(dir, "bom.md");
    writeFileSync(
      broken,
      Buffer.concat([
        Buffer.from("## Build\n- [ ] caf"),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from(" ok\n"),
      ]),
    );
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("## Ship\n- [ ] go\n")]));
    const inputs = await readPrdFiles([broken, bom]);
    expect(inputs.map((i) => i.file)).toEqual([broken, bom]);
    expect(inputs[0]!.text).toBe("## Build\n- [ ] caf\uFFFD(\uFFFD ok\n");
    expect(inputs[1]!.text.startsWith("## Ship")).toBe(true);
    const { tasks, warnings } = parsePrds(inputs);
    expect(tasks.map((t) => [t.title, t.subtasks[0]!.title])).toEqual([
      ["Build", "caf\uFFFD(\uFFFD ok"],
      ["Ship", "go"],
    ]);
    expect(warnings).toEqual([
      { file: broken, line: 2, message: "2 character(s) could not be decoded and read as U+FFFD" },
    ]);
  });

  it("rejects a missing file with the file system's error", async () => {
    await expect(readPrdFiles([join(dir, "missing.md")])).rejects.toThrow(/ENOENT/);
  });
});
