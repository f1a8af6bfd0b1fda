/**
 * The rollout engine's control API and console, served on 127.0.0.1 only while `canary rollout run` runs:
 *   GET  /api/rollouts                    every rollout's status
 *   GET  /api/rollouts/{name}             one rollout's status (404 when unknown)
 *   POST /api/rollouts/{name}/promote     body {"full"?: boolean}; answers the new status
 *   POST /api/rollouts/{name}/abort       answers the new status
 *   POST /api/rollouts/{name}/retry       answers the new status
 *   GET  /api/rollouts/{name}/events      Server-Sent Events: a `status` event on every change
 *   GET  /healthz                         {"status":"ok"}
 *   GET  /                                the console page (page.ts)
 * An action that does not apply is a 409 the control raises as a ControlError. Every error has the
 * platform's one shape, `{"error":{"code","message"}}`.
 *
 * There is no authentication: whoever can reach the port controls the rollout, which is why the server
 * binds 127.0.0.1 and refuses requests addressed to any other host name (see `localOnly`).
 */
import type { ServerType } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorBody } from "../../../functions/shared/errors.ts";
import { closeServer, listen } from "../../../functions/shared/node-runtime.ts";
import { securityHeaders } from "../../../functions/shared/security.ts";
import type { RolloutStatus } from "../types.ts";
import { HEARTBEAT_MS, SSE_HEADERS, statusEventStream } from "./events.ts";
import { rolloutMetrics } from "./metrics.ts";
import { mountConsolePage } from "./page.ts";

/** What the engine offers the API. Actions resolve once the control has taken them in. */
export interface RolloutControl {
  list(): RolloutStatus[];
  get(name: string): RolloutStatus | undefined;
  promote(name: string, full: boolean): Promise<void>;
  abort(name: string): Promise<void>;
  retry(name: string): Promise<void>;
  /** Calls `listener` with a rollout's status after each change; returns the unsubscribe function. */
  subscribe(listener: (status: RolloutStatus) => void): () => void;
}

/** A failure a control reports to the API's client: its HTTP status, a stable code, a message for people. */
export class ControlError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }

  static notFound(name: string): ControlError {
    return new ControlError(404, "not_found", `No rollout named "${name}"`);
  }

  /** The action does not apply to the rollout as it stands (actions.ts `whyNot` says why). */
  static notApplicable(action: string, name: string, why: string): ControlError {
    return new ControlError(409, "conflict", `Cannot ${action} rollout "${name}": ${why}`);
  }
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Only requests addressed to a loopback name are served. Binding 127.0.0.1 keeps other machines out; this
 * keeps other web sites out too: a page on evil.example whose DNS name is re-pointed at 127.0.0.1 (DNS
 * rebinding) reaches the port as "evil.example", and is refused here.
 */
function localOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (!LOCAL_HOSTS.has(new URL(c.req.url).hostname)) {
      return c.json(errorBody("forbidden", "This console answers on 127.0.0.1 only"), 403);
    }
    await next();
  };
}

/**
 * CSRF: a page on another origin can make the browser POST here (a form, or fetch in no-cors mode), but
 * only with a form or text/plain content type; sending `application/json` cross-origin needs a CORS
 * preflight, which this server never grants. So every POST must be JSON. Browsers also say where a
 * request comes from: an Origin other than this one, or a Sec-Fetch-Site other than same-origin/none
 * (typed in the address bar), is refused outright. Clients that are not browsers (the CLI) send neither.
 */
function sameOriginJsonPosts(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    if (
      (site && site !== "same-origin" && site !== "none") ||
      (origin && origin !== new URL(c.req.url).origin)
    ) {
      return c.json(
        errorBody("csrf_rejected", "Cross-site request refused: use the console on this origin"),
        403,
      );
    }
    const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return c.json(
        errorBody("unsupported_media_type", 'Send the request with "Content-Type: application/json"'),
        415,
      );
    }
    await next();
  };
}

/** The POST body: `{}` (or empty) or `{"full": boolean}` for promote. */
async function actionBody(request: Request): Promise<{ full: boolean }> {
  const text = await request.text();
  if (text.trim() === "") return { full: false };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ControlError(400, "invalid_request", "The body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ControlError(400, "invalid_request", 'The body must be a JSON object, e.g. {"full": true}');
  }
  const full = (body as { full?: unknown }).full;
  if (full !== undefined && typeof full !== "boolean") {
    throw new ControlError(400, "invalid_request", '"full" must be true or false');
  }
  return { full: full === true };
}

export interface ControlAppOptions {
  heartbeatMs?: number;
}

export interface ControlApp {
  app: Hono;
  /** Ends every open event stream (a server cannot close while they are open). */
  closeStreams(): void;
}

export function createControlApp(control: RolloutControl, options: ControlAppOptions = {}): ControlApp {
  const app = new Hono();
  const streams = new Set<() => void>();
  app.use("*", securityHeaders(), localOnly(), sameOriginJsonPosts());

  const known = (name: string): RolloutStatus => {
    const status = control.get(name);
    if (!status) throw ControlError.notFound(name);
    return status;
  };
  const noStore = { "Cache-Control": "no-store" };

  app.get("/healthz", (c) => c.json({ status: "ok" }, 200, noStore));
  app.get("/metrics", (c) =>
    c.body(rolloutMetrics(control.list()), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );
  app.get("/api/rollouts", (c) => c.json({ rollouts: control.list() }, 200, noStore));
  app.get("/api/rollouts/:name", (c) => c.json(known(c.req.param("name")), 200, noStore));

  const actions = {
    promote: (name: string, body: { full: boolean }) => control.promote(name, body.full),
    abort: (name: string) => control.abort(name),
    retry: (name: string) => control.retry(name),
  };
  for (const [action, run] of Object.entries(actions)) {
    app.post(`/api/rollouts/:name/${action}`, async (c) => {
      const name = c.req.param("name");
      known(name);
      const body = await actionBody(c.req.raw);
      await run(name, body);
      return c.json(known(name), 200, noStore);
    });
  }

  app.get("/api/rollouts/:name/events", (c) => {
    const name = c.req.param("name");
    known(name);
    const stream = statusEventStream(control, name, streams, options.heartbeatMs ?? HEARTBEAT_MS);
    return c.body(stream, 200, SSE_HEADERS);
  });

  mountConsolePage(app);

  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );
  app.onError((err, c) => {
    if (err instanceof ControlError) return c.json(errorBody(err.code, err.message), err.status);
    // A local operator's tool: the engine's own message is what they need to act on, so it is shown.
    return c.json(errorBody("internal", `The engine failed: ${err.message}`), 500);
  });

  return {
    app,
    closeStreams: () => {
      for (const end of [...streams]) end();
    },
  };
}

export interface ControlServer {
  url: string;
  port: number;
  server: ServerType;
  close(): Promise<void>;
}

/** Serves the control API and console on 127.0.0.1 (`port` 0: any free port). */
export async function serveControl(
  control: RolloutControl,
  options: ControlAppOptions & { port?: number } = {},
): Promise<ControlServer> {
  const { app, closeStreams } = createControlApp(control, options);
  const server = await listen(app, "127.0.0.1", options.port ?? 0);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: async () => {
      closeStreams();
      const closed = closeServer(server);
      // The engine is stopping: the event streams are ended, and any other connection is a kept-alive or
      // preconnected socket (browsers and undici open them) that would hold the server open for seconds.
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
}
