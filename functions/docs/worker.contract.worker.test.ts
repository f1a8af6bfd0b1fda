/**
 * Docs' contract against the Worker on workerd: the entry (functions/worker.ts) routes `/api/documents`
 * to Docs, whose texts and sockets are DocumentRoom Durable Objects (wrangler.toml + vitest.config.mts).
 */
import { env, exports } from "cloudflare:workers";
import { loadConfig } from "../shared/config.ts";
import { docsContract, type SocketOpener } from "./contract.ts";

/** An upgrade through the Worker's fetch: the answer carries the client end of the socket, or the refusal. */
const openSocket: SocketOpener = async (url, { headers, protocols }, events) => {
  const request = new Request(url, { headers: { ...headers, upgrade: "websocket" } });
  if (protocols.length > 0) request.headers.set("sec-websocket-protocol", protocols.join(", "));
  const res = await exports.default.fetch(request);
  const ws = res.webSocket;
  if (!ws) return { accepted: false, status: res.status, body: await res.text() };
  ws.addEventListener("message", (event) => {
    events.message(typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data));
  });
  ws.addEventListener("close", (event) => events.close(event.code, event.reason));
  ws.accept();
  return {
    accepted: true,
    protocol: res.headers.get("sec-websocket-protocol"),
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
  };
};

docsContract((request) => exports.default.fetch(request), {
  baseUrl: "https://docs.test",
  authSecret: String(env.AUTH_SECRET),
  opsPerSecond: loadConfig(env).DOCS_OPS_PER_SECOND,
  openSocket,
});
