/**
 * Part (2) of `npm run bench -- docs`: N WebSocket clients on one document, each editing R times a
 * second, against the service in a child process. Measured: send → ack (the author's acknowledgement)
 * and send → every other client received that (src, seq) (broadcast), for ops sent after a warm-up.
 * Afterwards the document's version must equal the ops sent and its length the characters inserted.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { DocsService } from "./docs-service.ts";
import { BenchClient, LatencyTracker } from "./docs-socket-client.ts";
import { groupCpuSeconds } from "./lib/proc.ts";
import { fmt, log, percentile, round } from "./lib/report.ts";

export const SOCKET_GOAL = { maxAckP99Ms: 50, maxBroadcastP99Ms: 50 };
const SETTLE_TIMEOUT_MS = 15_000;
/** The event-loop probe's timer interval; its histogram counts whole intervals, so this is subtracted. */
const LOOP_PROBE_MS = 5;

export interface SocketOptions {
  clients: number;
  opsPerSec: number;
  durationSec: number;
  warmupSec: number;
}

interface Latency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SocketResult {
  ack: Latency;
  broadcast: Latency;
  delivery: Latency;
  /** Ops sent in the measured window, per second (target: clients × opsPerSec, fewer when composed). */
  measuredOpsPerSec: number;
  ticks: number;
  queuedTicks: number;
  errors: Record<string, number>;
  unacked: number;
  undelivered: number;
  unknown: number;
  closedEarly: string[];
  finalVersion: number;
  opsSent: number;
  finalChars: number;
  charsInserted: number;
  consistent: boolean;
  serverCpuPercent: number | null;
  clientLoopDelayP99Ms: number;
  goalMet: boolean;
  failed: boolean;
}

const latency = (values: number[]): Latency => ({
  count: values.length,
  p50Ms: round(percentile(values, 50)),
  p99Ms: round(percentile(values, 99)),
  maxMs: round(values.length ? Math.max(...values) : Number.NaN),
});

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Ticks `client` every `period` ms from `start + phase` until `end`; resolves after its last tick. */
function drive(client: BenchClient, start: number, phase: number, period: number, end: number, warm: number) {
  return new Promise<void>((resolve) => {
    const next = (k: number) => {
      const at = start + phase + k * period;
      if (at >= end) return resolve();
      setTimeout(
        () => {
          client.tick(at >= warm);
          next(k + 1);
        },
        Math.max(0, at - performance.now()),
      );
    };
    next(0);
  });
}

export async function runSockets(service: DocsService, o: SocketOptions): Promise<SocketResult> {
  const id = await service.createDocument("bench: websocket clients");
  const socketUrl = `${service.url.replace(/^http/, "ws")}/api/documents/${id}/socket`;
  const tracker = new LatencyTracker(o.clients - 1);
  const clients = Array.from(
    { length: o.clients },
    (_, i) =>
      new BenchClient(socketUrl, service.token, `bench-${i}`, tracker, String.fromCharCode(97 + (i % 26))),
  );
  await Promise.all(clients.map((c) => c.ready));
  const total = o.warmupSec + o.durationSec;
  log(
    `(2) ${o.clients} sockets open; ${o.warmupSec} s warm-up + ${o.durationSec} s measured at ${o.opsPerSec} ops/s each…`,
  );

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_PROBE_MS });
  loopDelay.enable();
  const cpuBefore = groupCpuSeconds(service.child);
  const period = 1000 / o.opsPerSec;
  const start = performance.now() + 50;
  const warm = start + o.warmupSec * 1000;
  const end = start + total * 1000;
  const progress = setInterval(() => {
    const at = Math.max(0, (performance.now() - start) / 1000);
    log(`  (2) ${fmt(Math.min(at, total), 0)} / ${total} s, ${fmt(tracker.ackMs.length)} measured acks`);
  }, 5000);
  // Phases spread the clients' ticks evenly over each period, as independent typists would be.
  await Promise.all(clients.map((c, i) => drive(c, start, (i / o.clients) * period, period, end, warm)));
  clearInterval(progress);
  const elapsedSec = (performance.now() - start) / 1000;
  const settled = await waitFor(() => {
    const left = tracker.outstanding();
    return clients.every((c) => c.settled) && left.unacked === 0 && left.undelivered === 0;
  }, SETTLE_TIMEOUT_MS);
  const cpuAfter = groupCpuSeconds(service.child);
  loopDelay.disable();
  if (!settled) log(`  (2) !!! not every op was acked and delivered within ${SETTLE_TIMEOUT_MS / 1000} s`);

  const outstanding = tracker.outstanding();
  const closedEarly = clients.flatMap((c) =>
    c.closed ? [`${c.src}: ${c.closed.code} ${c.closed.reason}`] : [],
  );
  const doc = await service.readDocument(id);
  for (const client of clients) client.close();
  const finalChars = Array.from(doc.content).length;
  const charsInserted = clients.reduce((sum, c) => sum + c.insertedChars, 0);
  const ack = latency(tracker.ackMs);
  const broadcast = latency(tracker.broadcastMs);
  const errors = Object.fromEntries(tracker.errors);
  const consistent = doc.version === tracker.size && finalChars === charsInserted;
  const failed =
    !settled ||
    !consistent ||
    tracker.errors.size > 0 ||
    tracker.unknown > 0 ||
    closedEarly.length > 0 ||
    ack.count === 0 ||
    broadcast.count === 0;
  return {
    ack,
    broadcast,
    delivery: latency(tracker.deliveryMs),
    measuredOpsPerSec: ack.count / o.durationSec,
    ticks: clients.reduce((sum, c) => sum + c.ticks, 0),
    queuedTicks: clients.reduce((sum, c) => sum + c.queuedTicks, 0),
    errors,
    ...outstanding,
    unknown: tracker.unknown,
    closedEarly,
    finalVersion: doc.version,
    opsSent: tracker.size,
    finalChars,
    charsInserted,
    consistent,
    serverCpuPercent:
      cpuBefore === undefined || cpuAfter === undefined ? null : ((cpuAfter - cpuBefore) / elapsedSec) * 100,
    clientLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_PROBE_MS),
    goalMet:
      !failed && ack.p99Ms <= SOCKET_GOAL.maxAckP99Ms && broadcast.p99Ms <= SOCKET_GOAL.maxBroadcastP99Ms,
    failed,
  };
}

const latencyLine = (name: string, l: Latency) =>
  `  ${name.padEnd(47)} p50 ${fmt(l.p50Ms, 2).padStart(6)} ms   p99 ${fmt(l.p99Ms, 2).padStart(6)} ms   ` +
  `max ${fmt(l.maxMs, 2).padStart(7)} ms   (${fmt(l.count)} samples)`;

export function printSockets(r: SocketResult, o: SocketOptions): void {
  const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
  console.log(
    `(2) WebSockets — ${o.clients} clients on one document, ${o.opsPerSec} ops/s each ` +
      `(${fmt(o.clients * o.opsPerSec)} ops/s in all), ${o.durationSec} s measured after ${o.warmupSec} s warm-up`,
  );
  console.log(
    "  service in a child process; all clients in this process (one op in flight each, inserts at 0, `ws`)",
  );
  console.log(latencyLine("acknowledgement (send → own ack)", r.ack));
  console.log(latencyLine(`broadcast (send → all ${o.clients - 1} others received it)`, r.broadcast));
  console.log(latencyLine("single delivery (send → one other received it)", r.delivery));
  console.log(
    `  sent ${fmt(r.measuredOpsPerSec, 1)} ops/s in the measured window; ${fmt(r.queuedTicks)} of ${fmt(r.ticks)} ` +
      "edits waited for an in-flight op and went out composed with the next (latency counts from the actual send)",
  );
  console.log(
    `  server CPU ${r.serverCpuPercent === null ? "n/a" : `${fmt(r.serverCpuPercent, 1)}% of one core`}; ` +
      `event-loop delay p99 of this (client) process ${fmt(r.clientLoopDelayP99Ms, 2)} ms, part of every figure above`,
  );
  console.log(
    `  document after the run: version ${fmt(r.finalVersion)} for ${fmt(r.opsSent)} ops sent, ` +
      `${fmt(r.finalChars)} code points for ${fmt(r.charsInserted)} inserted — ${r.consistent ? "consistent" : "!!! INCONSISTENT"}`,
  );
  const problems = [
    Object.keys(r.errors).length ? `error messages ${JSON.stringify(r.errors)}` : "",
    r.unacked ? `${r.unacked} ops never acked` : "",
    r.undelivered ? `${r.undelivered} ops not delivered to every other client` : "",
    r.unknown ? `${r.unknown} acks/ops for unknown (src, seq)` : "",
    r.closedEarly.length ? `sockets closed early: ${r.closedEarly.join("; ")}` : "",
  ].filter(Boolean);
  if (problems.length > 0) console.log(`  !!! FAILURES: ${problems.join("; ")}`);
  else console.log("  no error messages, every op acked and delivered to every other client");
  console.log(
    `  goal p99 <= ${SOCKET_GOAL.maxAckP99Ms} ms: ack ${mark(r.ack.p99Ms <= SOCKET_GOAL.maxAckP99Ms)}, ` +
      `broadcast ${mark(r.broadcast.p99Ms <= SOCKET_GOAL.maxBroadcastP99Ms)}` +
      (r.failed ? " — but the run had FAILURES, see above" : ""),
  );
}

export function socketJson(r: SocketResult, o: SocketOptions) {
  return {
    ...o,
    process: "child",
    ack: r.ack,
    broadcast: r.broadcast,
    delivery: r.delivery,
    measuredOpsPerSec: round(r.measuredOpsPerSec, 1),
    ticks: r.ticks,
    queuedTicks: r.queuedTicks,
    errors: r.errors,
    unacked: r.unacked,
    undelivered: r.undelivered,
    closedEarly: r.closedEarly.length,
    consistent: r.consistent,
    serverCpuPercent: r.serverCpuPercent === null ? null : round(r.serverCpuPercent, 1),
    clientLoopDelayP99Ms: round(r.clientLoopDelayP99Ms),
    goal: { ...SOCKET_GOAL, met: r.goalMet },
    failed: r.failed,
  };
}
