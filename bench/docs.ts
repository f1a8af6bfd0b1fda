/**
 * `npm run bench -- docs [options]`: the Docs service benchmark of issue #4, all in one run.
 *   (1) the automerge-paper trace (259,778 edits) through the sequencer, the rope alone, and the baseline
 *       (`ot-text-unicode` on a plain string) — bench/docs-trace.ts
 *   (2) 20 WebSocket clients × 10 ops/s on one document for 20 s: ack and broadcast latency — docs-socket.ts
 *   (3) POST /api/documents/{id}/update under autocannon: req/s and p99 — docs-http.ts
 * (2) and (3) run against the real service (startDocs via functions/start.ts) in a child process with a
 * temp DATA_DIR. Informational: exit 1 only on a wrong text, errors, or an inconsistent document.
 */
import { loadTrace, traceOps, tracePath } from "../functions/docs/rope/testing/traces.ts";
import { httpJson, printHttp, runHttp } from "./docs-http.ts";
import { startDocsService } from "./docs-service.ts";
import { printSockets, runSockets, socketJson } from "./docs-socket.ts";
import { printTrace, runTrace, traceJson } from "./docs-trace.ts";
import { UsageError } from "./lib/args.ts";
import { describeMachine, fmt, log, machine } from "./lib/report.ts";

const TRACE = "automerge-paper";
const QUICK_BASELINE_OPS = 20_000;

/** Flag → [env variable, default, default under --quick]. */
const FLAGS = {
  runs: ["BENCH_RUNS", 3, 3],
  "baseline-ops": ["BENCH_BASELINE_OPS", Number.POSITIVE_INFINITY, QUICK_BASELINE_OPS],
  clients: ["BENCH_WS_CLIENTS", 20, 20],
  "ops-per-sec": ["BENCH_WS_OPS_PER_SEC", 10, 10],
  "ws-duration": ["BENCH_WS_DURATION", 20, 5],
  "ws-warmup": ["BENCH_WS_WARMUP", 2, 1],
  duration: ["BENCH_DURATION", 10, 3],
  connections: ["BENCH_HTTP_CONNECTIONS", 10, 10],
} as const satisfies Record<string, readonly [string, number, number]>;
type Flag = keyof typeof FLAGS;

const HELP = [
  "Options (flag, env variable, default):",
  "  --quick             baseline on a 20,000-op prefix (no ratio claimed), 5 s of sockets, 3 s of HTTP",
  "  --parts 1,2,3       which parts to run (env BENCH_PARTS)",
  "  --runs N            measured trace replays, median reported (BENCH_RUNS, 3)",
  "  --baseline-ops N    replay only the first N ops with the baseline (BENCH_BASELINE_OPS, whole trace)",
  "  --clients N         WebSocket clients (BENCH_WS_CLIENTS, 20)",
  "  --ops-per-sec R     ops per second per client (BENCH_WS_OPS_PER_SEC, 10)",
  "  --ws-duration S     measured socket seconds (BENCH_WS_DURATION, 20), after --ws-warmup S (2)",
  "  --duration S        measured HTTP seconds (BENCH_DURATION, 10), after a warm-up of 30% (1–3 s)",
  "  --connections N     autocannon connections for HTTP (BENCH_HTTP_CONNECTIONS, 10)",
].join("\n");

interface Options extends Record<Flag, number> {
  quick: boolean;
  parts: Set<number>;
  httpWarmupSec: number;
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): Options {
  const raw = new Map<string, string>();
  let quick = env.BENCH_QUICK === "1";
  let parts = env.BENCH_PARTS ?? "1,2,3";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") throw new UsageError(HELP);
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    const [flag, inline] = arg.startsWith("--") ? arg.slice(2).split(/=(.*)/s) : [];
    if (flag === undefined || !(flag in FLAGS || flag === "parts")) {
      throw new UsageError(`Unknown option: ${arg}\n${HELP}`);
    }
    const value = inline ?? args[++i] ?? "";
    if (flag === "parts") parts = value;
    else raw.set(flag, value);
  }
  const options = { quick } as Options;
  for (const [flag, [envName, normal, fast]] of Object.entries(FLAGS) as [Flag, (typeof FLAGS)[Flag]][]) {
    const text = raw.get(flag) ?? env[envName];
    const value = text === undefined ? (quick ? fast : normal) : Number(text);
    if (!(Number.isInteger(value) && value >= 1) && value !== Number.POSITIVE_INFINITY) {
      throw new UsageError(`--${flag}: expected a whole number >= 1, got "${text}"\n${HELP}`);
    }
    options[flag] = value;
  }
  if (options.clients < 2) throw new UsageError("--clients: at least 2, so there is someone to broadcast to");
  options.parts = new Set(parts.split(",").map((p) => Number(p.trim())));
  if ([...options.parts].some((p) => ![1, 2, 3].includes(p))) {
    throw new UsageError(`--parts: a comma-separated subset of 1,2,3, got "${parts}"`);
  }
  // As the other benches: long enough for JIT and caches to settle, short next to the measured run.
  options.httpWarmupSec = Math.max(1, Math.min(3, Math.round(options.duration * 0.3)));
  return options;
}

/** Runs one part; a part that throws is reported loudly and the others still run. */
async function part<T>(name: string, fn: () => Promise<T>, failures: string[]): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${name}: ${message}`);
    console.log(`${name}: !!! FAILED — ${message}\n`);
    return null;
  }
}

export async function run(args: string[]): Promise<number> {
  const o = parseOptions(args, process.env);
  const m = machine();
  let trace: ReturnType<typeof loadTrace>;
  try {
    trace = loadTrace(TRACE);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const ops = traceOps(trace);
  const finalChars = Array.from(trace.endContent).length;
  const failures: string[] = [];
  const socketOptions = {
    clients: o.clients,
    opsPerSec: o["ops-per-sec"],
    durationSec: o["ws-duration"],
    warmupSec: o["ws-warmup"],
  };
  const httpOptions = { connections: o.connections, durationSec: o.duration, warmupSec: o.httpWarmupSec };
  const baselineFull = o["baseline-ops"] >= ops.length;
  log(
    `docs benchmark: parts ${[...o.parts].join(", ")}; expect about ` +
      `${o.parts.has(1) ? (baselineFull ? "35–70 s for (1), mostly the baseline" : "5 s for (1)") : "0 s for (1)"}` +
      `${o.parts.has(2) ? `, ${socketOptions.warmupSec + socketOptions.durationSec + 3} s for (2)` : ""}` +
      `${o.parts.has(3) ? `, ${2 * httpOptions.warmupSec + httpOptions.durationSec} s for (3)` : ""}`,
  );

  console.log(`Docs benchmark — ${describeMachine(m)}`);
  console.log(`trace ${TRACE}: ${fmt(ops.length)} edits, final text ${fmt(finalChars)} code points`);
  console.log(`  (${tracePath(TRACE)})`);
  if (o.quick) console.log("QUICK RUN (--quick): shorter parts (2) and (3), the baseline on a prefix only");
  console.log("");

  const traceResult = o.parts.has(1)
    ? await part("(1) trace replay", () => runTrace(trace, ops, o.runs, o["baseline-ops"]), failures)
    : null;
  if (traceResult) {
    printTrace(traceResult, o.runs);
    console.log("");
    if (!traceResult.ok) failures.push("(1) a final text differs from endContent");
  }

  const needService = o.parts.has(2) || o.parts.has(3);
  const service = needService ? await part("service", startDocsService, failures) : null;
  if (service) log(`docs service up at ${service.url} (child process, temp DATA_DIR)`);
  const sockets =
    service && o.parts.has(2)
      ? await part("(2) websockets", () => runSockets(service, socketOptions), failures)
      : null;
  if (sockets) {
    printSockets(sockets, socketOptions);
    console.log("");
    if (sockets.failed) failures.push("(2) websocket run had errors, lost ops or an inconsistent document");
  }
  const http =
    service && o.parts.has(3) ? await part("(3) http", () => runHttp(service, httpOptions), failures) : null;
  if (http) {
    printHttp(http, httpOptions);
    console.log("");
    if (http.stats.errors > 0) failures.push(`(3) ${http.stats.errors} HTTP requests failed`);
    if (!http.consistent) failures.push("(3) the document after the HTTP run is inconsistent");
  }
  await service?.stop();

  console.log(
    failures.length === 0
      ? "All parts ran without errors."
      : `!!! ${failures.length} PROBLEM(S) — figures from a failing part must not be quoted:\n  ${failures.join("\n  ")}`,
  );
  const json = {
    bench: "docs",
    date: new Date().toISOString(),
    ...m,
    quick: o.quick,
    trace: { name: TRACE, edits: ops.length, finalChars },
    replay: traceResult ? traceJson(traceResult, o.runs) : null,
    websocket: sockets ? socketJson(sockets, socketOptions) : null,
    http: http ? httpJson(http, httpOptions) : null,
    failures,
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  return failures.length === 0 ? 0 : 1;
}
