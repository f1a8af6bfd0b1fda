/** `canary feed parse` through the real CLI, and its loader against a fixture HTTP server on 127.0.0.1. */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ParsedFeed } from "../../functions/newsfeed/feeds/entry.ts";
import { loadFeedSource, parseSource, registerFeedCommand } from "./feed.ts";
import { UsageError } from "./shared.ts";

const bin = fileURLToPath(new URL("../../bin/canary.mjs", import.meta.url));

const RSS = `<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Caf\u00e9 news</title><link>/</link>
<item><title>One</title><link>/one</link><description>&lt;p&gt;Hi&lt;/p&gt;</description></item>
</channel></rss>`;
const LATIN1 = Buffer.from(RSS, "latin1");

function canary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, CANARY_DEBUG: "" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let server: Server;
let origin: string;
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "canary-feed-"));
  await writeFile(join(dir, "feed.xml"), LATIN1);
  await writeFile(join(dir, "page.html"), "<!doctype html><html><body>hello</body></html>");
  server = createServer((req, res) => {
    if (req.url === "/feed") {
      res.writeHead(200, { "content-type": "application/rss+xml; charset=iso-8859-1" }).end(LATIN1);
    } else if (req.url === "/moved") {
      res.writeHead(301, { location: "/blog/feed" }).end();
    } else if (req.url === "/blog/feed") {
      res.writeHead(200, { "content-type": "text/xml" }).end(LATIN1);
    } else if (req.url === "/big") {
      res
        .writeHead(200, { "content-type": "text/xml", "content-length": "2000" })
        .end(Buffer.alloc(2000, 32));
    } else if (req.url === "/endless") {
      res.writeHead(200, { "content-type": "text/xml" }); // no length: streamed until the client gives up
      const timer = setInterval(() => res.write(Buffer.alloc(512, 32)), 1);
      res.on("close", () => clearInterval(timer));
    } else if (req.url === "/empty") {
      res.writeHead(204).end();
    } else if (req.url === "/slow") {
      hanging.push(res); // never answered
    } else if (req.url === "/stall") {
      res.writeHead(200, { "content-type": "text/xml" }).write("<rss>"); // then nothing more
      hanging.push(res);
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("nope");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("canary feed parse", () => {
  it("prints the normalised JSON of a file, honouring its declared charset", async () => {
    const run = await canary(
      "feed",
      "parse",
      join(dir, "feed.xml"),
      "--base-url",
      "https://news.example/rss",
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const feed = JSON.parse(run.stdout) as ParsedFeed;
    expect(feed).toMatchObject({ format: "rss2", title: "Café news", link: "https://news.example/" });
    expect(feed.entries[0]).toMatchObject({ id: "https://news.example/one", summary: "<p>Hi</p>" });
  });

  it("fetches a URL and resolves relative links against it", async () => {
    const run = await canary("feed", "parse", `${origin}/feed`);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect((JSON.parse(run.stdout) as ParsedFeed).entries[0]!.link).toBe(`${origin}/one`);
  });

  it("says so, with exit status 1, for a missing file or a document that is no feed", async () => {
    const missing = await canary("feed", "parse", join(dir, "nope.xml"));
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe(`canary: no such file: ${join(dir, "nope.xml")}\n`);
    const page = await canary("feed", "parse", join(dir, "page.html"));
    expect(page.code).toBe(1);
    expect(page.stderr).toMatch(/page\.html: not a feed: the root element is <html>/);
  });
});

describe("registerFeedCommand", () => {
  it("adds `feed parse`, which prints the feed as JSON", async () => {
    const program = new Command("canary").exitOverride();
    registerFeedCommand(program);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(["feed", "parse", join(dir, "feed.xml")], { from: "user" });
    } finally {
      write.mockRestore();
    }
    const feed = JSON.parse(written.join("")) as ParsedFeed;
    expect(feed).toMatchObject({ title: "Café news", link: null }); // a file has no URL to resolve against
  });
});

describe("loadFeedSource", () => {
  it("follows redirects and reports where the document ended up", async () => {
    const loaded = await loadFeedSource(`${origin}/moved`);
    expect(loaded).toMatchObject({ url: `${origin}/blog/feed`, contentType: "text/xml" });
    expect(parseSource("x", loaded).link).toBe(`${origin}/`);
  });

  it("passes the Content-Type on, for its charset", async () => {
    const loaded = await loadFeedSource(`${origin}/feed`);
    expect(loaded.contentType).toBe("application/rss+xml; charset=iso-8859-1");
    expect(Buffer.from(loaded.bytes).equals(LATIN1)).toBe(true);
  });

  it("refuses bodies over the limit, declared or streamed", async () => {
    await expect(loadFeedSource(`${origin}/big`, { maxBytes: 1000 })).rejects.toThrow(
      /larger than 1000 bytes/,
    );
    await expect(loadFeedSource(`${origin}/endless`, { maxBytes: 100_000 })).rejects.toThrow(
      /larger than 100000 bytes/,
    );
    await expect(loadFeedSource(join(dir, "feed.xml"), { maxBytes: 10 })).rejects.toThrow(
      /larger than 10 bytes/,
    );
  });

  it("reports HTTP errors, timeouts and unreachable hosts as usage errors", async () => {
    await expect(loadFeedSource(`${origin}/missing`)).rejects.toThrow(
      `${origin}/missing: HTTP 404 Not Found`,
    );
    await expect(loadFeedSource(`${origin}/slow`, { timeoutMs: 200 })).rejects.toThrow(
      /no complete answer within 0.2 s/,
    );
    await expect(loadFeedSource(`${origin}/stall`, { timeoutMs: 300 })).rejects.toThrow(
      /no complete answer within 0.3 s/,
    );
    const closed = `http://127.0.0.1:1/feed`;
    await expect(loadFeedSource(closed)).rejects.toThrow(/could not fetch/);
    await expect(loadFeedSource(closed)).rejects.toBeInstanceOf(UsageError);
  });

  it("reads an empty answer as empty, which is no feed", async () => {
    const loaded = await loadFeedSource(`${origin}/empty`);
    expect(loaded.bytes).toHaveLength(0);
    expect(() => parseSource("empty", loaded)).toThrow(
      "empty: not a feed: the document is neither XML nor JSON",
    );
  });

  it("refuses other URL schemes and directories", async () => {
    await expect(loadFeedSource("ftp://example.com/feed")).rejects.toThrow(/only http\(s\) URLs/);
    await expect(loadFeedSource("file:///etc/passwd")).rejects.toThrow(/only http\(s\) URLs/);
    await expect(loadFeedSource(dir)).rejects.toThrow(/is a directory/);
  });
});
