import { UsageError } from "./lib/args.ts";

/** `npm run bench -- <name> [options]`: runs one named benchmark. Benchmarks are scripts, not tests. */
interface Benchmark {
  description: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  tinyurl: {
    description: "TinyURL redirects and POST /shorten vs a bare node:http 302 ceiling",
    load: () => import("./tinyurl.ts"),
  },
  docs: {
    description:
      "Docs: automerge-paper trace (sequencer vs ot-text-unicode), 20 WebSocket clients' ack/broadcast latency, POST /update req/s",
    load: () => import("./docs.ts"),
  },
  newsfeed: {
    description:
      "Newsfeed: GET /api/newsfeed and /api/recommendations/{user} at 50 connections over 10,000 seeded articles, ingestion of a 5,000-entry feed",
    load: () => import("./newsfeed.ts"),
  },
  orchestrator: {
    description:
      "PRD parsing (project PRDs, 10,000 generated items vs remark alone), next/ready over 10,000 tasks",
    load: () => import("./orchestrator.ts"),
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(12)} ${b.description}`);
  return [
    "Usage: npm run bench -- <name> [--duration S]",
    "",
    "Benchmarks:",
    ...names,
    "",
    "Options:",
    "  --duration S   measured seconds per scenario (default 10; env BENCH_DURATION)",
  ].join("\n");
}

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 1;
  }
  const bench = BENCHMARKS[name];
  if (!bench) {
    console.error(`Unknown benchmark: ${name}\n\n${usage()}`);
    return 1;
  }
  return (await bench.load()).run(rest);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${usage()}`);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
