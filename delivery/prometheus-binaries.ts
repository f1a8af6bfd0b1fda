/**
 * Where Debian's `prometheus` and `promtool` are, and the skip-or-fail rule for suites that need them:
 * without a binary a suite is skipped with a loud banner, except under CI=true, where it runs and fails.
 */
import { findBinary, skipWhenMissing } from "../functions/shared/binaries.ts";

/** `PROMETHEUS` if set, else `prometheus` on PATH or in /usr/bin. */
export const findPrometheus = () => findBinary("PROMETHEUS", "prometheus");
/** `PROMTOOL` if set, else `promtool` on PATH or in /usr/bin. */
export const findPromtool = () => findBinary("PROMTOOL", "promtool");

export const missingBinary = (name: string) =>
  `${name} not found (install it: apt-get install -y prometheus, or set ${name.toUpperCase()})`;

/** True when a suite should be skipped (a binary missing, not in CI); see functions/shared/binaries.ts. */
export function skipWithoutPrometheus(
  suite: string,
  binaries: ("prometheus" | "promtool")[] = ["prometheus"],
): boolean {
  const absent = binaries.filter((name) => !(name === "prometheus" ? findPrometheus() : findPromtool()));
  return skipWhenMissing(suite, absent.map(missingBinary));
}
