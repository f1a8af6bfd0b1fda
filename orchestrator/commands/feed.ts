/**
 * `canary feed parse <file|url>`: parse an RSS, Atom or JSON feed and print the normalised JSON — what
 * the Newsfeed service would store. A URL is fetched with the global fetch, plainly: 10 s timeout, at most
 * MAX_FEED_BYTES, redirects followed. That is fine for a person on their own machine; the service
 * fetches through functions/newsfeed/feeds/fetch.ts (SSRF checks, conditional GET, per-host limits),
 * which this command should switch to once that fetcher is settled.
 */
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { FeedParseError } from "../../functions/newsfeed/feeds/entry.ts";
import { MAX_FEED_BYTES, parseFeed } from "../../functions/newsfeed/feeds/parse.ts";
import { action, printJson, UsageError } from "./shared.ts";

export const FETCH_TIMEOUT_MS = 10_000;
const ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8";

export interface FeedSource {
  bytes: Uint8Array;
  /** Where it was fetched from (after redirects), to resolve relative URLs; absent for files. */
  url?: string;
  contentType?: string;
}

export interface LoadOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

interface ParseOptions {
  baseUrl?: string;
}

export function registerFeedCommand(program: Command): void {
  const feed = program.command("feed").description("newsfeed tools");
  feed
    .command("parse")
    .description("parse an RSS/Atom/JSON feed (a file or an http(s) URL) and print the normalised JSON")
    .argument("<source>", "a file path or an http(s) URL")
    .option("--base-url <url>", "resolve relative links as if the document came from this URL")
    .action(
      action(async (source: string, options: ParseOptions) => {
        const loaded = await loadFeedSource(source);
        printJson(parseSource(source, { ...loaded, url: options.baseUrl ?? loaded.url }));
      }),
    );
}

/** The parsed feed, or an error that names the source. */
export function parseSource(source: string, loaded: FeedSource) {
  try {
    return parseFeed(loaded.bytes, { url: loaded.url, contentType: loaded.contentType });
  } catch (error) {
    if (error instanceof FeedParseError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
}

export async function loadFeedSource(source: string, options: LoadOptions = {}): Promise<FeedSource> {
  const maxBytes = options.maxBytes ?? MAX_FEED_BYTES;
  if (/^https?:\/\//i.test(source))
    return fetchSource(source, options.timeoutMs ?? FETCH_TIMEOUT_MS, maxBytes);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
    throw new UsageError(`${source}: only http(s) URLs can be fetched`);
  return readSource(source, maxBytes);
}

async function readSource(path: string, maxBytes: number): Promise<FeedSource> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${path} is a directory, not a feed file`);
    if (info.size > maxBytes) throw new UsageError(`${path} is larger than ${maxBytes} bytes`);
    return { bytes: new Uint8Array(await readFile(path)) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new UsageError(`no such file: ${path}`);
    throw error;
  }
}

async function fetchSource(url: string, timeoutMs: number, maxBytes: number): Promise<FeedSource> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: ACCEPT } });
  } catch (error) {
    throw new UsageError(describeFetchError(url, timeoutMs, error));
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UsageError(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  let bytes: Uint8Array;
  try {
    bytes = await readLimited(response, maxBytes);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${url}: ${error.message}`);
    throw new UsageError(describeFetchError(url, timeoutMs, error));
  }
  return { bytes, url: response.url || url, contentType: response.headers.get("content-type") ?? undefined };
}

function describeFetchError(url: string, timeoutMs: number, error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `${url}: no complete answer within ${timeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: unknown }).cause;
  const reason =
    cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return `${url}: could not fetch (${reason})`;
}

/** The body, refusing (and cancelling the download) once it passes `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  const tooLarge = () => new UsageError(`the response is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
