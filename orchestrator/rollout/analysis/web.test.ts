import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MetricSpec } from "../types.ts";
import { readText } from "./provider.ts";
import { AnalysisRun } from "./run.ts";
import { goJson, WebProvider } from "./web.ts";

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let respond: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end();
const received: Received[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
    respond(req, res);
  });
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
afterEach(() => {
  received.length = 0;
});

const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
  respond = (_, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
};

type Web = Extract<MetricSpec["provider"], { web: unknown }>["web"];
const metric = (web: Partial<Web> = {}, extra: Partial<MetricSpec> = {}): MetricSpec => ({
  name: "webmetric",
  successCondition: "result == true",
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  provider: {
    web: {
      url: `${base}/api/v1/measurement?service=tinyurl`,
      method: "GET",
      headers: [],
      jsonPath: "{$.data.ok}",
      timeoutSeconds: 10,
      ...web,
    },
  },
  ...extra,
});

const never = () => new AbortController().signal;
const PAYLOAD = JSON.stringify({ data: { successPercent: 0.95, ok: true, note: "<a&b>" } });

describe("WebProvider (Argo's web metric)", () => {
  it("GETs the URL with the headers and picks the jsonPath's value", async () => {
    answer(200, PAYLOAD, { "content-type": "application/json" });
    const headers = [
      { key: "Authorization", value: "Bearer t0k" },
      { key: "X-Scope", value: "a" },
      { key: "x-scope", value: "b" },
    ];
    expect(await new WebProvider().measure(metric({ headers }), never())).toEqual({
      value: true,
      display: "true",
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: "GET",
      path: "/api/v1/measurement?service=tinyurl",
      body: "",
    });
    // Like Go's Header.Set, a later header of the same name replaces an earlier one.
    expect(received[0]!.headers).toMatchObject({ authorization: "Bearer t0k", "x-scope": "b" });
  });

  it("shows an object as Go's json.Marshal would (sorted keys, <>& escaped)", async () => {
    answer(200, PAYLOAD);
    const measured = await new WebProvider().measure(metric({ jsonPath: "{$.data}" }), never());
    expect(measured.value).toEqual({ successPercent: 0.95, ok: true, note: "<a&b>" });
    expect(measured.display).toBe('{"note":"\\u003ca\\u0026b\\u003e","ok":true,"successPercent":0.95}');
    expect(goJson([{ b: 1, a: [null] }])).toBe('[{"a":[null],"b":1}]');
    expect(goJson(undefined)).toBe("null");
  });

  it("uses the whole body when jsonPath is empty, and a body that is not JSON as a plain string", async () => {
    answer(200, "[1,2]");
    expect(await new WebProvider().measure(metric({ jsonPath: "" }), never())).toEqual({
      value: [1, 2],
      display: "[1,2]",
    });
    answer(200, "I am OK");
    expect(await new WebProvider().measure(metric(), never())).toEqual({
      value: "I am OK",
      display: "I am OK",
    });
    answer(200, "");
    expect(await new WebProvider().measure(metric(), never())).toEqual({ value: "", display: "" });
  });

  it("sends POST and PUT with the body", async () => {
    answer(200, PAYLOAD);
    const headers = [{ key: "Content-Type", value: "application/json" }];
    await new WebProvider().measure(metric({ method: "POST", body: '{"q":1}', headers }), never());
    await new WebProvider().measure(metric({ method: "PUT", body: "plain" }), never());
    expect(received.map((r) => [r.method, r.body, r.headers["content-type"]?.split(";")[0]])).toEqual([
      ["POST", '{"q":1}', "application/json"],
      ["PUT", "plain", "text/plain"],
    ]);
  });

  it("follows a redirect, as Go's client does", async () => {
    respond = (req, res) => {
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/api/v1/measurement" });
        res.end();
      } else res.end(PAYLOAD);
    };
    expect((await new WebProvider().measure(metric({ url: `${base}/moved` }), never())).value).toBe(true);
  });

  it.each<[string, Partial<Web>, number, string, string]>([
    ["a non-2xx answer", {}, 500, PAYLOAD, "received non 2xx response code: 500"],
    ["a 1xx-free 304", {}, 304, "", "received non 2xx response code: 304"],
    [
      "a missing key",
      { jsonPath: "{$.data.missing}" },
      200,
      PAYLOAD,
      "Could not find JSONPath in body: missing is not found",
    ],
    [
      "a path that selects nothing",
      { jsonPath: "{$.data.list[0:0]}" },
      200,
      '{"data":{"list":[1]}}',
      "result of web metric produced no value",
    ],
    [
      "a malformed jsonPath",
      { jsonPath: "{$.data" },
      200,
      PAYLOAD,
      'invalid jsonPath "{$.data": unclosed action',
    ],
    [
      "a body on a GET",
      { body: "x" },
      200,
      PAYLOAD,
      "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
    ],
  ])("fails on %s", async (_, web, status, body, message) => {
    answer(status, body);
    await expect(new WebProvider().measure(metric(web), never())).rejects.toThrow(message);
  });

  it("times out after timeoutSeconds (default 10 s, here shortened)", async () => {
    respond = () => {
      // never answers; the client gives up and closes the connection
    };
    const provider = new WebProvider({ defaultTimeoutMs: 100 });
    await expect(provider.measure(metric({ timeoutSeconds: 0 }), never())).rejects.toThrow(
      `Get "${base}/api/v1/measurement?service=tinyurl": timed out after 100 ms`,
    );
  });

  it("tries a GET once more when the server drops the connection, as Go's client does; not a POST", async () => {
    let drops = 1;
    respond = (req, res) => {
      if (drops-- > 0) req.socket.destroy();
      else res.end(PAYLOAD);
    };
    expect((await new WebProvider().measure(metric(), never())).value).toBe(true);
    expect(received).toHaveLength(2);
    drops = 2;
    await expect(new WebProvider().measure(metric(), never())).rejects.toThrow(
      /^Get ".*": SocketError: other side closed$/,
    );
    drops = 1;
    await expect(new WebProvider().measure(metric({ method: "POST", body: "x" }), never())).rejects.toThrow(
      /^Post ".*": SocketError: other side closed$/,
    );
  });

  it("refuses a metric of another provider", async () => {
    const prometheus = metric({}, { provider: { prometheus: { address: base, query: "up" } } });
    await expect(new WebProvider().measure(prometheus, never())).rejects.toThrow("is not a web metric");
  });

  it("reads at most a limit of body", async () => {
    await expect(readText(new Response("x".repeat(20)), 10)).rejects.toThrow(
      "response body larger than 10 bytes",
    );
    expect(await readText(new Response(null), 10)).toBe("");
    expect(await readText(new Response("é"), 10)).toBe("é");
  });

  it("drives an AnalysisRun with Argo's documented web condition", async () => {
    answer(200, PAYLOAD);
    const run = new AnalysisRun({
      id: "pre-promotion",
      kind: "prePromotion",
      metrics: [
        metric({ jsonPath: "{$.data}" }, { successCondition: "result.ok && result.successPercent >= 0.90" }),
      ],
      providers: { web: new WebProvider() },
    });
    await run.measureDue();
    expect(run.phase).toBe("Successful");
    answer(503, "down");
    const failing = new AnalysisRun({
      id: "post-promotion",
      kind: "postPromotion",
      metrics: [metric({}, { consecutiveErrorLimit: 0 })],
      providers: { web: new WebProvider() },
    });
    await failing.measureDue();
    expect(failing.phase).toBe("Error");
    expect(failing.message).toContain('"Error Message: received non 2xx response code: 503"');
  });
});
