/**
 * The Newsfeed page in headless Chromium against startNewsfeed (scheduler polling fast) and fixture
 * feeds on 127.0.0.1: like an item and see its count change; a new item arrives live behind the banner;
 * follow a topic and a feed from their buttons (the Following card, the reordered feed, the live stream
 * reconnected with the new filter), unfollow them, an API error in its card, and the read-only demo view.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { openLibsql } from "../shared/sql-libsql.ts";
import { describeWithChromium, type PageProblems, watchPage } from "../shared/testing/chromium.ts";
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

/** Stories of a second feed, `minutes` old, with their own categories. */
const wireItem = (i: number, title: string, minutes: number, categories: string[]): RssItem => ({
  guid: `w${i}`,
  title,
  link: `https://wire.example/${i}`,
  published: new Date(Date.now() - minutes * 60_000).toISOString(),
  categories,
});
const RUST_OLD = wireItem(1, "Rust async, explained", 30, ["Rust"]);
// A category with markup characters (the parser strips tags from categories): text on its button.
const GO_NEW = wireItem(2, "Go generics in practice", 1, ["Go", 'a < b & "c"']);
const wire = (items: RssItem[]) => rssFeed({ title: "Tech wire", link: "https://wire.example/", items });

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

  /** A fresh page at `path`; `before` runs before it loads (to listen from the first request). */
  async function openPage(
    path: string,
    before?: (page: Page) => void,
  ): Promise<{ page: Page; problems: PageProblems }> {
    const context = await use().newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = await watchPage(page);
    before?.(page);
    const response = await page.goto(`${service.url}${path}`);
    expect(response?.status()).toBe(200);
    return { page, problems };
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
  it("follows a topic and a feed from their buttons, sees them in Following and the feed lifted, live too, and unfollows", async () => {
    server.route("/wire.xml", serveFeed({ body: wire([RUST_OLD, GO_NEW]) }));
    const token = await signToken("bob", config.AUTH_SECRET);
    const added = await fetch(`${service.url}/api/feeds`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: server.url("/wire.xml") }),
    });
    expect(added.status).toBe(201);
    const liveConnections: string[] = [];
    const { page, problems } = await openPage(`/#token=${token}`, (page) =>
      page.on("response", (res) => {
        if (new URL(res.url()).pathname === "/api/live") liveConnections.push(res.url());
      }),
    );
    const items = page.locator("#feed-list > li.item");
    const story = (title: string) => items.filter({ has: page.getByText(title, { exact: true }) });
    const firstTitle = () => items.first().locator(".item-title").textContent();
    await expect.poll(() => story(RUST_OLD.title).count(), POLL).toBe(1);
    expect(await firstTitle()).not.toBe(RUST_OLD.title); // the oldest story, below the newer ones
    const empty = page.locator("#follows-empty");
    expect(await empty.textContent()).toContain("You follow nothing yet");
    expect(await page.locator("#feed-list img").count()).toBe(0);
    const topics = story(GO_NEW.title).locator("button.chip[data-follow-kind=topic]");
    expect(await topics.allTextContents()).toEqual(["#go", '#a-<-b-&-"c"']);

    // Follow #rust from the article's topic button, with the keyboard.
    const rust = story(RUST_OLD.title).getByRole("button", { name: "Follow #rust", exact: true });
    expect(await rust.getAttribute("aria-pressed")).toBe("false");
    await rust.focus();
    await page.keyboard.press("Enter");
    const followedTopics = page.locator("#follows-topics .item-title");
    await expect.poll(() => followedTopics.allTextContents(), POLL).toEqual(["#rust"]);
    expect(await empty.isHidden()).toBe(true);
    expect(await page.locator("#follows-status").textContent()).toContain("Following #rust");
    // The feed reloads ranked with the follow: the old story is lifted to the top, its button pressed,
    // and focus is back on it (the list under it was redrawn).
    await expect.poll(firstTitle, POLL).toBe(RUST_OLD.title);
    await expect.poll(() => rust.getAttribute("aria-pressed"), POLL).toBe("true");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-follow-value")), POLL)
      .toBe("rust");
    const api = (await (
      await fetch(`${service.url}/api/newsfeed?limit=1`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { items: { title: string; followedTopic: string | null }[] };
    expect(api.items[0]).toMatchObject({ title: RUST_OLD.title, followedTopic: "rust" });

    // The live stream reconnected with the new filter: of two new stories, only the #rust one arrives.
    await expect.poll(() => liveConnections.length, POLL).toBeGreaterThanOrEqual(2);
    const RUST_NEW = wireItem(3, "Rust 2.0 released", 0, ["rust"]);
    server.route(
      "/wire.xml",
      serveFeed({ body: wire([RUST_OLD, GO_NEW, RUST_NEW, wireItem(4, "Go 2", 0, ["go"])]) }),
    );
    await ingestNow();
    const banner = page.locator("#new-items");
    await expect.poll(() => banner.textContent(), POLL).toBe("1 new item");
    await banner.click();
    await expect.poll(firstTitle, POLL).toBe(RUST_NEW.title);
    expect(
      await items.first().getByRole("button", { name: "Follow #rust" }).getAttribute("aria-pressed"),
    ).toBe("true");

    // Follow the feed from the feeds card: listed by its title; its stories' source buttons pressed.
    const wireFeed = page.locator("#feeds-list > li", { hasText: "Tech wire" });
    await wireFeed.getByRole("button", { name: "Follow Tech wire" }).click();
    const followedFeeds = page.locator("#follows-sources .item-title");
    await expect.poll(() => followedFeeds.allTextContents(), POLL).toEqual(["Tech wire"]);
    await expect
      .poll(
        () =>
          story(GO_NEW.title).getByRole("button", { name: "Follow Tech wire" }).getAttribute("aria-pressed"),
        POLL,
      )
      .toBe("true");
    expect(
      await wireFeed.getByRole("button", { name: "Follow Tech wire" }).getAttribute("aria-pressed"),
    ).toBe("true");

    // Unfollow both from the Following card; it empties, the buttons and the ranking follow.
    await page.getByRole("button", { name: "Unfollow Tech wire" }).click();
    await expect.poll(() => followedFeeds.count(), POLL).toBe(0);
    await page.getByRole("button", { name: "Unfollow #rust" }).click();
    await expect.poll(() => empty.isVisible(), POLL).toBe(true);
    expect(await followedTopics.count()).toBe(0);
    expect(await page.locator("#follows-status").textContent()).toBe("No longer following #rust.");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe("follows-h");
    await expect.poll(() => story(RUST_OLD.title).count(), POLL).toBe(1);
    expect(await firstTitle()).not.toBe(RUST_OLD.title);
    expect(await page.locator('#feed-list button.follow[aria-pressed="true"]').count()).toBe(0);
    const follows = await fetch(`${service.url}/api/follows`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await follows.json()).toEqual({ sources: [], topics: [] });
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  });

  it("shows the API's message in the card when following fails, and leaves the button as it was", async () => {
    const token = await signToken("carol", config.AUTH_SECRET);
    const { page, problems } = await openPage(`/#token=${token}`);
    // The limit is 500 follows; the page must say so in the API's own words.
    const message = "At most 500 sources and topics can be followed";
    await page.route("**/api/follows", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({
            status: 409,
            contentType: "application/json",
            body: JSON.stringify({ error: { code: "too_many_follows", message } }),
          })
        : route.continue(),
    );
    const chip = page.locator("#feed-list button.follow").first();
    await chip.click();
    const alert = page.locator("#feed-error");
    await expect.poll(() => alert.textContent(), POLL).toBe(message);
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(await chip.getAttribute("aria-pressed")).toBe("false");
    expect(await chip.isEnabled()).toBe(true);
    expect(await page.locator("#follows-topics li").count()).toBe(0);
    expect(problems.consoleErrors.every((e) => e.includes("409"))).toBe(true);
    expect({ ...problems, consoleErrors: [] }).toEqual({
      consoleErrors: [],
      pageErrors: [],
      dialogs: [],
      cspViolations: [],
    });
  });

  it("shows sources and topics as text in the read-only ?user= view, marking what that user follows", async () => {
    const token = await signToken("dave", config.AUTH_SECRET);
    const followed = await fetch(`${service.url}/api/follows`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ topic: "Rust" }),
    });
    expect(followed.status).toBe(201);
    const { page, problems } = await openPage("/?user=dave");
    const items = page.locator("#feed-list > li.item");
    await expect.poll(() => items.count(), POLL).toBeGreaterThan(0);
    expect(await page.locator("#whoami").textContent()).toBe("Viewing dave's feed (read only).");
    expect(await page.locator("button[data-follow-kind]").count()).toBe(0);
    const rustStory = items.filter({ has: page.getByText(RUST_OLD.title, { exact: true }) });
    expect(await rustStory.locator("span.chip.followed").allTextContents()).toEqual(["#rust"]);
    expect(await page.locator("#follows-empty").textContent()).toContain("Save a token above");
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  });
});
