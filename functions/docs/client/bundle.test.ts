/** The committed bundle is what a fresh build of the client produces: it cannot drift from the source. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, generateBundleModule } from "../../../scripts/build-docs-client.ts";
import { EDITOR_SCRIPT, HOME_SCRIPT } from "./bundle.generated.ts";

describe("bundle.generated.ts", () => {
  it("matches a fresh build (run `npm run build:client` after changing the client)", async () => {
    const fresh = await generateBundleModule();
    expect(fresh === (await readFile(GENERATED_FILE, "utf8")), "bundle.generated.ts is stale").toBe(true);
  });

  it("holds self-contained browser scripts that parse, with no HTML parsing of data", () => {
    for (const script of [EDITOR_SCRIPT, HOME_SCRIPT]) {
      expect(script).not.toMatch(/^\s*import[\s{*]|\bimport\(/m); // bundled: no imports left
      expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(/);
      // A module without imports or exports parses as a function body too.
      expect(() => new Function(script)).not.toThrow();
    }
    expect(EDITOR_SCRIPT).toContain("canary-docs.v1"); // the protocol module is inside
  });
});
