import { createServer } from "node:net";

/**
 * A TCP port on `host` that was free a moment ago, for a child process that must be told its port before it
 * starts. Another process may take it in between: callers treat a failed listen as a start-up failure.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
