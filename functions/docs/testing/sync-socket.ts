/**
 * A real client for Node tests: the browser's DocumentSync over a `ws` socket to a running service.
 * `drop()` cuts the socket without a goodbye (both directions may lose frames in flight) and `reconnect()`
 * opens a new one with the same `src`, as the editor does after a network blip.
 */
import { WebSocket } from "ws";
import { DocumentSync } from "../client/sync.ts";
import type { TextOp } from "../ot/index.ts";
import { type ServerMessage, SUBPROTOCOL } from "../protocol.ts";

export class SyncSocket {
  readonly sync: DocumentSync;
  #ws: WebSocket | undefined;
  readonly problems: string[] = [];

  private constructor(
    private readonly baseUrl: string,
    private readonly docId: string,
    private readonly token: string,
    src: string,
  ) {
    this.sync = new DocumentSync({
      src,
      events: {
        problem: (p) => this.problems.push(`${p.code}: ${p.message}`),
        restart: () => this.drop(),
      },
    });
  }

  /** Connects and resolves once the server's `init` has been applied. */
  static async open(baseUrl: string, docId: string, token: string, src: string): Promise<SyncSocket> {
    const client = new SyncSocket(baseUrl, docId, token, src);
    await client.reconnect();
    return client;
  }

  get text(): string {
    return this.sync.text;
  }

  /** True when the socket is up, `init` applied and no local op waits for an ack. */
  get settled(): boolean {
    const status = this.sync.status;
    return status.connection === "online" && !status.unacknowledged;
  }

  edit(op: TextOp): void {
    this.sync.localOp(op);
  }

  drop(): void {
    this.#ws?.terminate();
  }

  reconnect(): Promise<void> {
    const query = this.sync.connectQuery();
    const url = new URL(`/api/documents/${this.docId}/socket`, this.baseUrl.replace(/^http/, "ws"));
    url.searchParams.set("src", query.src);
    if (query.v !== undefined) url.searchParams.set("v", String(query.v));
    const ws = new WebSocket(url, [SUBPROTOCOL], { headers: { authorization: `Bearer ${this.token}` } });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      ws.on("open", () => this.sync.connected((message) => ws.send(JSON.stringify(message))));
      ws.on("message", (data) => {
        const message = JSON.parse(data.toString()) as ServerMessage;
        this.sync.receive(message);
        if (message.type === "init") resolve();
      });
      ws.on("close", () => {
        if (this.#ws === ws) this.sync.disconnected();
      });
      ws.on("error", reject);
    });
  }

  close(): void {
    this.#ws?.close();
  }
}
