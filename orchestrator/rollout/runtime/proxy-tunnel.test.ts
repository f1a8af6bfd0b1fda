import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { VERSION_HEADER, WeightedProxy } from "./proxy.ts";
import type { RequestOutcome } from "./traffic.ts";

const servers: Server[] = [];
const proxies: WeightedProxy[] = [];

/** An HTTP server whose WebSocket endpoint echoes each message with the path it was opened on. */
async function echoBackend(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end());
  const sockets = new WebSocketServer({ server, path: "/live" });
  sockets.on("connection", (socket, req) =>
    socket.on("message", (data) => socket.send(`${req.url} echo ${data.toString()}`)),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function startProxy() {
  const outcomes: RequestOutcome[] = [];
  const proxy = new WeightedProxy({ onResult: (o) => outcomes.push(o) });
  proxies.push(proxy);
  await proxy.listen();
  return { proxy, outcomes, wsUrl: (path: string) => `${proxy.url.replace("http", "ws")}${path}` };
}

/** Opens a WebSocket; resolves with it and the handshake's answer, or with the refusal's status. */
function connect(url: string) {
  const client = new WebSocket(url);
  return new Promise<{ client: WebSocket; status: number; version?: string }>((resolve, reject) => {
    client.once("upgrade", (res) =>
      client.once("open", () =>
        resolve({ client, status: res.statusCode!, version: res.headers[VERSION_HEADER] as string }),
      ),
    );
    client.once("unexpected-response", (_req, res) => {
      resolve({ client, status: res.statusCode!, version: res.headers[VERSION_HEADER] as string });
      res.resume();
    });
    client.once("error", reject);
  });
}

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close(100)));
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("WeightedProxy WebSocket upgrades", () => {
  it("pipes a WebSocket to the chosen version both ways", async () => {
    const backend = await echoBackend();
    const { proxy, outcomes, wsUrl } = await startProxy();
    proxy.setBackends("new", [backend.url], "v2");
    proxy.serve("new");
    const { client, status, version } = await connect(wsUrl("/live"));
    expect(status).toBe(101);
    expect(version).toBe("v2");
    for (const text of ["hello", "again"]) {
      const reply = new Promise<string>((resolve) =>
        client.once("message", (data) => resolve(data.toString())),
      );
      client.send(text);
      expect(await reply).toBe(`/live echo ${text}`);
    }
    expect(outcomes).toEqual([expect.objectContaining({ role: "new", version: "v2", status: 101 })]);
    client.close();
    await new Promise((resolve) => client.once("close", resolve));
  });

  it("relays a backend's refusal to upgrade", async () => {
    const backend = await echoBackend();
    const { proxy, outcomes, wsUrl } = await startProxy();
    proxy.setBackends("stable", [backend.url], "v1");
    // ws answers an upgrade on a path it does not serve with 400.
    const { status, version } = await connect(wsUrl("/elsewhere"));
    expect(status).toBe(400);
    expect(version).toBe("v1");
    expect(outcomes).toEqual([expect.objectContaining({ role: "stable", status: 400 })]);
  });

  it("answers 502 when the backend is down and 503 when there is none, counting both", async () => {
    const backend = await echoBackend();
    await new Promise((resolve) => backend.server.close(resolve));
    const { proxy, outcomes, wsUrl } = await startProxy();
    proxy.setBackends("stable", [backend.url], "v1");
    expect((await connect(wsUrl("/live"))).status).toBe(502);
    proxy.serve(null);
    expect((await connect(wsUrl("/live"))).status).toBe(503);
    expect(outcomes.map((o) => o.status)).toEqual([null, 503]);
  });

  it("cuts open tunnels when the proxy closes", async () => {
    const backend = await echoBackend();
    const { proxy, wsUrl } = await startProxy();
    proxy.setBackends("stable", [backend.url], "v1");
    const { client } = await connect(wsUrl("/live"));
    const closed = new Promise((resolve) => client.once("close", resolve));
    await proxy.close(10);
    await closed;
    expect(client.readyState).toBe(WebSocket.CLOSED);
  });
});
