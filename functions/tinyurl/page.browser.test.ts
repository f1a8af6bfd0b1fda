/**
 * The TinyURL page in a real browser: the Node service on a random port, headless Chromium, and a tiny
 * local HTTP server as the links' target. Polls with timeouts, never fixed sleeps.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { describeWithChromium, type PageProblems, watchPage } from "../shared/testing/chromium.ts";
import { startTinyUrl } from "./node.ts";

const XSS_TITLE = "<img src=x onerror=alert(1)>";

describeWithChromium("TinyURL page (Chromium)", (use) => {
  let dataDir: string;
  let config: Config;
  let service: RunningService;
  let target: Server;
  let targetUrl: string;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tinyurl-page-"));
    config = loadConfig({
      TINYURL_PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      VISIT_FLUSH_MS: "50",
    });
    service = await startTinyUrl(config);
    // The short links' destination: another origin, so the shortener accepts it (it refuses itself).
    target = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end('<!doctype html><title>Target</title><link rel="icon" href="data:,"><h1>Target reached</h1>');
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await service?.close();
    await new Promise((resolve) => target?.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A fresh context (own localStorage) with the page open and watched for errors. */
  async function openPage(
    options: BrowserContextOptions = {},
  ): Promise<{ page: Page; problems: PageProblems }> {
    context = await use().newContext(options);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems = await watchPage(page);
    const response = await page.goto(`${service.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    return { page, problems };
  }

  async function probeUserAgent(): Promise<string> {
    const probe = await use().newPage();
    try {
      return await probe.evaluate(() => navigator.userAgent);
    } finally {
      await probe.close();
    }
  }

  async function shorten(page: Page, fields: { url: string; title?: string }): Promise<string> {
    await page.getByLabel("Long URL").fill(fields.url);
    if (fields.title !== undefined) {
      await page.locator("summary", { hasText: "More options" }).click();
      await page.getByLabel("Title").fill(fields.title);
    }
    await page.getByRole("button", { name: "Shorten", exact: true }).click();
    await page.locator("#result").waitFor({ state: "visible" });
    const shortUrl = await page.locator("#result-short").inputValue();
    expect(shortUrl.startsWith(`${service.url}/`)).toBe(true);
    return shortUrl.slice(service.url.length + 1);
  }

  /** Clicks Refresh until the analytics show `want` visits: visits are written by a background flush. */
  async function pollVisits(page: Page, want: string): Promise<void> {
    await expect
      .poll(
        async () => {
          await page.locator("#an-refresh").click();
          await page.locator('#analytics[aria-busy="false"]').waitFor();
          return page.locator("#an-total").textContent();
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(want);
  }

  function expectNoProblems(problems: PageProblems): void {
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  }

  it("creates a link, follows it, and shows the visit in the link's analytics", async () => {
    // isbot counts "HeadlessChrome" as a bot, and breakdowns show humans only: visit as desktop Chrome.
    const userAgent = (await probeUserAgent()).replace("HeadlessChrome", "Chrome");
    const { page, problems } = await openPage({ userAgent });
    const code = await shorten(page, { url: `${targetUrl}/docs?ref=canary`, title: "Canary docs" });
    await expect
      .poll(() => page.locator("#result-qr").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);

    const item = page.locator(`#recent-list li[data-code="${code}"]`);
    await expect.poll(() => item.locator(".link-title").textContent()).toBe("Canary docs");

    // Follow the short link the way a person does: click it; the service redirects to the target.
    await page.locator("#result-open").click();
    await page.waitForURL(`${targetUrl}/docs?ref=canary`);
    expect(await page.locator("h1").textContent()).toBe("Target reached");

    await page.goBack();
    await page.waitForURL(`${service.url}/`);
    await item.getByRole("button", { name: `Analytics for ${code}` }).click();
    await page.locator("#analytics").waitFor({ state: "visible" });
    expect(await page.locator("#an-code").textContent()).toBe(code);
    await pollVisits(page, "1");

    expect(await page.locator("#an-humans").textContent()).toBe("1");
    expect(await page.locator("#an-bots").textContent()).toBe("0");
    expect(await page.locator("#an-unique").textContent()).toBe("1");
    expect(await page.locator("#an-browsers td").first().textContent()).toBe("Chrome");
    // Chromium sent the page as Referer when the link was clicked.
    await expect.poll(() => page.locator("#an-referrers td").first().textContent()).toBe("127.0.0.1");
    expect(await page.locator("#an-chart svg rect.bar").count()).toBeGreaterThan(0);
    await page.getByLabel("Group by").selectOption("hour");
    await pollVisits(page, "1");
    expect(await page.locator("#an-chart svg g.bucket").count()).toBeGreaterThanOrEqual(48);
    expectNoProblems(problems);
  });

  it("renders a hostile title as text, never as markup", async () => {
    const { page, problems } = await openPage();
    const code = await shorten(page, { url: `${targetUrl}/?q="><svg onload=alert(2)>`, title: XSS_TITLE });
    const check = async () => {
      const item = page.locator(`#recent-list li[data-code="${code}"]`);
      await expect.poll(() => item.locator(".link-title").textContent()).toBe(XSS_TITLE);
      expect(await page.locator("#recent-list img, #recent-list svg").count()).toBe(0);
      // The only images on the page are the QR code(s) the page itself points at.
      const sources = await page
        .locator("img")
        .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
      for (const src of sources)
        expect(src === "data:," || src.startsWith(`${service.url}/api/links/`)).toBe(true);
    };
    expect(await page.locator("#result-title").textContent()).toBe(XSS_TITLE);
    await check();
    // Again after a reload: now the list is drawn from GET /api/links/{code}, not from the create answer.
    await page.reload();
    await check();
    await page.getByRole("button", { name: `Analytics for ${code}` }).click();
    await expect.poll(() => page.locator("#an-link-title").textContent()).toBe(XSS_TITLE);
    await page.locator('#analytics[aria-busy="false"]').waitFor();
    await page.waitForLoadState("networkidle"); // any injected image would have failed to load by now
    expect(await page.locator("body img:not(#result-qr)").count()).toBe(0);
    expectNoProblems(problems);
  });

  it("lists and deletes a token holder's links", async () => {
    const { page, problems } = await openPage();
    await page.getByLabel("Bearer token").fill(await signToken("alice", config.AUTH_SECRET));
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("#mine-empty").waitFor({ state: "visible" });
    const code = await shorten(page, { url: `${targetUrl}/mine`, title: "Alice's link" });

    const row = page.locator(`#mine-list li[data-code="${code}"]`);
    await expect.poll(() => row.locator(".link-title").textContent()).toBe("Alice's link");
    await row.getByRole("button", { name: `Delete ${code}` }).click();
    await row.getByRole("button", { name: /^Confirm: delete/ }).click();
    await row.waitFor({ state: "detached" });
    await page.locator(`#recent-list li[data-code="${code}"]`).waitFor({ state: "detached" });

    const gone = await fetch(`${service.url}/api/links/${code}`, { headers: { accept: "application/json" } });
    expect(gone.status).toBe(404);
    expectNoProblems(problems);
  });

  it("shows the API's error message for a bad request", async () => {
    const { page, problems } = await openPage();
    await page.getByLabel("Long URL").fill(`${service.url}/somewhere`);
    await page.getByRole("button", { name: "Shorten", exact: true }).click();
    const alert = page.locator("#form-error");
    await alert.waitFor({ state: "visible" });
    expect(await alert.textContent()).toBe("url: url points to this shortener");
    expect(await page.getByLabel("Long URL").getAttribute("aria-invalid")).toBe("true");
    // The 400 itself is logged by Chromium as a failed resource load; nothing else may be.
    const consoleErrors = problems.consoleErrors.filter((e) => !e.includes("status of 400"));
    expectNoProblems({ ...problems, consoleErrors });
  });
});
