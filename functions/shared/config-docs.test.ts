import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "./config.ts";

/** README's configuration table must name exactly the variables the schema reads. */
describe("README configuration table", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split("## Configuration")[1]?.split("\n## ")[0] ?? "";
  // Cells may be padded (formatters align Markdown tables).
  const rows = [...section.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/gm)];
  const documented = rows.map((m) => m[1]);

  it("lists every variable of the schema, once", () => {
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it("shows each default as the schema has it", () => {
    const defaults = configSchema.parse({}) as Record<string, unknown>;
    expect(rows.length).toBe(Object.keys(configSchema.shape).length);
    for (const row of rows) {
      const [, name, shown] = row as unknown as [string, string, string];
      const value = defaults[name];
      const expected =
        value === undefined
          ? "—"
          : Array.isArray(value) && value.length === 0
            ? "(empty)"
            : `\`${String(value)}\``;
      expect(shown.trim(), name).toBe(expected);
    }
  });
});
