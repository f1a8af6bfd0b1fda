import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../../functions/shared/testing/eventually.ts";
import type { RolloutStatus } from "../types.ts";
import { type ControlServer, createControlApp, serveControl } from "./api.ts";
import { CONSOLE_ASSETS } from "./page.ts";
import { canaryStatus, FakeRolloutControl } from "./testing/fake-control.ts";

const JSON_TYPE = { "content-type": "application/json" };

function setup(statuses?: RolloutStatus[]) {
  const control = new FakeRolloutControl(statuses);
  const { app } = createControlApp(control);
  const post = (path: string, body: unknown = {}, headers: Record<string, string> = JSON_TYPE) =>
    app.request(path, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { control, app, post };
}

describe("control API: reads", () => {
  it("answers /healthz, the list and one rollout, with the platform's security headers", async () => {
    const { app } = setup();
    const health = await app.request("/healthz");
    expect(await health.json()).toEqual({ status: "ok" });
    expect(health.headers.get("content-security-policy")).toContain("default-src 'self'");
    const list = (await (await app.request("/api/rollouts")).json()) as { rollouts: RolloutStatus[] };
    expect(list.rollouts.map((r) => r.name)).toEqual(["tinyurl"]);
    const one = await app.request("/api/rollouts/tinyurl");
    expect(one.headers.get("cache-control")).toBe("no-store");
    expect(((await one.json()) as RolloutStatus).currentStepIndex).toBe(1);
  });

  it("answers 404 in the one error shape for an unknown rollout or route", async () => {
    const { app } = setup();
    const res = await app.request("/api/rollouts/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: 'No rollout named "nope"' } });
    const route = await app.request("/api/nothing");
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("refuses requests addressed to a host name other than the loopback (DNS rebinding)", async () => {
    const { app } = setup();
    const res = await app.request("http://evil.example:8080/api/rollouts");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect((await app.request("http://127.0.0.1:9/healthz")).status).toBe(200);
  });

  it("serves the console page and its hashed assets, with no inline code", async () => {
    const { app } = setup();
    const page = await app.request("/");
    const text = await page.text();
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(text).toContain(`src="${CONSOLE_ASSETS.script.path}"`);
    expect(text).toContain(`href="${CONSOLE_ASSETS.style.path}"`);
    expect(text).toContain("127.0.0.1 only");
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const script = await app.request(CONSOLE_ASSETS.script.path);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(CONSOLE_ASSETS.script.body);
    const style = await app.request(CONSOLE_ASSETS.style.path);
    expect(style.headers.get("content-type")).toMatch(/^text\/css/);
    expect((await app.request("/assets/console.00000000.js")).status).toBe(404);
  });
});

describe("control API: actions", () => {
  it("promotes one step, or fully, and answers the new status", async () => {
    const { control, post } = setup();
    const res = await post("/api/rollouts/tinyurl/promote");
    expect(res.status).toBe(200);
    expect((await res.json()) as RolloutStatus).toMatchObject({ currentStepIndex: 2, weight: 50 });
    const full = (await (
      await post("/api/rollouts/tinyurl/promote", { full: true })
    ).json()) as RolloutStatus;
    expect(full).toMatchObject({ currentStepIndex: 4, weight: 100 });
    expect(control.calls).toEqual(["promote tinyurl", "promote tinyurl --full"]);
  });

  it("accepts an empty JSON body (a client with nothing to say)", async () => {
    const { control, post } = setup();
    expect((await post("/api/rollouts/tinyurl/promote", "")).status).toBe(200);
    expect(control.calls).toEqual(["promote tinyurl"]);
  });

  it("aborts, then retries; 409 for an action that does not apply", async () => {
    const { post } = setup();
    const retryEarly = await post("/api/rollouts/tinyurl/retry");
    expect(retryEarly.status).toBe(409);
    expect(await retryEarly.json()).toEqual({
      error: {
        code: "conflict",
        message: 'Cannot retry rollout "tinyurl": only an aborted rollout can be retried',
      },
    });
    const aborted = (await (await post("/api/rollouts/tinyurl/abort")).json()) as RolloutStatus;
    expect(aborted).toMatchObject({ aborted: true, phase: "Degraded", weight: 0 });
    const promote = await post("/api/rollouts/tinyurl/promote");
    expect(promote.status).toBe(409);
    expect(((await promote.json()) as { error: { message: string } }).error.message).toMatch(/aborted/);
    const retried = (await (await post("/api/rollouts/tinyurl/retry")).json()) as RolloutStatus;
    expect(retried).toMatchObject({ aborted: false, phase: "Progressing", currentStepIndex: 0, weight: 10 });
  });

  it("answers 404 for an action on an unknown rollout without calling the control", async () => {
    const { control, post } = setup();
    for (const action of ["promote", "abort", "retry"]) {
      expect((await post(`/api/rollouts/ghost/${action}`)).status).toBe(404);
    }
    expect(control.calls).toEqual([]);
  });

  it("validates the body", async () => {
    const { control, post } = setup();
    for (const [body, message] of [
      ["{nope", "not valid JSON"],
      ["[true]", "must be a JSON object"],
      ['{"full":"yes"}', '"full" must be true or false'],
    ] as const) {
      const res = await post("/api/rollouts/tinyurl/promote", body);
      expect(res.status).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("invalid_request");
      expect(error.message).toContain(message);
    }
    expect(control.calls).toEqual([]);
  });

  it("answers 500 with the engine's message when the control fails", async () => {
    const { control, post } = setup();
    control.failNext = new Error("proxy is gone");
    const res = await post("/api/rollouts/tinyurl/abort");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: "internal", message: "The engine failed: proxy is gone" },
    });
  });
});

describe("control API: CSRF", () => {
  const refused = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  };

  it("refuses POSTs that are not JSON (what a cross-site form or no-cors fetch can send)", async () => {
    const { control, post } = setup();
    await refused(await post("/api/rollouts/tinyurl/abort", "{}", {}), 415, "unsupported_media_type");
    await refused(
      await post("/api/rollouts/tinyurl/abort", "full=true", {
        "content-type": "application/x-www-form-urlencoded",
      }),
      415,
      "unsupported_media_type",
    );
    await refused(
      await post("/api/rollouts/tinyurl/abort", "{}", { "content-type": "text/plain" }),
      415,
      "unsupported_media_type",
    );
    expect(control.calls).toEqual([]);
  });

  it("refuses POSTs a browser says come from another site, and accepts same-origin ones", async () => {
    const { control, post } = setup();
    await refused(
      await post("/api/rollouts/tinyurl/abort", {}, { ...JSON_TYPE, origin: "https://evil.example" }),
      403,
      "csrf_rejected",
    );
    await refused(
      await post("/api/rollouts/tinyurl/abort", {}, { ...JSON_TYPE, "sec-fetch-site": "cross-site" }),
      403,
      "csrf_rejected",
    );
    await refused(
      await post("/api/rollouts/tinyurl/abort", {}, { ...JSON_TYPE, origin: "http://localhost:1234" }),
      403,
      "csrf_rejected",
    );
    expect(control.calls).toEqual([]);
    const ok = await post(
      "/api/rollouts/tinyurl/abort",
      {},
      {
        ...JSON_TYPE,
        origin: "http://localhost",
        "sec-fetch-site": "same-origin",
      },
    );
    expect(ok.status).toBe(200);
    expect(control.calls).toEqual(["abort tinyurl"]);
  });
});

/** Reads Server-Sent Events from a response body, one `event`/`data` pair at a time. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<{ event: string; data: string }> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) return { event, data: /^data: (.*)$/m.exec(block)?.[1] ?? "" };
          if (block.startsWith(": heartbeat")) return { event: "heartbeat", data: "" };
          continue; // retry: and other fields
        }
        // A stream the server ends, or whose connection it drops on close, is over either way.
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return { event: "end", data: "" };
        buffer += chunk.value;
      }
    },
  };
}

describe("control API: events (SSE, real server)", () => {
  let server: ControlServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("sends the current status, then a status event on every change; ends streams on close", async () => {
    const control = new FakeRolloutControl();
    server = await serveControl(control, { heartbeatMs: 50 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/rollouts/tinyurl/events`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = sseReader(res);
    const first = await events.next();
    expect(first.event).toBe("status");
    expect((JSON.parse(first.data) as RolloutStatus).currentStepIndex).toBe(1);

    control.publish("tinyurl", { message: "something changed" });
    let next = await events.next();
    while (next.event === "heartbeat") next = await events.next();
    expect(next.event).toBe("status");
    expect((JSON.parse(next.data) as RolloutStatus).message).toBe("something changed");

    // An action through the API reaches the stream too.
    await fetch(`${server.url}/api/rollouts/tinyurl/promote`, {
      method: "POST",
      headers: JSON_TYPE,
      body: "{}",
    });
    next = await events.next();
    while (next.event === "heartbeat") next = await events.next();
    expect((JSON.parse(next.data) as RolloutStatus).currentStepIndex).toBe(2);

    expect((await events.next()).event).toBe("heartbeat");
    await server.close();
    server = undefined;
    let end = await events.next();
    while (end.event === "heartbeat") end = await events.next();
    expect(end.event).toBe("end");
    expect(control.listenerCount).toBe(0);
  });

  it("only sends the named rollout's changes, and unsubscribes when the client goes away", async () => {
    const control = new FakeRolloutControl([canaryStatus(), canaryStatus({ name: "docs", service: "docs" })]);
    server = await serveControl(control);
    const client = new AbortController();
    const res = await fetch(`${server.url}/api/rollouts/docs/events`, { signal: client.signal });
    const events = sseReader(res);
    expect((JSON.parse((await events.next()).data) as RolloutStatus).name).toBe("docs");
    control.publish("tinyurl", { message: "not for docs" });
    control.publish("docs", { message: "for docs" });
    expect((JSON.parse((await events.next()).data) as RolloutStatus).message).toBe("for docs");
    expect(control.listenerCount).toBe(1);
    client.abort();
    await eventually(
      () => control.listenerCount,
      (n) => n === 0,
      { what: "the stream to unsubscribe" },
    );
  });

  it("answers 404 for the events of an unknown rollout", async () => {
    server = await serveControl(new FakeRolloutControl());
    const res = await fetch(`${server.url}/api/rollouts/ghost/events`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
