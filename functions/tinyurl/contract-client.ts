/**
 * The HTTP client of TinyURL's contract suite: builds requests against one base URL, as one client IP at
 * a time, and checks the shapes every answer shares. Only HTTP goes through it, never app internals.
 */
import { expect } from "vitest";
import { signToken } from "../shared/auth.ts";

export type Fetcher = (request: Request) => Promise<Response>;

export interface ContractOptions {
  /** Origin the requests are addressed to: the server's URL on Node, any origin on workerd. */
  baseUrl: string;
  /** AUTH_SECRET of the app under test, to mint bearer tokens. */
  authSecret: string;
  /** RATE_LIMIT_API of the app under test. Low (e.g. 30), so the 429 test is quick, but enough for one test. */
  apiLimit: number;
  /**
   * The request header the runtime takes the client IP from (`cf-connecting-ip` on workerd,
   * `x-forwarded-for` on Node with TRUST_PROXY). Each test is its own client, so rate-limit budgets never
   * leak from one test into another.
   */
  clientIpHeader: string;
  /** Writes buffered visits now, where the runtime buffers them; analytics are polled either way. */
  flushVisits?: () => Promise<void>;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  body?: string | URLSearchParams;
  /** User id: the request carries a bearer token for it. */
  as?: string;
}

/** A link as the API returns it (the fields the contract relies on). */
export interface LinkJson {
  code: string;
  shortUrl: string;
  url: string | null;
  redirectStatus: number;
  expiresAt: string | null;
  maxVisits: number | null;
  visitsUsed: number;
  hasPassword: boolean;
  owned: boolean;
  createdAt: string;
  updatedAt: string;
}

export const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/** Codes and slugs unique to this run, so the suite also passes against storage that outlives it. */
export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

export function contractClient(fetcher: Fetcher, options: ContractOptions) {
  const run = 16 + Math.floor(Math.random() * 200);
  let clients = 0;
  let ip = "";
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (userId: string) => {
    if (!tokens.has(userId)) tokens.set(userId, signToken(userId, options.authSecret));
    return tokens.get(userId)!;
  };

  const client = {
    /** Starts acting as a new client IP (with a fresh rate-limit budget). */
    newClientIp(): string {
      clients += 1;
      ip = `10.${run}.${clients >> 8}.${clients & 255}`;
      return ip;
    },

    url: (path: string) => new URL(path, options.baseUrl).toString(),

    async send(path: string, init: SendInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (!headers.has(options.clientIpHeader)) headers.set(options.clientIpHeader, ip);
      if (init.as) headers.set("authorization", `Bearer ${await tokenFor(init.as)}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const request = new Request(client.url(path), {
        method: init.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        body,
        redirect: "manual",
      });
      return fetcher(request);
    },

    /** POST /shorten that must succeed; returns the created link. */
    async shorten(body: Record<string, unknown>, as?: string): Promise<LinkJson> {
      const res = await client.send("/shorten", { json: body, as });
      if (res.status !== 201) throw new Error(`POST /shorten: ${res.status} ${await res.text()}`);
      return (await res.json()) as LinkJson;
    },

    /** A browser following a short link: HTML is accepted, so failures come back as pages. */
    follow: (code: string, method = "GET", headers: Record<string, string> = {}) =>
      client.send(`/${code}`, { method, headers: { "user-agent": BROWSER_UA, ...headers } }),
  };
  return client;
}

export type ContractClient = ReturnType<typeof contractClient>;

export { expectError } from "../shared/testing/expect-error.ts";

export async function expectRedirect(res: Response, status: number, location: string): Promise<void> {
  await res.body?.cancel();
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBe(location);
}
