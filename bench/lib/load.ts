/** One load scenario with autocannon: a short warm-up, then a fixed-duration measured run. */
import autocannon, { type Options, type Result } from "autocannon";

export interface Scenario {
  /** Short key used in the JSON line. */
  key: string;
  label: string;
  url: string;
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Statuses that count as success; anything else is an error. */
  ok: (status: number) => boolean;
  options?: Partial<Options>;
  /** CPU seconds used so far by the server under test, sampled around the measured run. */
  serverCpu?: () => number | undefined;
}

export interface Stats {
  reqPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Responses received in the measured run. */
  responses: number;
  /** Connection errors, timeouts and responses with an unexpected status. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Successful responses over warm-up plus measured run (what the server should have recorded). */
  okTotal: number;
  durationSec: number;
  /** Server CPU time per response in the measured run (µs), when the platform tells. */
  serverCpuUsPerReq: number | null;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function fire(options: Options, phase: string, label: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    // Live progress on a terminal; a single line per phase otherwise (CI logs stay short).
    if (process.stderr.isTTY) {
      let second = 0;
      let total = 0;
      instance.on("tick", (tick: { counter: number }) => {
        second += 1;
        total += tick.counter;
        process.stderr.write(`\r  ${label} ${phase}: ${second}/${options.duration} s, ${total} requests   `);
      });
      instance.on("done", () => process.stderr.write("\n"));
    }
  });
}

function statusCounts(result: Result): Record<string, number> {
  return Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
}

function okCount(counts: Record<string, number>, ok: (status: number) => boolean): number {
  return Object.entries(counts).reduce((sum, [code, n]) => sum + (ok(Number(code)) ? n : 0), 0);
}

export async function runScenario(s: Scenario): Promise<Stats> {
  const base: Options = { url: s.url, connections: s.connections, timeout: 10, ...s.options };
  log(
    `▶ ${s.label}: warm-up ${s.warmupSec} s, then ${s.durationSec} s measured, ${s.connections} connections`,
  );
  const warm = await fire({ ...base, duration: s.warmupSec }, "warm-up", s.label);
  const cpuBefore = s.serverCpu?.();
  const result = await fire({ ...base, duration: s.durationSec }, "measure", s.label);
  const cpuAfter = s.serverCpu?.();
  const counts = statusCounts(result);
  const responses = Object.values(counts).reduce((a, b) => a + b, 0);
  const good = okCount(counts, s.ok);
  const stats: Stats = {
    reqPerSec: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    responses,
    errors: result.errors + (responses - good),
    statusCodes: counts,
    okTotal: good + okCount(statusCounts(warm), s.ok),
    durationSec: result.duration,
    serverCpuUsPerReq:
      cpuBefore !== undefined && cpuAfter !== undefined && responses > 0
        ? Math.round(((cpuAfter - cpuBefore) * 1e6) / responses)
        : null,
  };
  const cpu = stats.serverCpuUsPerReq === null ? "" : `, server CPU ${stats.serverCpuUsPerReq} µs/req`;
  log(`  done: ${stats.reqPerSec} req/s, p99 ${stats.latencyP99Ms} ms, ${stats.errors} errors${cpu}`);
  return stats;
}
