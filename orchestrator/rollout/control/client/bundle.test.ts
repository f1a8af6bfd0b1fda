/** The committed bundle is what a fresh build of the client produces: it cannot drift from the source. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, generateBundleModule } from "../../../../scripts/build-console-client.ts";
import { CONSOLE_SCRIPT } from "./bundle.generated.ts";

describe("console bundle.generated.ts", () => {
  it("matches a fresh build (run `npx tsx scripts/build-console-client.ts` after changing the client)", async () => {
    const fresh = await generateBundleModule();
    expect(fresh === (await readFile(GENERATED_FILE, "utf8")), "bundle.generated.ts is stale").toBe(true);
  });

  it("is a self-contained browser script that parses, with no HTML sinks", () => {
    expect(CONSOLE_SCRIPT).not.toMatch(/^\s*import[\s{*]|\bimport\(/m);
    expect(CONSOLE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(/);
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
    expect(CONSOLE_SCRIPT).toContain("/api/rollouts"); // the console's own code is inside
  });
});
