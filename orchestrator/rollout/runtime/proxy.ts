/**
 * The local stand-in for the ingress: an HTTP proxy on 127.0.0.1 that sends each request to the stable or
 * the new version by weight, the way nginx's canary annotations split traffic. Between the two roles it
 * uses smooth weighted round-robin, so any 100 consecutive requests split exactly by the weight; within a
 * role, plain round-robin over its replicas. A request is routed when it arrives and finishes on the
 * backend it started on: changing the weight or the backends never fails one in flight. Bodies stream both
 * ways (SSE included), WebSocket upgrades are piped, and every answer says which version gave it
 * (`x-canary-version`).
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Role } from "../types.ts";
import { endToEndHeaders, errorJson, forwardedRequestHeaders, VERSION_HEADER } from "./proxy-headers.ts";
import { tunnelUpgrade } from "./proxy-tunnel.ts";
import type { RequestOutcome } from "./traffic.ts";

export { VERSION_HEADER } from "./proxy-headers.ts";

export interface WeightedProxyOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (see `port` once listening). */
  port?: number;
  /** Share of requests (0–100) for the new role; default 0. */
  weight?: number;
  /** Every answered request (or one no backend answered), for TrafficStats. */
  onResult?: (outcome: RequestOutcome) => void;
  /** Idle keep-alive connections to backends close after this (default 4 s: under Node's 5 s server one). */
  idleSocketTimeoutMs?: number;
  /** Monotonic milliseconds for latencies; default performance.now. */
  now?: () => number;
}

interface Backend {
  url: URL;
  agent: Agent;
  inFlight: number;
  removed: boolean;
}

interface RoleBackends {
  version: string;
  backends: Backend[];
  next: number;
}

const ROLES: Role[] = ["stable", "new"];
/** Safe to send again when a reused keep-alive connection turns out closed before any answer. */
const RETRYABLE_CODES = new Set(["ECONNRESET", "EPIPE"]);

export class WeightedProxy {
  #options: WeightedProxyOptions;
  #now: () => number;
  #server = createServer((req, res) => this.#handle(req, res));
  #roles: Record<Role, RoleBackends> = {
    stable: { version: "", backends: [], next: 0 },
    new: { version: "", backends: [], next: 0 },
  };
  #weight = 0;
  #offline = false;
  /** Smooth weighted round-robin state per role. */
  #current: Record<Role, number> = { stable: 0, new: 0 };
  #tunnels = new Set<Socket>();
  #port = 0;

  constructor(options: WeightedProxyOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.setWeight(options.weight ?? 0);
    this.#server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#tunnel(req, socket, head),
    );
  }

  /** Starts listening; rejects if the port is taken. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port ?? 0, this.#options.host ?? "127.0.0.1", () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        this.#port = typeof address === "object" && address ? address.port : 0;
        resolve();
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://${this.#options.host ?? "127.0.0.1"}:${this.#port}`;
  }

  get weight(): number {
    return this.#weight;
  }

  /** The share (0–100) of new requests that go to the new role. */
  setWeight(weight: number): void {
    if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new Error(`invalid weight ${weight}`);
    this.#weight = weight;
    this.#offline = false;
    this.#current = { stable: 0, new: 0 };
  }

  /** Blue-green: every new request to one role (the active or preview service), or to none (503). */
  serve(role: Role | null): void {
    if (role === null) this.#offline = true;
    else this.setWeight(role === "new" ? 100 : 0);
  }

  /** The role's replicas (their URLs) and the version they run. Removed ones finish what they serve. */
  setBackends(role: Role, urls: string[], version?: string): void {
    const entry = this.#roles[role];
    if (version !== undefined) entry.version = version;
    const kept = new Map(entry.backends.map((b) => [b.url.origin, b]));
    const next: Backend[] = [];
    for (const url of urls) {
      const origin = new URL(url).origin;
      const existing = kept.get(origin);
      kept.delete(origin);
      next.push(
        existing ?? {
          url: new URL(origin),
          agent: new Agent({ keepAlive: true, timeout: this.#options.idleSocketTimeoutMs ?? 4000 }),
          inFlight: 0,
          removed: false,
        },
      );
    }
    for (const gone of kept.values()) {
      gone.removed = true;
      this.#release(gone, 0);
    }
    entry.backends = next;
  }

  backends(role: Role): { urls: string[]; version: string } {
    const entry = this.#roles[role];
    return { urls: entry.backends.map((b) => b.url.origin), version: entry.version };
  }

  /** Stops listening; open streams and tunnels get `graceMs` to finish, then are cut. */
  async close(graceMs = 2000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const cut = setTimeout(() => {
      this.#server.closeAllConnections();
      for (const socket of this.#tunnels) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(cut);
    for (const role of ROLES) this.setBackends(role, []);
  }

  /** The role the next request goes to. */
  #pickRole(): Role {
    const weights: Record<Role, number> = { stable: 100 - this.#weight, new: this.#weight };
    let best: Role = "stable";
    for (const role of ROLES) {
      this.#current[role] += weights[role];
      if (this.#current[role] > this.#current[best]) best = role;
    }
    this.#current[best] -= 100;
    return best;
  }

  #pickBackend(role: Role): Backend | undefined {
    const entry = this.#roles[role];
    if (entry.backends.length === 0) return undefined;
    const backend = entry.backends[entry.next % entry.backends.length];
    entry.next = (entry.next + 1) % entry.backends.length;
    return backend;
  }

  /** Ends a request's use of a backend; a removed backend's connections close once it serves nothing. */
  #release(backend: Backend, count = 1): void {
    backend.inFlight -= count;
    if (backend.removed && backend.inFlight === 0) backend.agent.destroy();
  }

  #record(role: Role, version: string, status: number | null, started: number): void {
    this.#options.onResult?.({ role, version, status, latencyMs: this.#now() - started });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const started = this.#now();
    const role = this.#pickRole();
    const { version } = this.#roles[role];
    const backend = this.#offline ? undefined : this.#pickBackend(role);
    if (!backend) {
      const why = this.#offline ? "this port serves no version now" : `no ready ${role} replica`;
      res.writeHead(503, { "content-type": "application/json", [VERSION_HEADER]: version || "none" });
      res.end(errorJson("no_backend", why));
      this.#record(role, version, 503, started);
      return;
    }
    const bodyless =
      (req.method === "GET" || req.method === "HEAD") &&
      !req.headers["transfer-encoding"] &&
      (req.headers["content-length"] ?? "0") === "0";
    this.#forward(req, res, role, backend, started, bodyless);
  }

  #forward(
    req: IncomingMessage,
    res: ServerResponse,
    role: Role,
    backend: Backend,
    started: number,
    bodyless: boolean,
    retried = false,
  ): void {
    const { version } = this.#roles[role];
    backend.inFlight++;
    let released = false;
    const release = () => {
      if (!released) this.#release(backend);
      released = true;
    };
    const upstream = request({
      host: backend.url.hostname,
      port: backend.url.port,
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req),
      agent: backend.agent,
    });
    // The client went away: stop the backend's work too.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.once("response", (answer) => {
      const headers = endToEndHeaders(answer.headers);
      headers[VERSION_HEADER] = version;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      // A streamed answer's head goes out now: an event stream's first event may come much later.
      if (answer.headers["content-length"] === undefined) res.flushHeaders();
      this.#record(role, version, answer.statusCode ?? null, started);
      answer.pipe(res);
      answer.once("close", release);
      answer.once("error", () => res.destroy());
    });
    upstream.once("error", (err: NodeJS.ErrnoException) => {
      release();
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (bodyless && !retried && upstream.reusedSocket && RETRYABLE_CODES.has(err.code ?? "")) {
        const other = this.#pickBackend(role) ?? backend;
        this.#forward(req, res, role, other, started, bodyless, true);
        return;
      }
      res.writeHead(502, { "content-type": "application/json", [VERSION_HEADER]: version });
      res.end(
        errorJson("bad_gateway", `${role} backend ${backend.url.origin} failed: ${err.code ?? err.message}`),
      );
      this.#record(role, version, null, started);
    });
    if (bodyless) upstream.end();
    else req.pipe(upstream);
  }

  /** A WebSocket (or any) upgrade: routed like a request, then the two sockets are piped together. */
  #tunnel(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const started = this.#now();
    const role = this.#pickRole();
    const { version } = this.#roles[role];
    const backend = this.#offline ? undefined : this.#pickBackend(role);
    tunnelUpgrade(req, socket, head, {
      backend: backend?.url,
      describe: `${role} backend ${backend?.url.origin}`,
      version,
      tunnels: this.#tunnels,
      record: (status) => this.#record(role, version, status, started),
    });
  }
}
