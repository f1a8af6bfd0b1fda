// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the runner's variable syntax, not a mistaken template literal.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./testing/tasks.ts";
import { expandVariables, mergeVariables, parseAssignment, readVariablesFile } from "./variables.ts";

describe("expandVariables", () => {
  it("substitutes values and lists every missing name once", () => {
    expect(expandVariables("kubectl -n ${NS} get ${KIND} ${KIND} ${X}", { NS: "canary" })).toEqual({
      text: "kubectl -n canary get ${KIND} ${KIND} ${X}",
      missing: ["KIND", "X"],
    });
  });

  it("falls back to a default when unset or empty, and keeps $${ literal for the shell", () => {
    expect(expandVariables("${A:-one} ${B:-two} ${C:-}", { B: "", C: "three" }).text).toBe("one two three");
    expect(expandVariables('echo "$${HOME}" ${HOME%/}', { HOME: "/root" })).toEqual({
      text: 'echo "${HOME}" ${HOME%/}',
      missing: [],
    });
  });
});

describe("variable sources", () => {
  it("layers config < environment < --set, the last --set winning", () => {
    const merged = mergeVariables({
      config: { A: "config", B: "config", C: "config" },
      env: { B: "env", C: "env" },
      sets: ["C=first", "C=set=with=equals"],
    });
    expect(merged).toMatchObject({ A: "config", B: "env", C: "set=with=equals" });
  });

  it("reads a JSON file of scalars", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "vars.json"), JSON.stringify({ NAMESPACE: "prod", REPLICAS: 3, DEBUG: false }));
    expect(await readVariablesFile(join(dir, "vars.json"))).toEqual({
      NAMESPACE: "prod",
      REPLICAS: "3",
      DEBUG: "false",
    });
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ NESTED: { a: 1 } }));
    await expect(readVariablesFile(join(dir, "bad.json"))).rejects.toThrow(/string, number or boolean/);
    await expect(readVariablesFile(join(dir, "missing.json"))).rejects.toThrow(/cannot read variables file/);
  });

  it("refuses --set without NAME=", () => {
    expect(() => parseAssignment("=x")).toThrow(/NAME=value/);
    expect(parseAssignment("A=")).toEqual(["A", ""]);
  });
});
