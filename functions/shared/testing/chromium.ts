/**
 * Headless Chromium for browser tests: playwright-core driving Debian's `/usr/bin/chromium` (no browser
 * download). When the binary is missing, tests are skipped loudly on a developer machine and fail on CI
 * (CI=true), where a skipped browser test would hide a regression.
 */
import { accessSync, constants } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, reproducible browser that talks to nothing but the pages a test opens. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox", // containers often lack the user namespaces the sandbox needs
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type ChromiumAvailability = { ok: true; path: string } | { ok: false; path: string; reason: string };

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

export function checkChromium(path = chromiumPath()): ChromiumAvailability {
  try {
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : "not executable";
    return {
      ok: false,
      path,
      reason: `Chromium ${why} at ${path} (install Debian's chromium, or set CHROMIUM_PATH)`,
    };
  }
}

const isCi = () => process.env.CI === "true";
const warned = new Set<string>();

/** One banner per reason: a skipped browser suite must be impossible to miss in the test output. */
function warnSkipped(reason: string): void {
  if (warned.has(reason)) return;
  warned.add(reason);
  const line = "=".repeat(78);
  console.warn(
    `\n${line}\n  BROWSER TESTS SKIPPED: ${reason}\n  On CI (CI=true) they fail instead.\n${line}\n`,
  );
}

function missingOnCi(reason: string): Error {
  return new Error(`${reason}. CI=true requires the browser tests to run; install chromium (.ci/run does).`);
}

/**
 * Launches Chromium, or returns undefined (after a warning banner) when the binary is missing outside CI.
 * On CI a missing binary throws. Playwright gives each launch a fresh temporary user-data-dir and
 * deletes it on close, so runs never share profile state.
 */
export async function launchChromium(): Promise<Browser | undefined> {
  const found = checkChromium();
  if (!found.ok) {
    if (isCi()) throw missingOnCi(found.reason);
    warnSkipped(found.reason);
    return undefined;
  }
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * A describe block with a shared browser: `use()` returns it inside tests. Decided at collection time:
 * the block is skipped (with a banner) when Chromium is missing, or replaced by one failing test on CI.
 */
export function describeWithChromium(name: string, body: (use: () => Browser) => void): void {
  const found = checkChromium();
  if (!found.ok) {
    if (isCi()) {
      describe(name, () => {
        it("needs Chromium", () => {
          throw missingOnCi(found.reason);
        });
      });
      return;
    }
    warnSkipped(found.reason);
    describe.skip(name, () => body(() => undefined as never));
    return;
  }
  describe(name, () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    body(() => {
      if (!browser) throw new Error("Chromium is not running (did beforeAll fail?)");
      return browser;
    });
  });
}

/** What went wrong on a page while a test drove it. Every list should be empty at the end. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  cspViolations: string[];
}

/**
 * Records console errors, uncaught exceptions, dialogs (dismissed) and CSP violations on `page`. CSP
 * violations are caught in the page itself (the init script runs outside the page's CSP) and reported
 * through the console, so a violation is never lost even when Chromium phrases its own message differently.
 */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] };
  const CSP_TAG = "[csp-violation]";
  page.on("console", (msg) => {
    const text = msg.text();
    if (text.startsWith(CSP_TAG)) problems.cspViolations.push(text.slice(CSP_TAG.length).trim());
    else if (msg.type() === "error") problems.consoleErrors.push(`${text} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.pageErrors.push(err.stack ?? err.message));
  page.on("dialog", (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.addInitScript((tag: string) => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.warn(
        `${tag} ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  }, CSP_TAG);
  return problems;
}
