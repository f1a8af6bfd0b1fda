/**
 * The editor's WebSocket: connects DocumentSync to `/api/documents/{id}/socket` (token as a subprotocol,
 * since a browser cannot set headers on a WebSocket), and reconnects with capped, jittered backoff. A
 * socket it gave up on is ignored from then on, whatever it still delivers.
 */
import { BEARER_PROTOCOL_PREFIX, CLOSE, SUBPROTOCOL } from "../protocol.ts";
import { ApiError, api } from "./browser.ts";
import type { DocumentSync } from "./sync.ts";

export class DocumentConnection {
  #socket: WebSocket | null = null;
  #failures = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(
    private readonly sync: DocumentSync,
    private readonly docId: string,
    private readonly token: () => string,
    /** Told when connecting is pointless: the document was deleted, or the token is refused. */
    private readonly stopped: (reason: string) => void,
  ) {
    window.addEventListener("online", () => {
      if (!this.#socket && !this.#stopped) this.connect();
    });
  }

  get #docPath(): string {
    return `/api/documents/${encodeURIComponent(this.docId)}`;
  }

  connect(): void {
    clearTimeout(this.#retry);
    this.#stopped = false;
    if (this.#socket) return;
    const query = this.sync.connectQuery();
    const url = new URL(`${this.#docPath}/socket`, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("src", query.src);
    if (query.v !== undefined) url.searchParams.set("v", String(query.v));
    const ws = new WebSocket(url, [SUBPROTOCOL, BEARER_PROTOCOL_PREFIX + this.token()]);
    this.#socket = ws;
    ws.addEventListener("open", () => {
      if (this.#socket === ws) this.sync.connected((message) => ws.send(JSON.stringify(message)));
    });
    ws.addEventListener("message", (event) => {
      if (this.#socket !== ws || typeof event.data !== "string") return;
      const message = JSON.parse(event.data);
      if (message.type === "init") this.#failures = 0;
      this.sync.receive(message);
    });
    ws.addEventListener("close", (event) => {
      if (this.#socket !== ws) return;
      this.#socket = null;
      this.sync.disconnected();
      if (event.code === CLOSE.deleted) {
        this.stop("This document was deleted.");
        return;
      }
      if (event.code === CLOSE.roleChanged) {
        this.connect(); // at once: the handshake hands out the new role (or says it is gone)
        return;
      }
      this.#failures++;
      // Capped exponential backoff with jitter, so a restarted server is not hit by everyone at once.
      const delay = Math.min(8000, 250 * 2 ** Math.min(this.#failures, 6)) * (0.5 + Math.random() / 2);
      this.#retry = setTimeout(() => void this.#reconnect(), delay);
    });
  }

  /** Drops the current socket (if any) and connects again at once: DocumentSync asked to start over. */
  restart(): void {
    this.#abandon();
    this.connect();
  }

  /** Stops connecting for good (until `connect` is called again). */
  stop(reason: string): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#abandon();
    this.stopped(reason);
  }

  #abandon(): void {
    const ws = this.#socket;
    this.#socket = null;
    if (ws) {
      ws.close(1000, "client gave up on this socket");
      this.sync.disconnected();
    }
  }

  /** Before retrying a socket that keeps failing, asks the API why (a browser hides the handshake's answer). */
  async #reconnect(): Promise<void> {
    if (this.#failures >= 3) {
      try {
        await api("GET", this.#docPath);
      } catch (error) {
        if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
          this.stop(error.message);
          return;
        }
      }
    }
    if (!this.#stopped) this.connect();
  }
}
