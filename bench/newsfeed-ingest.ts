/**
 * Ingestion part of `npm run bench -- newsfeed`: one RSS 2.0 document of N entries served by a node:http
 * server on 127.0.0.1, subscribed in-process through `FeedIngest.subscribe` (the `POST /api/feeds` path:
 * the real fetchFeed with FEED_ALLOWLIST=127.0.0.1, parse, sanitise, upsert) into a fresh file database.
 * Parsing alone is timed too, so the store's share is visible.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchFeed } from "../functions/newsfeed/feeds/fetch.ts";
import { parseFeed } from "../functions/newsfeed/feeds/parse.ts";
import { parseAllowlist } from "../functions/newsfeed/feeds/ssrf.ts";
import { FeedIngest } from "../functions/newsfeed/ingest.ts";
import { NEWSFEED_SCHEMA, NewsfeedStore } from "../functions/newsfeed/store.ts";
import { rssFeed } from "../functions/newsfeed/testing/feeds.ts";
import { migrate } from "../functions/shared/sql.ts";
import { openDatabase } from "../functions/shared/sql-libsql.ts";
import { silentLog } from "../functions/shared/testing/log.ts";
import { onExit } from "./lib/proc.ts";
import { fmt } from "./lib/report.ts";

export interface IngestResult {
  entries: number;
  bytes: number;
  /** fetch + parse + store, seconds. */
  totalSec: number;
  parseSec: number;
  stored: number;
  entriesPerSec: number;
}

export function feedDocument(entries: number, now: number): string {
  return rssFeed({
    title: "Bench feed",
    link: "https://bench.example/",
    items: Array.from({ length: entries }, (_, i) => ({
      guid: `bench-${i}`,
      title: `Bench story ${i}: something happened somewhere today`,
      link: `https://bench.example/story/${i}?utm_source=rss`,
      published: new Date(now - i * 60_000).toISOString(),
      description: `<p>Summary of <b>story ${i}</b> with <a href="/more/${i}">a link</a> and a <script>x()</script>.</p>`,
      categories: [`topic-${i % 30}`, i % 7 === 0 ? "Machine Learning" : "news"],
    })),
  });
}

export async function runIngest(entries: number): Promise<IngestResult> {
  const body = feedDocument(entries, Date.now());
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
  const dir = mkdtempSync(join(tmpdir(), "canary-newsfeed-ingest-"));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  const { db, client } = await openDatabase(`file:${join(dir, "newsfeed.db")}`);
  try {
    await migrate(db, NEWSFEED_SCHEMA);
    const store = new NewsfeedStore(db);
    const allowlist = parseAllowlist(["127.0.0.1"]);
    const ingest = new FeedIngest({
      store,
      log: silentLog,
      fetch: (u, validators, signal) =>
        fetchFeed(u, validators, { allowlist, maxBytes: 64 * 1024 * 1024, timeoutMs: 60_000, signal }),
    });
    const parseStart = performance.now();
    parseFeed(body, { url, contentType: "application/rss+xml" });
    const parseSec = (performance.now() - parseStart) / 1000;
    const start = performance.now();
    const { feed } = await ingest.subscribe(url, null);
    const totalSec = (performance.now() - start) / 1000;
    const stored = await store.articles.count();
    if (feed.entryCount !== entries || stored !== entries) {
      throw new Error(`stored ${stored} articles (feed says ${feed.entryCount}), expected ${entries}`);
    }
    return {
      entries,
      bytes: Buffer.byteLength(body),
      totalSec,
      parseSec,
      stored,
      entriesPerSec: Math.round(entries / totalSec),
    };
  } finally {
    client.close();
    server.close();
  }
}

export function printIngest(r: IngestResult): void {
  console.log("(3) ingestion — FeedIngest.subscribe of one RSS 2.0 feed served on 127.0.0.1, fresh database");
  console.log(
    `  ${fmt(r.entries)} entries (${fmt(r.bytes / 1024)} KiB): ${fmt(r.entriesPerSec)} entries/s ` +
      `(${fmt(r.totalSec * 1000)} ms fetch + parse + sanitise + store; parse + sanitise alone ${fmt(r.parseSec * 1000)} ms)`,
  );
}
