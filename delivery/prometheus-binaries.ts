/**
 * Where Debian's `prometheus` and `promtool` are, and the skip-or-fail rule for suites that need them:
 * without a binary a suite is skipped with a loud banner, except under CI=true, where it runs and fails.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

function findBinary(envVar: string, name: string): string | undefined {
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

/** `PROMETHEUS` if set, else `prometheus` on PATH or in /usr/bin. */
export const findPrometheus = () => findBinary("PROMETHEUS", "prometheus");
/** `PROMTOOL` if set, else `promtool` on PATH or in /usr/bin. */
export const findPromtool = () => findBinary("PROMTOOL", "promtool");

export const missingBinary = (name: string) =>
  `${name} not found (install it: apt-get install -y prometheus, or set ${name.toUpperCase()})`;

/**
 * True when a suite should be skipped: a binary is missing and we are not in CI. Prints a banner so a
 * skip is never silent. Under CI=true it returns false, so the suite runs and fails with a clear message.
 */
export function skipWithoutPrometheus(
  suite: string,
  binaries: ("prometheus" | "promtool")[] = ["prometheus"],
) {
  const absent = binaries.filter((name) => !(name === "prometheus" ? findPrometheus() : findPromtool()));
  if (absent.length === 0 || process.env.CI === "true") return false;
  const bar = "!".repeat(78);
  console.warn(
    [
      "",
      bar,
      `!! SKIPPING "${suite}": ${absent.map(missingBinary).join("; ")}`,
      "!! Under CI=true this is a failure.",
      bar,
      "",
    ].join("\n"),
  );
  return true;
}
