/**
 * The client of Docs' contract suite: HTTP requests against one base URL as named users, and document
 * sockets opened through whatever the runtime offers (the `ws` package on Node, `fetch` with an Upgrade
 * header in workerd). Only HTTP and WebSocket frames go through it, never app internals.
 */
import { expect } from "vitest";
import { signToken } from "../shared/auth.ts";
import { BEARER_PROTOCOL_PREFIX, type ServerMessage, SUBPROTOCOL } from "./protocol.ts";
import type { Role } from "./roles.ts";

export type Fetcher = (request: Request) => Promise<Response>;

/** Where the runtime's socket reports what the server sends; wired up before the handshake starts. */
export interface SocketEvents {
  message(data: string): void;
  close(code: number, reason: string): void;
}

/** The outcome of a socket handshake: an open socket, or the HTTP answer that refused it. */
export type Handshake =
  | {
      accepted: true;
      /** The subprotocol the server picked, or null. */
      protocol: string | null;
      send(data: string): void;
      close(code?: number, reason?: string): void;
    }
  | { accepted: false; status: number; body: string };

/** Opens a WebSocket to an http(s) URL with these headers and offered subprotocols. */
export type SocketOpener = (
  url: string,
  init: { headers: Record<string, string>; protocols: string[] },
  events: SocketEvents,
) => Promise<Handshake>;

export interface DocsContractOptions {
  /** Origin the requests are addressed to: the server's URL on Node, any origin on workerd. */
  baseUrl: string;
  /** AUTH_SECRET of the app under test, to mint bearer tokens. */
  authSecret: string;
  /** DOCS_OPS_PER_SECOND of the app under test. */
  opsPerSecond: number;
  openSocket: SocketOpener;
}

export interface DocumentJson {
  id: string;
  title: string;
  owner: string;
  version: number;
  content: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

/** The users of one run: unique names, so the suite also passes against storage that outlives it. */
export function contractUsers() {
  const run = Math.random().toString(36).slice(2, 8);
  return {
    owner: `owner-${run}`,
    editor: `editor-${run}`,
    viewer: `viewer-${run}`,
    stranger: `stranger-${run}`,
  };
}

export type Who = keyof ReturnType<typeof contractUsers> | "anonymous";

export interface SendInit {
  method?: string;
  json?: unknown;
  as?: Who;
}

export interface ConnectInit {
  as?: Who;
  src?: string;
  v?: number;
  /** Send the token as the `bearer.` subprotocol, as a browser does (default: the Authorization header). */
  viaSubprotocol?: boolean;
  headers?: Record<string, string>;
}

export function docsClient(fetcher: Fetcher, options: DocsContractOptions) {
  const users = contractUsers();
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (who: Exclude<Who, "anonymous">) => {
    const user = users[who];
    if (!tokens.has(user)) tokens.set(user, signToken(user, options.authSecret));
    return tokens.get(user)!;
  };
  const open: ContractSocket[] = [];
  let sockets = 0;

  const client = {
    users,
    url: (path: string) => new URL(path, options.baseUrl).toString(),

    async send(path: string, init: SendInit = {}): Promise<Response> {
      const headers = new Headers();
      if (init.as && init.as !== "anonymous")
        headers.set("authorization", `Bearer ${await tokenOf(init.as)}`);
      let body: string | undefined;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const method = init.method ?? (body === undefined ? "GET" : "POST");
      return fetcher(new Request(client.url(path), { method, headers, body }));
    },

    /** A request that must succeed with `status`; returns its JSON body. */
    async ok<T = Record<string, unknown>>(path: string, init: SendInit, status = 200): Promise<T> {
      const res = await client.send(path, init);
      const text = await res.text();
      expect(res.status, `${init.method ?? "request"} ${path}: ${text}`).toBe(status);
      return (text ? JSON.parse(text) : null) as T;
    },

    create: (content = "", title = "Notes") =>
      client.ok<DocumentJson>("/api/documents", { as: "owner", json: { title, content } }, 201),

    read: (id: string, as: Who = "owner") => client.ok<DocumentJson>(`/api/documents/${id}`, { as }),

    /** A document of the owner's, shared with the editor and the viewer. */
    async sharedDoc(content = "hello"): Promise<DocumentJson> {
      const doc = await client.create(content);
      for (const role of ["editor", "viewer"] as const) {
        await client.ok(`/api/documents/${doc.id}/share`, { as: "owner", json: { user: users[role], role } });
      }
      return doc;
    },

    /** Opens a document socket; a refused handshake comes back as `{status, error}`. */
    async connect(docId: string, init: ConnectInit = {}): Promise<ContractSocket | Refusal> {
      const url = new URL(client.url(`/api/documents/${docId}/socket`));
      url.searchParams.set("src", init.src ?? `src-${users.owner}-${++sockets}`);
      if (init.v !== undefined) url.searchParams.set("v", String(init.v));
      const headers = { ...init.headers };
      const protocols = [SUBPROTOCOL];
      if (init.as && init.as !== "anonymous") {
        const token = await tokenOf(init.as);
        if (init.viaSubprotocol) protocols.push(`${BEARER_PROTOCOL_PREFIX}${token}`);
        else headers.authorization = `Bearer ${token}`;
      }
      const socket = new ContractSocket();
      const handshake = await options.openSocket(url.toString(), { headers, protocols }, socket.events);
      if (!handshake.accepted) return { status: handshake.status, error: errorOf(handshake.body) };
      socket.attach(handshake);
      open.push(socket);
      return socket;
    },

    /** A socket that must open. */
    async socket(docId: string, init: ConnectInit = {}): Promise<ContractSocket> {
      const socket = await client.connect(docId, init);
      if (!(socket instanceof ContractSocket)) {
        throw new Error(`socket refused: ${socket.status} ${JSON.stringify(socket.error)}`);
      }
      return socket;
    },

    /** Closes every socket this client opened (after each test); the server must finish each handshake. */
    async closeSockets(): Promise<void> {
      const closing = open.splice(0);
      for (const socket of closing) socket.close();
      await Promise.all(closing.map((s) => s.until(() => s.isClosed, "close", 5000)));
    },
  };
  return client;
}

export type DocsClient = ReturnType<typeof docsClient>;

export interface Refusal {
  status: number;
  error: { code: string; message: string };
}

const errorOf = (body: string): Refusal["error"] => {
  try {
    return (JSON.parse(body) as { error: Refusal["error"] }).error;
  } catch {
    return { code: "(not JSON)", message: body };
  }
};

type Message<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** One open document socket: every message the server sent, in order, and a way to wait for the next. */
export class ContractSocket {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  protocol: string | null = null;
  readonly #taken = new Set<ServerMessage>();
  readonly #waiters = new Set<() => void>();
  #handshake: Extract<Handshake, { accepted: true }> | undefined;
  isClosed = false;
  readonly events: SocketEvents;

  constructor() {
    let closed!: (value: { code: number; reason: string }) => void;
    this.closed = new Promise((resolve) => {
      closed = resolve;
    });
    this.events = {
      message: (data) => {
        this.received.push(JSON.parse(data) as ServerMessage);
        for (const wake of this.#waiters) wake();
      },
      close: (code, reason) => {
        this.isClosed = true;
        closed({ code, reason });
        for (const wake of this.#waiters) wake();
      },
    };
  }

  attach(handshake: Extract<Handshake, { accepted: true }>): void {
    this.#handshake = handshake;
    this.protocol = handshake.protocol;
  }

  send(message: unknown): void {
    this.#handshake?.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  close(): void {
    if (this.isClosed) return;
    try {
      this.#handshake?.close(1000, "done");
    } catch {
      // already closing
    }
  }

  /** The next message of `type` (and `where`) not taken yet, waiting up to `timeoutMs`. */
  async next<T extends ServerMessage["type"]>(
    type: T,
    where: (m: Message<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Message<T>> {
    const find = () =>
      this.received.find((m) => !this.#taken.has(m) && m.type === type && where(m as Message<T>)) as
        | Message<T>
        | undefined;
    await this.until(() => find() !== undefined, `a "${type}" message`, timeoutMs);
    const found = find()!;
    this.#taken.add(found);
    return found;
  }

  /** Waits until `condition` holds (checked on every message and on close), up to `timeoutMs`. */
  until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** The ops (not acks) this socket received from others, in order. */
  remoteOps(): Message<"op">[] {
    return this.received.filter((m): m is Message<"op"> => m.type === "op");
  }
}

export { expectError } from "../shared/testing/expect-error.ts";

/** A refused socket handshake: the status and the error shape, before any upgrade. */
export function expectRefused(result: ContractSocket | Refusal, status: number, code: string): void {
  expect(result).not.toBeInstanceOf(ContractSocket);
  const refusal = result as Refusal;
  expect(refusal.status).toBe(status);
  expect(refusal.error).toEqual({ code, message: expect.any(String) });
}
