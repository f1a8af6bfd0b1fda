/**
 * The ceiling: the cheapest possible redirect on this machine, a bare node:http server answering a
 * constant 302. Runs as its own process so it never shares an event loop with the load generator.
 * Prints `{"port":N}` once listening on 127.0.0.1.
 */
import { createServer } from "node:http";

const server = createServer((_req, res) => {
  res.writeHead(302, { Location: "https://example.com/bench/target", "Content-Length": "0" });
  res.end();
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
