/** Header handling for the weighted proxy: hop-by-hop headers stay on their hop (RFC 9110 §7.6.1). */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Socket } from "node:net";

/** On every proxied answer: the version that gave it. */
export const VERSION_HEADER = "x-canary-version";

/** The services' error shape, for the proxy's own answers (502, 503). */
export function errorJson(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** `headers` without the hop-by-hop ones, including those the Connection header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/** What the backend is sent: the client's end-to-end headers plus X-Forwarded-For/-Proto/-Host. */
export function forwardedRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers);
  const client = req.socket.remoteAddress ?? "unknown";
  const prior = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = prior ? `${prior}, ${client}` : client;
  headers["x-forwarded-proto"] ??= "http";
  if (req.headers.host) headers["x-forwarded-host"] ??= req.headers.host;
  return headers;
}

/** Writes a whole HTTP/1.1 response head on a raw socket (upgrade requests have no ServerResponse). */
export function writeResponseHead(
  socket: Socket,
  status: number,
  statusMessage: string,
  headers: OutgoingHttpHeaders,
): void {
  const lines = [`HTTP/1.1 ${status} ${statusMessage}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
}
