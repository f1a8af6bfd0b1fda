/**
 * Reference servers for the redirect benchmark, each in its own process so it never shares an event loop
 * with the load generator. Prints `{"port":N}` once listening on 127.0.0.1.
 *   node — the ceiling: a bare node:http server answering a constant 302, the cheapest redirect possible;
 *   hono — the framework floor: the same 302 from a one-route Hono app on @hono/node-server, i.e. what
 *          any Hono service pays before its own middleware and logic.
 */
import { createServer, type Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const LOCATION = "https://example.com/bench/target";

function nodeServer(): Server {
  return createServer((_req, res) => {
    res.writeHead(302, { Location: LOCATION, "Content-Length": "0" });
    res.end();
  }).listen(0, "127.0.0.1", () => announce(server));
}

function honoServer(): Server {
  const app = new Hono();
  app.get("/:code", (c) => c.body(null, 302, { Location: LOCATION, "Content-Length": "0" }));
  return serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => announce(server)) as Server;
}

function announce(listening: Server): void {
  const address = listening.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

const server = process.argv[2] === "hono" ? honoServer() : nodeServer();
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
