/**
 * The Newsfeed page in headless Chromium against startNewsfeed (scheduler polling fast) and a fixture
 * feed on 127.0.0.1: like an item and see its count change; a new item arrives live behind the banner.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { describeWithChromium, watchPage } from "../shared/testing/chromium.ts";
import { silentLog } from "../shared/testing/log.ts";
import { serveFeed, useFixtureServer } from "./feeds/testing/fixture-server.ts";
import { startNewsfeed } from "./node.ts";
import { type RssItem, rssFeed } from "./testing/feeds.ts";

const POLL = { timeout: 15_000, interval: 50 };
const server = useFixtureServer();

const item = (i: number, title = `Story ${i}`): RssItem => ({
  guid: `s${i}`,
  title,
  link: `https://local.example/${i}`,
  published: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
  description: `<p>About <b>story</b> ${i}</p>`,
  categories: ["local"],
});
const feed = (items: RssItem[]) => rssFeed({ title: "Local news", link: "https://local.example/", items });

describeWithChromium("Newsfeed page (Chromium)", (use) => {
  let dataDir: string;
  let config: Config;
  let service: RunningService;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "newsfeed-page-"));
    config = loadConfig({
      NEWSFEED_PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      FEED_ALLOWLIST: "127.0.0.1",
    });
    service = await startNewsfeed(config, silentLog, { schedulerIntervalMs: 20 });
  });

  afterAll(async () => {
    await service?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  /** Makes the feeds due now; a new due instant each time (the scheduler claims one check per due time). */
  let dueAt = 0;
  async function ingestNow(): Promise<void> {
    const { db, client } = openLibsql(`file:${join(dataDir, "newsfeed.db")}`);
    await db.run("UPDATE feeds SET next_check_at = ?", [++dueAt]);
    client.close();
  }

  it("likes an item (its count changes) and shows a new item that arrives live", async () => {
    server.route("/page.xml", serveFeed({ body: feed([item(1), item(2)]) }));
    const token = await signToken("alice", config.AUTH_SECRET);
    const added = await fetch(`${service.url}/api/feeds`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: server.url("/page.xml") }),
    });
    expect(added.status).toBe(201);

    const context = await use().newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = await watchPage(page);
    const response = await page.goto(`${service.url}/#token=${token}`);
    expect(response?.status()).toBe(200);
    const items = page.locator("#feed-list > li.item");
    await expect.poll(() => items.count(), POLL).toBe(2);
    expect(await page.locator("#whoami").textContent()).toBe("Signed in as alice.");
    expect(await page.locator("#feeds-list .item-title").textContent()).toBe("Local news");

    const first = items.first();
    const id = (await first.getAttribute("data-id"))!;
    const like = first.locator("button.like");
    expect(await like.textContent()).toBe("♥ 0");
    await like.click();
    await expect.poll(() => like.getAttribute("aria-pressed"), POLL).toBe("true");
    expect(await like.textContent()).toBe("♥ 1");
    const article = (await (
      await fetch(`${service.url}/api/articles/${id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { likes: number; liked: boolean };
    expect(article).toMatchObject({ likes: 1, liked: true });
    await like.click(); // and back
    await expect.poll(() => like.textContent(), POLL).toBe("♥ 0");

    // A new entry whose title is markup: nothing of it may become an element.
    const hostile = '<img src=x onerror="alert(1)"> Breaking';
    server.route("/page.xml", serveFeed({ body: feed([item(1), item(2), item(3, hostile)]) }));
    await ingestNow();
    const banner = page.locator("#new-items");
    await expect.poll(() => banner.textContent(), POLL).toBe("1 new item");
    expect(await banner.isVisible()).toBe(true);
    expect(await items.count()).toBe(2); // the list does not jump before the reader asks
    await banner.click();
    await expect.poll(() => items.count(), POLL).toBe(3);
    // The title as stored (the parser keeps titles as text), shown as text: no element from it.
    const stored = (await (await fetch(`${service.url}/api/search?q=breaking`)).json()) as {
      items: { title: string }[];
    };
    expect(stored.items[0]!.title).toContain("Breaking");
    expect(await items.first().locator(".item-title").textContent()).toBe(stored.items[0]!.title);
    expect(await page.locator("#feed-list img").count()).toBe(0);
    expect(await banner.isHidden()).toBe(true);

    await page.getByLabel("Words").fill("story");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#search-list mark").count(), POLL).toBeGreaterThan(0);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  });
});
