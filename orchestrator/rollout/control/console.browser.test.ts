/**
 * The console in headless Chromium, over a fake control (testing/fake-control.ts): the page draws the
 * rollout (steps with the current one highlighted, a measurement, the charts), a click on Promote reaches
 * the control and the page shows the step it advanced to, and an engine failure is shown on the card.
 * Polls with timeouts (Playwright's expect-like waits), never fixed sleeps.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  describeWithChromium,
  type PageProblems,
  watchPage,
} from "../../../functions/shared/testing/chromium.ts";
import { eventually } from "../../../functions/shared/testing/eventually.ts";
import { type ControlServer, serveControl } from "./api.ts";
import { FakeRolloutControl } from "./testing/fake-control.ts";

const WAIT = { timeout: 15_000 };

describeWithChromium("rollout console (Chromium)", (use) => {
  let control: FakeRolloutControl;
  let server: ControlServer;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    control = new FakeRolloutControl();
    server = await serveControl(control);
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(): Promise<{ page: Page; problems: PageProblems }> {
    context = await use().newContext({ viewport: { width: 1280, height: 1600 } });
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${server.url}/`);
    await page.locator('[data-rollout="tinyurl"]').waitFor(WAIT);
    return { page, problems };
  }

  const text = (page: Page, selector: string) => page.locator(selector).first().textContent(WAIT);

  it("draws the rollout, and a click on Promote advances it", async () => {
    const { page, problems } = await open();
    const card = '[data-rollout="tinyurl"]';
    expect(await text(page, `${card} h2`)).toBe("tinyurl");
    expect(await page.locator(`${card} .rollout-head .phase`).getAttribute("data-phase")).toBe("Paused");
    expect(await page.locator(`${card} .step`).allTextContents()).toEqual([
      "setWeight 10",
      "pause (until promoted)",
      "setWeight 50",
      "analysis success-rate",
      "setWeight 100",
    ]);
    expect(await page.locator(`${card} .step.current`).getAttribute("data-index")).toBe("1");
    expect(await page.locator(`${card} .step.current`).getAttribute("aria-current")).toBe("step");
    expect(await text(page, `${card} .weight-value`)).toBe("10%");
    const measurement = await page
      .locator(`${card} table.measurements tbody tr`)
      .first()
      .locator("td")
      .allTextContents();
    expect(measurement.slice(0, 3)).toEqual(["1", "Successful", "[0.998]"]);
    expect(await page.locator(`${card} figure.chart svg.chart-svg`).count()).toBe(3);
    expect(await page.locator(`${card} [data-action="promote"]`).isEnabled()).toBe(true);
    expect(await page.locator(`${card} [data-action="retry"]`).isDisabled()).toBe(true);

    // A second traffic sample through the stream: the charts draw a line per version.
    control.publish("tinyurl", {
      traffic: control
        .get("tinyurl")!
        .traffic.map((t) => ({ ...t, rps: t.rps + 5, p95Ms: (t.p95Ms ?? 0) + 3 })),
    });
    await page.locator(`${card} figure.chart[data-metric="rps"] path.line.role-new`).waitFor(WAIT);
    expect(await page.locator(`${card} figure.chart path.line`).count()).toBe(6);
    expect(
      await page.locator(`${card} figure.chart[data-metric="rps"] .legend li`).allTextContents(),
    ).toEqual(["v1 (stable): 50 req/s", "v2 (new): 10 req/s"]);

    await page.locator(`${card} [data-action="promote"]`).click();
    await eventually(
      () => control.calls,
      (calls) => calls.includes("promote tinyurl"),
      { what: "the promote call" },
    );
    await page.locator(`${card} .step.current[data-index="2"]`).waitFor(WAIT);
    expect(await text(page, `${card} .step.current`)).toBe("setWeight 50");
    expect(await text(page, `${card} .weight-value`)).toBe("50%");
    expect(await page.locator(`${card} .step.done`).count()).toBe(2);
    expect(await page.locator(`${card} .rollout-head .phase`).getAttribute("data-phase")).toBe("Progressing");
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  });

  it("shows the API's error on the card when an action fails", async () => {
    const { page, problems } = await open();
    const card = '[data-rollout="tinyurl"]';
    control.failNext = new Error("the proxy is gone");
    await page.locator(`${card} [data-action="abort"]`).click();
    const alert = page.locator(`${card} [role="alert"]`);
    await alert.waitFor({ state: "visible", ...WAIT });
    expect(await alert.textContent()).toBe("The engine failed: the proxy is gone");
    // The browser logs the failed request itself; nothing else went wrong.
    expect(problems.consoleErrors.every((e) => /status of 500/.test(e))).toBe(true);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
