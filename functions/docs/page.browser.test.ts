/**
 * The Docs editor in a real browser: the Node service (HTTP API and WebSockets) on a random port and
 * headless Chromium, one browser context per person. Sockets are cut with Playwright's WebSocket
 * routing (frames in flight are lost). Polls with timeouts, never fixed sleeps.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { signToken } from "../shared/auth.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import type { RunningService } from "../shared/node-runtime.ts";
import { describeWithChromium, type PageProblems, watchPage } from "../shared/testing/chromium.ts";
import { silentLog } from "../shared/testing/log.ts";
import { startDocs } from "./node.ts";

const POLL = { timeout: 15_000, interval: 50 };

describeWithChromium("Docs editor (Chromium)", (use) => {
  let dataDir: string;
  let config: Config;
  let service: RunningService;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "docs-page-"));
    config = loadConfig({ DOCS_PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
    service = await startDocs(config, silentLog);
  });

  afterAll(async () => {
    await service?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  const token = (user: string) => signToken(user, config.AUTH_SECRET);

  async function call<T>(user: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(user)}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
    return (await res.json()) as T;
  }

  /** A document owned by alice, shared with the others as editors. */
  async function createDocument(content: string, editors: string[] = ["bob"]): Promise<string> {
    const { id } = await call<{ id: string }>("alice", "POST", "/api/documents", { title: "Notes", content });
    for (const user of editors)
      await call("alice", "POST", `/api/documents/${id}/share`, { user, role: "editor" });
    return id;
  }

  const serverText = async (id: string) =>
    (await call<{ content: string }>("alice", "GET", `/api/documents/${id}`)).content;

  interface Editor {
    page: Page;
    problems: PageProblems;
    value(): Promise<string>;
  }

  /** Opens the editor as `user` (token in the link's fragment) and waits until it is connected. */
  async function openEditor(
    user: string,
    id: string,
    route?: (page: Page) => Promise<void>,
  ): Promise<Editor> {
    const context = await use().newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = await watchPage(page);
    await route?.(page);
    const response = await page.goto(`${service.url}/d/${id}#token=${await token(user)}`);
    expect(response?.status()).toBe(200);
    await page.locator('#status[data-connection="online"]').waitFor();
    await page.locator("#editor:not([readonly])").waitFor();
    expect(new URL(page.url()).hash).toBe(""); // the token left the address bar
    return { page, problems, value: () => page.locator("#editor").inputValue() };
  }

  /** Every page shows the server's text, with nothing left to send. */
  async function expectConverged(id: string, editors: Editor[]): Promise<string> {
    await expect
      .poll(async () => {
        const values = await Promise.all(editors.map((e) => e.value()));
        const pending = await Promise.all(
          editors.map((e) => e.page.locator("#status").getAttribute("data-pending")),
        );
        const text = await serverText(id);
        return values.every((v) => v === text) && pending.every((p) => p === "false") ? text : null;
      }, POLL)
      .not.toBeNull();
    return serverText(id);
  }

  function expectNoProblems(editor: Editor): void {
    expect(editor.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });
  }

  const occurrences = (text: string, part: string) => text.split(part).length - 1;

  it("two pages typing into one document at the same time end with identical text", async () => {
    const id = await createDocument("");
    const [a, b] = [await openEditor("alice", id), await openEditor("bob", id)];
    await a.page.locator("#editor").click();
    await b.page.locator("#editor").click();
    await Promise.all([
      a.page.keyboard.type("alpha beta gamma delta ", { delay: 20 }),
      b.page.keyboard.type("one two three four 🦊 ", { delay: 20 }),
    ]);
    const text = await expectConverged(id, [a, b]);
    // Each person's caret followed their own typing, so each sentence is whole.
    expect(occurrences(text, "alpha beta gamma delta ")).toBe(1);
    expect(occurrences(text, "one two three four 🦊 ")).toBe(1);
    expect([...text]).toHaveLength(23 + 21);
    expectNoProblems(a);
    expectNoProblems(b);
  });

  it("a page that loses its socket keeps typing, reconnects and converges with no duplicated text", async () => {
    const id = await createDocument("start\n");
    let offline = false;
    const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    const b = await openEditor("bob", id, (page) =>
      page.routeWebSocket(/\/socket/, (ws) => {
        if (offline) return ws.close({ code: 4999, reason: "offline" });
        sockets.push({ page: ws, server: ws.connectToServer() });
      }),
    );
    const a = await openEditor("alice", id);
    await b.page.locator("#editor").click();
    await b.page.keyboard.press("Control+End");
    await b.page.keyboard.type("before ", { delay: 10 });
    await expect.poll(() => a.value(), POLL).toBe("start\nbefore ");

    offline = true;
    await b.page.keyboard.type("sent as the link drops ", { delay: 5 });
    for (const socket of sockets.splice(0)) {
      await socket.server.close({ code: 4999, reason: "cut" });
      await socket.page.close({ code: 4999, reason: "cut" });
    }
    await b.page.locator('#status:not([data-connection="online"])').waitFor();
    await b.page.keyboard.type("typed offline ", { delay: 10 });
    await expect.poll(() => b.page.locator("#status").getAttribute("data-pending")).toBe("true");
    await a.page.locator("#editor").click();
    await a.page.keyboard.press("Control+Home");
    await a.page.keyboard.type("[alice] ", { delay: 10 });

    offline = false; // the page's next reconnect attempt gets through
    const text = await expectConverged(id, [a, b]);
    for (const part of ["start\n", "before ", "sent as the link drops ", "typed offline ", "[alice] "]) {
      expect(occurrences(text, part), `${JSON.stringify(part)} in ${JSON.stringify(text)}`).toBe(1);
    }
    expect(text).toBe("[alice] start\nbefore sent as the link drops typed offline ");
    const { ops } = await call<{ ops: { src: string; seq: number }[] }>(
      "alice",
      "GET",
      `/api/documents/${id}/history`,
    );
    const keys = ops.map((op) => `${op.src}/${op.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    expectNoProblems(a);
  });

  it("moves a remote cursor when text is inserted before it", async () => {
    const id = await createDocument("hello world");
    const [a, b] = [await openEditor("alice", id), await openEditor("bob", id)];
    await b.page.locator("#editor").click();
    await b.page.keyboard.press("Control+Home");
    for (let i = 0; i < 6; i++) await b.page.keyboard.press("ArrowRight"); // before "world"
    const bobsCaret = a.page.locator("#cursors .caret");
    await expect.poll(() => bobsCaret.getAttribute("data-pos"), POLL).toBe("6");
    expect(await bobsCaret.locator(".caret-label").textContent()).toBe("bob");
    const before = (await bobsCaret.boundingBox())!;

    await a.page.locator("#editor").click();
    await a.page.keyboard.press("Control+Home");
    await a.page.keyboard.type("Oh, ", { delay: 10 });
    await expect.poll(() => bobsCaret.getAttribute("data-pos"), POLL).toBe("10");
    const after = (await bobsCaret.boundingBox())!;
    expect(after.x).toBeGreaterThan(before.x);
    // Bob's own caret moved the same way in his textarea.
    await expect
      .poll(() => b.page.locator("#editor").evaluate((e: HTMLTextAreaElement) => e.selectionStart))
      .toBe(10);
    await a.page.keyboard.type("my ", { delay: 10 });
    await expect.poll(() => b.value(), POLL).toBe("Oh, my hello world");
    await b.page.keyboard.type("big ", { delay: 10 }); // bob types at his caret
    await expect.poll(() => a.value(), POLL).toBe("Oh, my hello big world");
    expectNoProblems(a);
    expectNoProblems(b);
  });

  it("undoes only one's own text, and redoes it", async () => {
    const id = await createDocument("");
    const [a, b] = [await openEditor("alice", id), await openEditor("bob", id)];
    await a.page.locator("#editor").click();
    await a.page.keyboard.type("mine ", { delay: 10 });
    await expect.poll(() => b.value(), POLL).toBe("mine ");
    await b.page.locator("#editor").click();
    await b.page.keyboard.press("Control+End");
    await b.page.keyboard.type("theirs", { delay: 10 });
    await expect.poll(() => a.value(), POLL).toBe("mine theirs");

    const undo = a.page.locator("#undo");
    while (await undo.isEnabled()) await a.page.keyboard.press("Control+Z");
    expect(await expectConverged(id, [a, b])).toBe("theirs");
    await a.page.keyboard.press("Control+Shift+Z");
    expect(await expectConverged(id, [a, b])).toBe("mine theirs");
    expectNoProblems(a);
    expectNoProblems(b);
  });

  it("creates a document from the home page and opens it; a viewer cannot type", async () => {
    const context = await use().newContext();
    contexts.push(context);
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto(`${service.url}/#token=${await token("alice")}`);
    await page.getByLabel("Title").fill("<b>Plan</b>");
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL(/\/d\/[A-Za-z0-9_-]+$/);
    await expect.poll(() => page.locator("#doc-title").textContent()).toBe("<b>Plan</b>");
    const id = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByLabel("User").fill("val");
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Share" }).click();
    await expect.poll(() => page.locator("#share-result").textContent()).toBe("Shared with val as viewer.");
    await page.goto(`${service.url}/`);
    await expect.poll(() => page.locator("#doc-list .doc-title").first().textContent()).toBe("<b>Plan</b>");
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], cspViolations: [] });

    const viewer = await use().newContext();
    contexts.push(viewer);
    const view = await viewer.newPage();
    await view.goto(`${service.url}/d/${id}#token=${await token("val")}`);
    await view.locator('#status[data-connection="online"]').waitFor();
    expect(await view.locator("#editor").getAttribute("readonly")).not.toBeNull();
    expect(await view.locator("#role").textContent()).toBe("viewer");
  });
});
