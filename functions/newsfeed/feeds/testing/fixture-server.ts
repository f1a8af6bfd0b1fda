/**
 * A feed server for tests on 127.0.0.1 (a free port): routes by path, records every request, and counts
 * requests in flight (and the peak) so concurrency limits can be checked without timing anything.
 *
 *   const server = useFixtureServer(); // starts in beforeAll, closes in afterAll
 *   server.route("/feed.xml", serveFeed({ body: RSS, etag: '"v1"' }));
 *   await fetchFeed(server.url("/feed.xml"), {}, options);
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

export type FixtureHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

export interface FixtureServer {
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly inFlight: number;
  readonly peakInFlight: number;
  url(path: string): string;
  route(path: string, handler: FixtureHandler): void;
  /** Forgets recorded requests and the peak (routes stay). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureHandler>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", path, headers: req.headers });
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.once("close", () => {
      inFlight--;
    });
    const handler = routes.get(path.split("?")[0]!);
    if (!handler) {
      res.writeHead(404).end("not found");
      return;
    }
    Promise.resolve(handler(req, res)).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    url: (path) => `${origin}${path}`,
    route: (path, handler) => {
      routes.set(path, handler);
    },
    reset() {
      requests.length = 0;
      peakInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Responses a test left hanging must not keep the server open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Registers beforeAll/afterAll in the current suite; use the server inside tests or later hooks. */
export function useFixtureServer(): FixtureServer {
  let server: FixtureServer | undefined;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const live = (): FixtureServer => {
    if (!server)
      throw new Error("the fixture server is not running (useFixtureServer's beforeAll has not run)");
    return server;
  };
  return {
    get origin() {
      return live().origin;
    },
    get port() {
      return live().port;
    },
    get requests() {
      return live().requests;
    },
    get inFlight() {
      return live().inFlight;
    },
    get peakInFlight() {
      return live().peakInFlight;
    },
    url: (path) => live().url(path),
    route: (path, handler) => live().route(path, handler),
    reset: () => live().reset(),
    close: () => live().close(),
  };
}

export interface FeedFixture {
  body: string | Uint8Array;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  headers?: Record<string, string>;
}

/** Serves a feed with its validators, answering 304 when the request's conditional headers match. */
export function serveFeed(feed: FeedFixture): FixtureHandler {
  return (req, res) => {
    const validators: Record<string, string> = {};
    if (feed.etag) validators.etag = feed.etag;
    if (feed.lastModified) validators["last-modified"] = feed.lastModified;
    const ifNoneMatch = req.headers["if-none-match"];
    const ifModifiedSince = req.headers["if-modified-since"];
    // RFC 9110: If-None-Match wins when both are sent.
    const fresh =
      ifNoneMatch !== undefined
        ? feed.etag !== undefined && ifNoneMatch.split(",").some((tag) => tag.trim() === feed.etag)
        : ifModifiedSince !== undefined &&
          feed.lastModified !== undefined &&
          ifModifiedSince === feed.lastModified;
    if (fresh) {
      res.writeHead(304, { ...validators, ...feed.headers }).end();
      return;
    }
    res
      .writeHead(200, {
        "content-type": feed.contentType ?? "application/rss+xml",
        ...validators,
        ...feed.headers,
      })
      .end(feed.body);
  };
}

/** Answers with a redirect to `location` (relative or absolute). */
export function redirectTo(location: string, status = 302): FixtureHandler {
  return (_req, res) => {
    res.writeHead(status, { location }).end();
  };
}

/** Holds every response until the test lets it go: `release()` answers the oldest held request. */
export function heldResponses(respond: FixtureHandler) {
  const held: (() => void)[] = [];
  const handler: FixtureHandler = (req, res) =>
    new Promise<void>((resolve) => {
      held.push(() => {
        void Promise.resolve(respond(req, res)).then(resolve);
      });
    });
  return {
    handler,
    get held() {
      return held.length;
    },
    release(): boolean {
      const next = held.shift();
      next?.();
      return next !== undefined;
    },
  };
}
