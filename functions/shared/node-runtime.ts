import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { nodeClientIp } from "./client-ip.ts";
import type { Config } from "./config.ts";

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
