/**
 * `npm run bench -- tinyurl`: the TinyURL hot path against a ceiling measured in the same run.
 *   (a) ceiling  — bare node:http answering a constant 302, in its own process
 *   (f) floor    — the same 302 from a one-route Hono app: what the framework alone costs
 *   (b) redirect — GET /{code} on the real Node service (analytics on), cycling through 100 codes
 *   (c) shorten  — POST /shorten with a distinct URL per request
 * Goal: (b) >= 0.6 x (a) in req/s with p99 <= 25 ms. Informational: the exit code only reports errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../functions/shared/net.ts";
import { parseCommon } from "./lib/args.ts";
import { runScenario, type Scenario, type Stats } from "./lib/load.ts";
import { type Child, groupCpuSeconds, onExit, startChild, waitForHttp } from "./lib/proc.ts";

const CONNECTIONS = 50;
const LINKS = 100;
const GOAL = { minRatio: 0.6, maxP99Ms: 25 };
const TSX = "node_modules/.bin/tsx";
const is3xx = (s: number) => s >= 300 && s < 400;
const log = (line: string) => process.stderr.write(`${line}\n`);
/** Browser-like headers, so analytics do their real work (UA parsing, referrer host) on every visit. */
const VISITOR_HEADERS = {
  "user-agent":
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  referer: "https://news.example.org/some/article",
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
};

async function startReference(kind: "node" | "hono"): Promise<{ child: Child; url: string }> {
  const child = startChild(
    kind === "node" ? "ceiling" : "floor",
    TSX,
    ["bench/ceiling-server.ts", kind],
    process.env,
  );
  const line = await child.line((l) => l.startsWith("{"));
  const { port } = JSON.parse(line) as { port: number };
  return { child, url: `http://127.0.0.1:${port}` };
}

export async function startService(dataDir: string): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SERVICES: "tinyurl",
    HOST: "127.0.0.1",
    TINYURL_PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    // One client IP sends everything, so the per-IP limits must not be what gets measured.
    RATE_LIMIT_API: "100000000",
    RATE_LIMIT_REDIRECT: "100000000",
  };
  // Profiling hook for the service only, e.g. BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  // (node refuses --cpu-prof in NODE_OPTIONS, so the service then runs as `node ARGS --import tsx`).
  const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean);
  const child = nodeArgs
    ? startChild("tinyurl", process.execPath, [...nodeArgs, "--import", "tsx", "functions/start.ts"], env)
    : startChild("tinyurl", TSX, ["functions/start.ts"], env);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { child, url };
}

/** Redirects must not be followed: the 302 itself is what is measured (autocannon never follows either). */
async function expectRedirect(url: string, location?: string): Promise<void> {
  const res = await fetch(url, { redirect: "manual" });
  const got = res.headers.get("location");
  if (res.status !== 302 || !got || (location && got !== location)) {
    throw new Error(`GET ${url}: expected 302 to ${location ?? "somewhere"}, got ${res.status} ${got ?? ""}`);
  }
}

export async function createLinks(base: string): Promise<{ code: string; url: string }[]> {
  const links: { code: string; url: string }[] = [];
  for (let i = 0; i < LINKS; i++) {
    const url = `https://example.com/bench/${i}?q=${i}`;
    const res = await fetch(`${base}/shorten`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url }),
    });
    if (res.status !== 201) throw new Error(`POST /shorten: ${res.status} ${await res.text()}`);
    links.push({ code: ((await res.json()) as { code: string }).code, url });
  }
  return links;
}

async function recordedVisits(base: string, codes: string[]): Promise<number> {
  const totals = await Promise.all(
    codes.map(async (code) => {
      const res = await fetch(`${base}/api/analytics/${code}`);
      if (!res.ok) throw new Error(`GET /api/analytics/${code}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { total: number }).total;
    }),
  );
  return totals.reduce((a, b) => a + b, 0);
}

/** Polls until the buffered visits are written: the count reaches `sent` or stops moving. */
async function settledVisits(base: string, codes: string[], sent: number): Promise<number> {
  const flushMs = Number(process.env.VISIT_FLUSH_MS ?? 1000);
  const deadline = Date.now() + Math.max(10_000, flushMs * 5);
  let last = -1;
  let stableFor = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, Math.max(250, flushMs / 2)));
    const count = await recordedVisits(base, codes);
    stableFor = count === last ? stableFor + 1 : 0;
    last = count;
    if (count >= sent || stableFor >= 3 || Date.now() > deadline) return count;
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

function table(rows: [string, Stats, string][]): string {
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "vs ceiling", "server CPU µs/req"];
  const body = rows.map(([name, s, ratio]) => [
    name,
    fmt(s.reqPerSec),
    fmt(s.latencyP50Ms, 2),
    fmt(s.latencyP99Ms, 2),
    fmt(s.errors),
    ratio,
    s.serverCpuUsPerReq === null ? "n/a" : fmt(s.serverCpuUsPerReq),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export async function run(args: string[]): Promise<number> {
  const { durationSec, warmupSec } = parseCommon(args);
  const common = { connections: CONNECTIONS, durationSec, warmupSec };
  const dataDir = mkdtempSync(join(tmpdir(), "canary-bench-"));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const perScenario = warmupSec + durationSec;
  log(
    `tinyurl benchmark: 4 scenarios x ${perScenario} s (${warmupSec} s warm-up + ${durationSec} s), ~${4 * perScenario + 10} s in all`,
  );

  // (a) ceiling and (f) framework floor: same request bytes as (b)
  const reference = async (kind: "node" | "hono", key: string, label: string) => {
    const server = await startReference(kind);
    await expectRedirect(`${server.url}/x`);
    const stats = await runScenario({
      key,
      label,
      url: `${server.url}/abc2345`,
      ok: (s) => s === 302,
      serverCpu: () => groupCpuSeconds(server.child),
      options: { headers: VISITOR_HEADERS },
      ...common,
    });
    await server.child.stop();
    return stats;
  };
  const a = await reference("node", "ceiling", "(a) ceiling");
  const f = await reference("hono", "floor", "(f) Hono floor");

  // (b) redirects: each connection starts at a different code so the 100 links are hit evenly.
  const service = await startService(dataDir);
  log(`  tinyurl service up at ${service.url}; creating ${LINKS} links`);
  const links = await createLinks(service.url);
  await expectRedirect(`${service.url}/${links[0]!.code}`, links[0]!.url);
  const requests = links.map((l) => ({ method: "GET", path: `/${l.code}`, headers: VISITOR_HEADERS }));
  let nextClient = 0;
  const redirect: Scenario = {
    key: "redirect",
    label: "(b) GET /{code}",
    url: service.url,
    ok: (s) => s === 302,
    serverCpu: () => groupCpuSeconds(service.child),
    options: {
      requests,
      setupClient: (client) => {
        const shift = (nextClient++ * 7) % requests.length;
        client.setRequests([...requests.slice(shift), ...requests.slice(0, shift)]);
      },
    },
    ...common,
  };
  const b = await runScenario(redirect);

  // Proof that analytics were on: every 302 served (plus the pre-check) must become a stored visit.
  log("  waiting for buffered visits to be written…");
  const sent = b.okTotal + 1;
  const recorded = await settledVisits(
    service.url,
    links.map((l) => l.code),
    sent,
  );
  // Requests in flight when autocannon stops may be served without their response being counted.
  const analyticsOk = recorded >= sent && recorded <= sent + CONNECTIONS * 2;

  // (c) shorten: autocannon puts a fresh id in place of [<id>] for every request.
  const c = await runScenario({
    key: "shorten",
    label: "(c) POST /shorten",
    url: `${service.url}/shorten`,
    ok: (s) => s === 201,
    serverCpu: () => groupCpuSeconds(service.child),
    options: {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com/bench/[<id>]" }),
      idReplacement: true,
    },
    ...common,
  });
  await service.child.stop();

  const ratioB = b.reqPerSec / a.reqPerSec;
  const ratioC = c.reqPerSec / a.reqPerSec;
  const cpuRatio =
    a.serverCpuUsPerReq && b.serverCpuUsPerReq !== null ? b.serverCpuUsPerReq / a.serverCpuUsPerReq : null;
  const pass = ratioB >= GOAL.minRatio && b.latencyP99Ms <= GOAL.maxP99Ms;
  const cpu = cpus();
  const machine = `node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? "unknown cpu"}`;
  const nonRedirects = Object.entries(b.statusCodes).filter(([code]) => !is3xx(Number(code)));

  console.log("");
  console.log(`TinyURL benchmark — ${machine}`);
  console.log(
    `${CONNECTIONS} connections, ${durationSec} s per scenario after ${warmupSec} s warm-up, 127.0.0.1`,
  );
  console.log("");
  console.log(
    table([
      ["(a) ceiling: node:http 302", a, "1.00x"],
      ["(f) floor: bare Hono 302", f, `${(f.reqPerSec / a.reqPerSec).toFixed(2)}x`],
      ["(b) GET /{code} redirect", b, `${ratioB.toFixed(2)}x`],
      ["(c) POST /shorten", c, `${ratioC.toFixed(2)}x`],
    ]),
  );
  console.log("");
  console.log(
    `Status codes: (a) ${JSON.stringify(a.statusCodes)}  (f) ${JSON.stringify(f.statusCodes)}  (b) ${JSON.stringify(b.statusCodes)}  (c) ${JSON.stringify(c.statusCodes)}`,
  );
  if (cpuRatio !== null) {
    console.log(
      `Server CPU per redirect: ${fmt(b.serverCpuUsPerReq!)} µs vs ${fmt(a.serverCpuUsPerReq!)} µs for the ceiling ` +
        `(${cpuRatio.toFixed(1)}x) — less swayed by other load on the machine than req/s`,
    );
  }
  if (nonRedirects.length > 0)
    console.log(`(b) non-3xx answers: ${JSON.stringify(Object.fromEntries(nonRedirects))}`);
  console.log(
    `Analytics: ${fmt(recorded)} visits recorded for ${fmt(sent)} redirects served (incl. warm-up) — ${analyticsOk ? "OK" : "MISMATCH"}`,
  );
  console.log(
    `Goal: redirects >= ${GOAL.minRatio}x ceiling with p99 <= ${GOAL.maxP99Ms} ms — ` +
      `${pass ? "PASS" : "MISS"} (${ratioB.toFixed(2)}x, p99 ${fmt(b.latencyP99Ms, 2)} ms)`,
  );
  const json = {
    bench: "tinyurl",
    date: new Date().toISOString(),
    node: process.version,
    cpus: { count: cpu.length, model: cpu[0]?.model ?? "unknown" },
    connections: CONNECTIONS,
    durationSec,
    warmupSec,
    scenarios: { ceiling: a, honoFloor: f, redirect: b, shorten: c },
    ratios: {
      redirectVsCeiling: round(ratioB),
      honoFloorVsCeiling: round(f.reqPerSec / a.reqPerSec),
      redirectVsHonoFloor: round(b.reqPerSec / f.reqPerSec),
      shortenVsCeiling: round(ratioC),
      redirectCpuPerReqVsCeiling: cpuRatio === null ? null : round(cpuRatio),
    },
    analytics: { recorded, sent, ok: analyticsOk },
    goal: { ...GOAL, pass },
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);

  const errored = a.errors + f.errors + b.errors + c.errors > 0 || !analyticsOk;
  return errored ? 1 : 0;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
