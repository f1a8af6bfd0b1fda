/**
 * `npm run bench -- newsfeed [--duration S] [--connections N]`: the Newsfeed benchmark of issue #5.
 *   seed  — 10,000 articles over 50 feeds, 1,000 users with follows and likes (bench/newsfeed-seed.ts),
 *           written into a temp DATA_DIR before the service (a child process) starts
 *   (1)   — GET /api/newsfeed at 50 connections: one request in three anonymous, the rest signed in as
 *           one of the 1,000 users (bearer token), cycling through them
 *   (2)   — GET /api/recommendations/{user} at 50 connections, each with that user's token
 *   (3)   — ingestion of a 5,000-entry RSS feed (bench/newsfeed-ingest.ts)
 * Goals: the seed floor of 500 req/s with p99 < 100 ms, the aim of >= 5,000 req/s with p99 <= 25 ms.
 * Informational: exit 1 only on errors. `--parts 1,3` runs some parts only (env BENCH_PARTS).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { signToken } from "../functions/shared/auth.ts";
import { UsageError } from "./lib/args.ts";
import { runScenario, type Stats } from "./lib/load.ts";
import { groupCpuSeconds, onExit } from "./lib/proc.ts";
import { describeMachine, fmt, log, machine } from "./lib/report.ts";
import { type IngestResult, printIngest, runIngest } from "./newsfeed-ingest.ts";
import { type SeedOptions, seedNewsfeed } from "./newsfeed-seed.ts";
import { AUTH_SECRET, startNewsfeedService } from "./newsfeed-service.ts";

declare module "autocannon" {
  // Per-request hook (autocannon 9), which bench/autocannon.d.ts leaves out.
  interface Request {
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
  }
}

export const GOAL = {
  seed: { minReqPerSec: 500, maxP99Ms: 100 },
  aim: { minReqPerSec: 5000, maxP99Ms: 25 },
};

const SEED: SeedOptions = { articles: 10_000, feeds: 50, users: 1000, likesPerUser: 15, topics: 30 };
const INGEST_ENTRIES = 5000;

interface Options {
  durationSec: number;
  warmupSec: number;
  connections: number;
  parts: Set<number>;
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): Options {
  let duration = env.BENCH_DURATION ?? "10";
  let connections = env.BENCH_HTTP_CONNECTIONS ?? "50";
  let parts = env.BENCH_PARTS ?? "1,2,3";
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s);
    const value = inline ?? args[++i] ?? "";
    if (flag === "--duration") duration = value;
    else if (flag === "--connections") connections = value;
    else if (flag === "--parts") parts = value;
    else
      throw new UsageError(
        `Unknown option: ${args[i]} (accepted: --duration S, --connections N, --parts 1,2,3)`,
      );
  }
  const durationSec = Number(duration);
  const conns = Number(connections);
  if (!(Number.isFinite(durationSec) && durationSec >= 1)) throw new UsageError("--duration: seconds >= 1");
  if (!(Number.isInteger(conns) && conns >= 1)) throw new UsageError("--connections: a whole number >= 1");
  return {
    durationSec,
    warmupSec: Math.max(1, Math.min(3, Math.round(durationSec * 0.3))),
    connections: conns,
    parts: new Set(parts.split(",").map((p) => Number(p.trim()))),
  };
}

interface Scored {
  stats: Stats;
  seedMet: boolean;
  aimMet: boolean;
}

function score(stats: Stats): Scored {
  const clean = stats.errors === 0;
  return {
    stats,
    seedMet: clean && stats.reqPerSec >= GOAL.seed.minReqPerSec && stats.latencyP99Ms < GOAL.seed.maxP99Ms,
    aimMet: clean && stats.reqPerSec >= GOAL.aim.minReqPerSec && stats.latencyP99Ms <= GOAL.aim.maxP99Ms,
  };
}

/** A request that takes the next of `variants` each time autocannon sends one (round robin). */
function cycling(variants: { path: string; headers: Record<string, string> }[]) {
  let next = 0;
  return {
    method: "GET",
    setupRequest: (request: object) => {
      const v = variants[next++ % variants.length]!;
      return { ...request, path: v.path, headers: v.headers };
    },
  };
}

function printScenario(title: string, mix: string, r: Scored, o: Options): void {
  const s = r.stats;
  const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
  console.log(title);
  console.log(
    `  ${o.connections} connections, ${o.durationSec} s measured after ${o.warmupSec} s warm-up; ${mix}`,
  );
  console.log(
    `  ${fmt(s.reqPerSec)} req/s   latency p50 ${fmt(s.latencyP50Ms, 2)} ms, p99 ${fmt(s.latencyP99Ms, 2)} ms, ` +
      `max ${fmt(s.latencyMaxMs, 2)} ms   ${fmt(s.responses)} responses` +
      (s.serverCpuUsPerReq === null ? "" : `, server CPU ${fmt(s.serverCpuUsPerReq)} µs/req`),
  );
  console.log(`  status codes: ${JSON.stringify(s.statusCodes)}; errors: ${s.errors}`);
  console.log(
    `  seed floor >= ${GOAL.seed.minReqPerSec} req/s with p99 < ${GOAL.seed.maxP99Ms} ms: ${mark(r.seedMet)}; ` +
      `aim >= ${fmt(GOAL.aim.minReqPerSec)} req/s with p99 <= ${GOAL.aim.maxP99Ms} ms: ${mark(r.aimMet)}` +
      (s.errors > 0 ? " (no goal is met by a run with errors)" : ""),
  );
}

const scenarioJson = (r: Scored) => {
  const s = r.stats;
  return {
    reqPerSec: s.reqPerSec,
    latencyP50Ms: s.latencyP50Ms,
    latencyP99Ms: s.latencyP99Ms,
    latencyMaxMs: s.latencyMaxMs,
    responses: s.responses,
    errors: s.errors,
    statusCodes: s.statusCodes,
    serverCpuUsPerReq: s.serverCpuUsPerReq,
    seedMet: r.seedMet,
    aimMet: r.aimMet,
  };
};

export async function run(args: string[]): Promise<number> {
  const o = parseOptions(args, process.env);
  const m = machine();
  const failures: string[] = [];
  console.log(
    `Newsfeed benchmark — ${describeMachine(m)}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), "canary-newsfeed-bench-"));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  log(`seeding ${fmt(SEED.articles)} articles, ${fmt(SEED.users)} users into ${dataDir} …`);
  const seed = await seedNewsfeed(dataDir, SEED, Date.now());
  console.log(
    `seed: ${fmt(seed.articles)} articles over ${SEED.feeds} feeds, ${fmt(SEED.users)} users, ` +
      `${fmt(seed.follows)} follows, ${fmt(seed.likes)} likes (${fmt(seed.seconds, 1)} s to write)`,
  );
  console.log("");
  const tokens = await Promise.all(seed.users.map((user) => signToken(user, AUTH_SECRET)));
  const auth = (i: number) => ({ authorization: `Bearer ${tokens[i]}` });

  const service = await startNewsfeedService(dataDir);
  log(`newsfeed service up at ${service.url} (child process, seeded DATA_DIR)`);
  const results: Record<string, Scored> = {};
  try {
    const scenarios = [
      {
        key: "newsfeed",
        title: "(1) GET /api/newsfeed — autocannon, service in a child process",
        mix: "1 in 3 anonymous, the rest signed in as one of 1,000 users (round robin)",
        variants: seed.users.flatMap((_, i) => [
          { path: "/api/newsfeed", headers: {} },
          { path: "/api/newsfeed", headers: auth(i) },
          { path: "/api/newsfeed", headers: auth((i + 500) % seed.users.length) },
        ]),
      },
      {
        key: "recommendations",
        title: "(2) GET /api/recommendations/{user} — autocannon, service in a child process",
        mix: "each of 1,000 users with their own token (round robin)",
        variants: seed.users.map((user, i) => ({ path: `/api/recommendations/${user}`, headers: auth(i) })),
      },
    ];
    for (const [index, s] of scenarios.entries()) {
      if (!o.parts.has(index + 1)) continue;
      const stats = await runScenario({
        key: s.key,
        label: s.title.slice(0, s.title.indexOf(" —")),
        url: service.url,
        connections: o.connections,
        durationSec: o.durationSec,
        warmupSec: o.warmupSec,
        ok: (status) => status === 200,
        serverCpu: () => groupCpuSeconds(service.child),
        options: { requests: [cycling(s.variants)] },
      });
      results[s.key] = score(stats);
      printScenario(s.title, s.mix, results[s.key]!, o);
      console.log("");
      if (stats.errors > 0) failures.push(`${s.key}: ${stats.errors} requests failed`);
    }
  } finally {
    await service.stop();
  }

  let ingest: IngestResult | null = null;
  try {
    if (o.parts.has(3)) {
      ingest = await runIngest(INGEST_ENTRIES);
      printIngest(ingest);
    }
  } catch (error) {
    failures.push(`ingest: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`(3) ingestion: !!! FAILED — ${failures.at(-1)}`);
  }
  console.log("");
  console.log(
    `load average after the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    failures.length === 0
      ? "All parts ran without errors."
      : `!!! ${failures.length} PROBLEM(S) — figures from a failing part must not be quoted:\n  ${failures.join("\n  ")}`,
  );
  const json = {
    bench: "newsfeed",
    date: new Date().toISOString(),
    ...m,
    loadavg: loadavg(),
    seed: { ...SEED, likes: seed.likes, follows: seed.follows },
    connections: o.connections,
    durationSec: o.durationSec,
    goal: GOAL,
    newsfeed: results.newsfeed ? scenarioJson(results.newsfeed) : null,
    recommendations: results.recommendations ? scenarioJson(results.recommendations) : null,
    ingest,
    failures,
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  return failures.length === 0 ? 0 : 1;
}
