/**
 * What the live side of Docs reports: open sockets, ops by outcome and how long an op took from arrival
 * to acknowledgement. Node registers them in the service's prom-client registry; the edge reports none.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface DocsMetrics {
  socketOpened(): void;
  socketClosed(): void;
  /** `outcome`: applied, duplicate, or the refusal's error code. */
  op(outcome: string, seconds: number): void;
}

/** Same buckets as HTTP latency: an op's ack is held to the same SLOs. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function prometheusDocsMetrics(registry: Registry): DocsMetrics {
  const sockets = new Gauge({
    name: "docs_websocket_connections",
    help: "Open Docs WebSocket connections.",
    registers: [registry],
  });
  const ops = new Counter({
    name: "docs_ops_total",
    help: "Ops received over WebSockets, by outcome (applied, duplicate, or the error code).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const ack = new Histogram({
    name: "docs_op_duration_seconds",
    help: "Seconds from an op's arrival to its ack or refusal, by outcome.",
    labelNames: ["outcome"] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    socketOpened: () => sockets.inc(),
    socketClosed: () => sockets.dec(),
    op(outcome, seconds) {
      ops.inc({ outcome });
      ack.observe({ outcome }, seconds);
    },
  };
}
