/**
 * Programs the project starts but does not ship (Debian's `redis-server`, `prometheus`, `promtool`): where
 * they are, and the rule for test suites that need one — without it a suite is skipped with a banner that
 * cannot be missed, except under CI=true, where it runs and fails saying what to install.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** `$envVar` if set, else `name` on PATH or in /usr/bin; undefined when none is executable. */
export function findBinary(envVar: string, name: string): string | undefined {
  const override = process.env[envVar];
  const candidates = override
    ? [override]
    : [...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name)), `/usr/bin/${name}`];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * True when a suite should be skipped: something is `missing` (messages saying what to install) and we are
 * not in CI. Prints the banner. Under CI=true it returns false, so the suite runs and fails clearly.
 */
export function skipWhenMissing(suite: string, missing: readonly string[]): boolean {
  if (missing.length === 0 || process.env.CI === "true") return false;
  const bar = "!".repeat(78);
  console.warn(
    [
      "",
      bar,
      `!! SKIPPING "${suite}": ${missing.join("; ")}`,
      "!! Under CI=true this is a failure.",
      bar,
      "",
    ].join("\n"),
  );
  return true;
}
