/**
 * The client of Newsfeed's contract suite: HTTP requests against one base URL as named users, and the
 * suite's seed feeds. Articles arrive the way they do in production, through `POST /api/feeds`: each
 * runner offers `serveFeed`, which makes a document fetchable by the runtime under test at some URL (Node:
 * a fixture HTTP server on 127.0.0.1, allowlisted for that run; workerd: the Worker's global fetch stubbed
 * for a reserved `.test` host). Nothing test-only is reachable in the app itself.
 */
import { expect } from "vitest";
import { signToken } from "../shared/auth.ts";

export type Fetcher = (request: Request) => Promise<Response>;

export interface NewsfeedContractOptions {
  /** Origin the requests are addressed to: the server's URL on Node, any origin on workerd. */
  baseUrl: string;
  /** AUTH_SECRET of the app under test, to mint bearer tokens. */
  authSecret: string;
  /** Makes `body` fetchable by the app under test; returns the URL to subscribe to. */
  serveFeed(name: string, body: string, contentType: string): Promise<string>;
}

/** Unique per run, so the suite also passes against storage that outlives it. */
export const contractRun = () => Math.random().toString(36).slice(2, 8);

export interface SendInit {
  method?: string;
  json?: unknown;
  /** A user name (a token is minted for it), or none for anonymous. */
  as?: string;
}

export interface ArticleJson {
  id: string;
  title: string;
  link: string | null;
  publishedAt: string;
  topics: string[];
  feed: { id: string; title: string | null; url: string } | null;
  likes: number;
  liked: boolean | null;
}

export interface FeedItemJson extends ArticleJson {
  score: number;
  duplicates: string[];
  sources: string[];
  followedSource: boolean;
  followedTopic: string | null;
}

export interface NewsfeedJson {
  user: string | null;
  asOf: string;
  items: FeedItemJson[];
  nextCursor: string | null;
}

export function newsfeedClient(fetcher: Fetcher, options: NewsfeedContractOptions) {
  const run = contractRun();
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (user: string) => {
    if (!tokens.has(user)) tokens.set(user, signToken(user, options.authSecret));
    return tokens.get(user)!;
  };

  const client = {
    run,
    /** A user of this run. */
    user: (name: string) => `${name}-${run}`,
    url: (path: string) => new URL(path, options.baseUrl).toString(),
    /** A request as it is, for headers `send` does not set. */
    raw: (request: Request) => fetcher(request),

    async send(path: string, init: SendInit = {}): Promise<Response> {
      const headers = new Headers();
      if (init.as) headers.set("authorization", `Bearer ${await tokenOf(init.as)}`);
      let body: string | undefined;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const method = init.method ?? (body === undefined ? "GET" : "POST");
      return fetcher(new Request(client.url(path), { method, headers, body }));
    },

    /** A request that must answer `status`; returns its JSON body. */
    async ok<T = Record<string, unknown>>(path: string, init: SendInit = {}, status = 200): Promise<T> {
      const res = await client.send(path, init);
      const text = await res.text();
      expect(res.status, `${init.method ?? "request"} ${path}: ${text}`).toBe(status);
      return (text ? JSON.parse(text) : null) as T;
    },
  };
  return client;
}

export type NewsfeedClient = ReturnType<typeof newsfeedClient>;

/** Asserts the one error shape: `{ error: { code, message } }` with this status and code. */
export async function expectError(res: Response, status: number, code?: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
}

const HOUR = 3_600_000;
const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface SeedItem {
  key: string;
  title: string;
  hoursAgo: number;
  topic: string;
}

/**
 * The seed: two feeds whose titles carry the run id (so search finds exactly this run's articles).
 * Feed A: Rust 1 h, Garden 5 h, Databases 30 h old; feed B: Go 3 h, Chess 8 h old.
 */
export function seedFeeds(run: string, now = Date.now()) {
  const item = (key: string, title: string, hoursAgo: number, topic: string): SeedItem => ({
    key,
    title: `${title} ${run}`,
    hoursAgo,
    topic,
  });
  const feeds = {
    a: {
      title: `Site A ${run}`,
      items: [
        item("rust", "Rust compiler speedups", 1, "Rust"),
        item("garden", "Gardening tips for winter", 5, "Garden"),
        item("db", "Old news about databases", 30, "Databases"),
      ],
    },
    b: {
      title: `Site B ${run}`,
      items: [item("go", "Go generics explained", 3, "Go"), item("chess", "Chess openings", 8, "Games")],
    },
  };
  const rss = (feed: { title: string; items: SeedItem[] }, site: string) =>
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${escapeXml(feed.title)}</title>
<link>https://${site}.example/</link><description>contract feed</description>${feed.items
      .map(
        (i) =>
          `<item><guid isPermaLink="false">${i.key}-${run}</guid><title>${escapeXml(i.title)}</title>` +
          `<link>https://${site}.example/${i.key}-${run}</link>` +
          `<pubDate>${new Date(now - i.hoursAgo * HOUR).toUTCString()}</pubDate>` +
          `<description>About ${escapeXml(i.topic)} &lt;b&gt;today&lt;/b&gt;</description>` +
          `<category>${escapeXml(i.topic)}</category></item>`,
      )
      .join("\n")}</channel></rss>`;
  return { feeds, documents: { a: rss(feeds.a, "a"), b: rss(feeds.b, "b") } };
}

export interface Seeded {
  feedA: string;
  feedB: string;
  /** Article ids by seed key (rust, garden, db, go, chess). */
  ids: Record<string, string>;
  titles: Record<string, string>;
}

/** Serves and subscribes the seed feeds through the API, then finds the articles' ids by search. */
export async function seed(api: NewsfeedClient, options: NewsfeedContractOptions): Promise<Seeded> {
  const { feeds, documents } = seedFeeds(api.run);
  const admin = api.user("admin");
  const type = "application/rss+xml";
  const [urlA, urlB] = await Promise.all([
    options.serveFeed(`a-${api.run}.xml`, documents.a, type),
    options.serveFeed(`b-${api.run}.xml`, documents.b, type),
  ]);
  const a = await api.ok<{ id: string }>("/api/feeds", { as: admin, json: { url: urlA } }, 201);
  const b = await api.ok<{ id: string }>("/api/feeds", { as: admin, json: { url: urlB } }, 201);
  const found = await api.ok<{ items: ArticleJson[] }>(`/api/search?q=${api.run}&limit=50`, { as: admin });
  const ids: Record<string, string> = {};
  const titles: Record<string, string> = {};
  for (const i of [...feeds.a.items, ...feeds.b.items]) {
    const article = found.items.find((f) => f.title === i.title);
    if (!article) throw new Error(`seed: ${i.title} not found by search`);
    ids[i.key] = article.id;
    titles[i.key] = i.title;
  }
  return { feedA: a.id, feedB: b.id, ids, titles };
}
