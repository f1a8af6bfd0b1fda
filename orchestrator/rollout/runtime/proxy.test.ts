import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Role } from "../types.ts";
import { VERSION_HEADER, WeightedProxy } from "./proxy.ts";
import { type RequestOutcome, TrafficStats } from "./traffic.ts";

interface FakeBackend {
  url: string;
  name: string;
  server: Server;
  seen: IncomingMessage[];
}

const servers: Server[] = [];
const proxies: WeightedProxy[] = [];

type Handler = (req: IncomingMessage, res: ServerResponse, backend: FakeBackend) => void;

const answerName: Handler = (_req, res, backend) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ backend: backend.name }));
};

async function fakeBackend(name: string, handler: Handler = answerName): Promise<FakeBackend> {
  const backend = { name, seen: [] as IncomingMessage[] } as unknown as FakeBackend;
  backend.server = createServer((req, res) => {
    backend.seen.push(req);
    handler(req, res, backend);
  });
  servers.push(backend.server);
  await new Promise<void>((resolve) => backend.server.listen(0, "127.0.0.1", resolve));
  backend.url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  return backend;
}

async function startProxy(options: ConstructorParameters<typeof WeightedProxy>[0] = {}) {
  const outcomes: RequestOutcome[] = [];
  const proxy = new WeightedProxy({ ...options, onResult: (o) => outcomes.push(o) });
  proxies.push(proxy);
  await proxy.listen();
  return { proxy, outcomes };
}

/** Sends `count` GETs, `concurrency` at a time; returns the statuses and versions seen. */
async function load(url: string, count: number, concurrency = 16) {
  const results: { status: number; version: string | null }[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        sent++;
        const response = await fetch(url).catch(() => undefined);
        await response?.arrayBuffer();
        results.push({
          status: response?.status ?? 0,
          version: response?.headers.get(VERSION_HEADER) ?? null,
        });
      }
    }),
  );
  return results;
}

const countOf = <T>(items: T[], pick: (item: T) => boolean) => items.filter(pick).length;

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close(100)));
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("WeightedProxy", () => {
  it("splits requests exactly by the weight and round-robins within a role", async () => {
    const [s1, s2, n1] = await Promise.all([fakeBackend("s1"), fakeBackend("s2"), fakeBackend("n1")]);
    const { proxy, outcomes } = await startProxy();
    proxy.setBackends("stable", [s1.url, s2.url], "v1");
    proxy.setBackends("new", [n1.url], "v2");
    for (const weight of [10, 75]) {
      proxy.setWeight(weight);
      const results = await load(proxy.url, 1000);
      expect(countOf(results, (r) => r.status === 200)).toBe(1000);
      const toNew = countOf(results, (r) => r.version === "v2");
      expect(Math.abs(toNew - weight * 10), `weight ${weight}`).toBeLessThanOrEqual(1);
    }
    // The stable share was spread evenly over its two replicas.
    expect(Math.abs(s1.seen.length - s2.seen.length)).toBeLessThanOrEqual(1);
    expect(s1.seen.length + s2.seen.length + n1.seen.length).toBe(2000);
    expect(outcomes).toHaveLength(2000);
    expect(outcomes.every((o) => o.status === 200 && o.latencyMs >= 0)).toBe(true);
    expect(proxy.backends("stable")).toEqual({ urls: [s1.url, s2.url], version: "v1" });
  });

  it("sends everything to one role at 0 and 100, and nothing when serving no role", async () => {
    const [s, n] = await Promise.all([fakeBackend("s"), fakeBackend("n")]);
    const { proxy } = await startProxy({ weight: 100 });
    proxy.setBackends("stable", [s.url], "v1");
    proxy.setBackends("new", [n.url], "v2");
    expect(countOf(await load(proxy.url, 50), (r) => r.version === "v2")).toBe(50);
    proxy.serve("stable");
    expect(proxy.weight).toBe(0);
    expect(countOf(await load(proxy.url, 50), (r) => r.version === "v1")).toBe(50);
    proxy.serve(null);
    const refused = await fetch(proxy.url);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("no_backend");
    proxy.serve("new");
    expect((await fetch(proxy.url)).headers.get(VERSION_HEADER)).toBe("v2");
    expect(() => proxy.setWeight(101)).toThrow(/invalid weight/);
  });

  it("streams bodies both ways with forwarding headers, and keeps hop-by-hop headers on their hop", async () => {
    const echo = await fakeBackend("echo", (req, res) => {
      res.writeHead(201, { "content-type": "text/plain", "x-backend": "echo", connection: "keep-alive" });
      req.pipe(res);
    });
    const { proxy } = await startProxy();
    proxy.setBackends("stable", [echo.url], "v1");
    const body = "x".repeat(200_000);
    const answer = await new Promise<{ status: number; headers: IncomingMessage["headers"]; text: string }>(
      (resolve, reject) => {
        const req = request(
          `${proxy.url}/upload?x=1`,
          {
            method: "POST",
            headers: { connection: "keep-alive, x-hop", "x-hop": "secret", "x-end": "kept", host: "sho.rt" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8").on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      },
    );
    expect(answer.status).toBe(201);
    expect(answer.text).toBe(body);
    expect(answer.headers["x-backend"]).toBe("echo");
    expect(answer.headers[VERSION_HEADER]).toBe("v1");
    const seen = echo.seen[0]!;
    expect(seen.url).toBe("/upload?x=1");
    expect(seen.headers["x-end"]).toBe("kept");
    expect(seen.headers["x-hop"]).toBeUndefined();
    expect(seen.headers.host).toBe("sho.rt");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("sho.rt");
  });

  it("passes server-sent events through as they are sent", async () => {
    let sendSecond = () => {};
    const events = await fakeBackend("sse", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("data: first\n\n");
      sendSecond = () => res.end("data: second\n\n");
    });
    const { proxy } = await startProxy();
    proxy.setBackends("new", [events.url], "v2");
    proxy.setWeight(100);
    const response = await fetch(`${proxy.url}/events`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get(VERSION_HEADER)).toBe("v2");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // The first event arrives while the backend still holds the stream open.
    expect(decoder.decode((await reader.read()).value)).toBe("data: first\n\n");
    sendSecond();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value);
    }
    expect(rest).toBe("data: second\n\n");
  });

  it("answers 502 for a backend that is down and counts it as an error of that role", async () => {
    const up = await fakeBackend("up");
    const down = await fakeBackend("down");
    await new Promise((resolve) => down.server.close(resolve));
    const traffic = new TrafficStats();
    const proxy = new WeightedProxy({ weight: 50, onResult: (o) => traffic.record(o) });
    proxies.push(proxy);
    await proxy.listen();
    proxy.setBackends("stable", [up.url], "v1");
    proxy.setBackends("new", [down.url], "v2");
    const results = await load(proxy.url, 20, 1);
    expect(countOf(results, (r) => r.status === 502 && r.version === "v2")).toBe(10);
    expect(countOf(results, (r) => r.status === 200 && r.version === "v1")).toBe(10);
    const bad = await fetch(proxy.url); // the 21st goes to stable, the 22nd to the dead backend
    await bad.arrayBuffer();
    const failed = await fetch(proxy.url);
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("bad_gateway");
    const byRole = Object.fromEntries(traffic.snapshot().map((t) => [t.role, t]));
    expect(byRole.new).toMatchObject({ version: "v2", requests: 11, errors: 11, errorRate: 1 });
    expect(byRole.stable).toMatchObject({ version: "v1", requests: 11, errors: 0 });
  });

  it("answers 503 when the chosen role has no replica", async () => {
    const { proxy, outcomes } = await startProxy({ weight: 100 });
    const response = await fetch(proxy.url);
    expect(response.status).toBe(503);
    expect(outcomes).toEqual([expect.objectContaining({ role: "new", status: 503 })]);
  });

  it("resends an idempotent request once when a reused connection was closed under it", async () => {
    // The keep-alive race made deterministic: the backend drops every second request on a connection.
    const perConnection = new WeakMap<object, number>();
    const flaky = await fakeBackend("flaky", (req, res, backend) => {
      const n = (perConnection.get(req.socket) ?? 0) + 1;
      perConnection.set(req.socket, n);
      if (n >= 2) {
        req.socket.destroy();
        return;
      }
      answerName(req, res, backend);
    });
    const { proxy } = await startProxy();
    proxy.setBackends("stable", [flaky.url], "v1");
    for (let i = 0; i < 5; i++) expect((await fetch(proxy.url)).status).toBe(200);
    // A request with a body is not resent: it may have been processed.
    const posted = await fetch(proxy.url, { method: "POST", body: "once" });
    expect(posted.status).toBe(502);
  });

  it("lets a request in flight finish on the backend it started on when that backend is removed", async () => {
    let answer = () => {};
    const slow = await fakeBackend("slow", (req, res, backend) => {
      answer = () => answerName(req, res, backend);
    });
    const other = await fakeBackend("other");
    const { proxy } = await startProxy();
    proxy.setBackends("stable", [slow.url], "v1");
    const pending = fetch(proxy.url);
    await new Promise<void>((resolve) => {
      const check = () => (slow.seen.length > 0 ? resolve() : setTimeout(check, 5));
      check();
    });
    proxy.setBackends("stable", [other.url], "v1");
    expect(((await (await fetch(proxy.url)).json()) as { backend: string }).backend).toBe("other");
    answer();
    const finished = await pending;
    expect(finished.status).toBe(200);
    expect(((await finished.json()) as { backend: string }).backend).toBe("slow");
  });

  it("fails no request while the weight and the backends change under concurrent load", async () => {
    const slowly: Handler = (req, res, backend) => setTimeout(() => answerName(req, res, backend), 2);
    const [s1, s2, n1] = await Promise.all([
      fakeBackend("s1", slowly),
      fakeBackend("s2", slowly),
      fakeBackend("n1", slowly),
    ]);
    const { proxy } = await startProxy();
    proxy.setBackends("stable", [s1.url, s2.url], "v1");
    proxy.setBackends("new", [n1.url], "v2");
    const weights = [0, 100, 50, 100, 0];
    const roles: Role[] = ["stable", "new"];
    let step = 0;
    const switcher = setInterval(() => {
      step++;
      proxy.setWeight(weights[step % weights.length]!);
      // Blue-green style: the active role flips; a replica leaves and comes back.
      proxy.serve(roles[step % 2]!);
      proxy.setBackends("stable", step % 3 === 0 ? [s1.url] : [s1.url, s2.url], "v1");
    }, 3);
    const results = await load(proxy.url, 800, 24).finally(() => clearInterval(switcher));
    expect(step).toBeGreaterThan(2);
    expect(countOf(results, (r) => r.status !== 200)).toBe(0);
    expect(countOf(results, (r) => r.version === "v1")).toBeGreaterThan(0);
    expect(countOf(results, (r) => r.version === "v2")).toBeGreaterThan(0);
  });

  it("refuses to start on a port that is taken", async () => {
    const { proxy } = await startProxy();
    const clash = new WeightedProxy({ port: proxy.port });
    await expect(clash.listen()).rejects.toThrow(/EADDRINUSE/);
  });
});
