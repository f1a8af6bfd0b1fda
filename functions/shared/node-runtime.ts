import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { nodeClientIp } from "./client-ip.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";

/** Client IP on Node: socket address, or X-Forwarded-For behind a trusted proxy. */
export const nodeIp = (config: Config) =>
  nodeClientIp(config.TRUST_PROXY, (c: Context) => getConnInfo(c).remote.address);

/** Starts `app` on host:port and resolves once it listens. */
export function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  host: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once("error", reject);
  });
}

/** Closes the server: stops accepting, lets in-flight requests finish, drops idle keep-alive sockets. */
export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

/** A service started by `npm start`. */
export interface RunningService {
  name: string;
  url: string;
  server: ServerType;
  /** Graceful stop: no new connections, in-flight requests finish, buffers flushed, connections closed. */
  close(): Promise<void>;
}

/** DATABASE_URL when set, else the service's embedded file under DATA_DIR. */
export function databaseUrl(config: Config, service: string): string {
  return config.DATABASE_URL ?? `file:${join(config.DATA_DIR, `${service}.db`)}`;
}

/** Listens, then logs and returns the URL a local client can use (0.0.0.0 is reached via 127.0.0.1). */
export async function listenService(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  config: Config,
  port: number,
  log: Logger,
): Promise<{ server: ServerType; url: string }> {
  const server = await listen(app, config.HOST, port);
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  const url = `http://${config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST}:${actual}`;
  log.info("listening", { url });
  return { server, url };
}
