/**
 * Part (3) of `npm run bench -- docs`: `POST /api/documents/{id}/update` under autocannon, on one document
 * that starts empty. Every request inserts "x" at position 0 against the newest version any response has
 * reported so far, so the body stays valid however long the run (a fixed v would fall out of the 10,000-op
 * history window and get 409 too_old); ops written against an older version are transformed by the server
 * like any concurrent edit. Afterwards the document must hold exactly one "x" per applied update.
 */

import type { DocsService } from "./docs-service.ts";
import { runScenario, type Stats } from "./lib/load.ts";
import { groupCpuSeconds } from "./lib/proc.ts";
import { fmt, log } from "./lib/report.ts";

declare module "autocannon" {
  // Per-request hooks (autocannon 9), which bench/autocannon.d.ts leaves out.
  interface Request {
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
}

/** The seed's floor and the aim. */
export const HTTP_GOAL = {
  seed: { minReqPerSec: 100, maxP99Ms: 200 },
  aim: { minReqPerSec: 2000, maxP99Ms: 25 },
};

export interface HttpOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
}

export interface HttpResult {
  stats: Stats;
  /** The document after the run: one "x" per applied update. */
  /** Null when the document could not be read back. */
  finalVersion: number | null;
  finalChars: number | null;
  /** Final version within [successful responses, + updates possibly in flight at the stop] and text = "x" * version. */
  consistent: boolean;
  seedMet: boolean;
  aimMet: boolean;
}

const VERSION = /"version":(\d+)/;

export async function runHttp(service: DocsService, o: HttpOptions): Promise<HttpResult> {
  const id = await service.createDocument("bench: http updates");
  let latest = 0;
  const stats = await runScenario({
    key: "update",
    label: "(3) POST /api/documents/{id}/update",
    url: service.url,
    connections: o.connections,
    durationSec: o.durationSec,
    warmupSec: o.warmupSec,
    ok: (status) => status === 200,
    serverCpu: () => groupCpuSeconds(service.child),
    options: {
      requests: [
        {
          method: "POST",
          path: `/api/documents/${id}/update`,
          headers: { authorization: `Bearer ${service.token}`, "content-type": "application/json" },
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ v: latest, op: ["x"] }) }),
          onResponse: (status, body) => {
            const version = status === 200 ? VERSION.exec(body)?.[1] : undefined;
            if (version !== undefined) latest = Math.max(latest, Number(version));
          },
        },
      ],
    },
  });
  // A failed read still leaves the load figures worth printing (marked inconsistent).
  const doc = await service.readDocument(id).catch((error: unknown) => {
    log(`  (3) !!! could not read the document back: ${error instanceof Error ? error.message : error}`);
    return null;
  });
  const finalChars = doc ? Array.from(doc.content).length : null;
  const consistent =
    doc !== null &&
    doc.content === "x".repeat(doc.version) &&
    doc.version >= stats.okTotal &&
    doc.version <= stats.okTotal + 2 * o.connections;
  // A run with failed requests or a wrong document meets no goal. The seed asks "< 200 ms"; the aim "<= 25 ms".
  const clean = stats.errors === 0 && consistent;
  return {
    stats,
    finalVersion: doc?.version ?? null,
    finalChars,
    consistent,
    seedMet:
      clean && stats.reqPerSec >= HTTP_GOAL.seed.minReqPerSec && stats.latencyP99Ms < HTTP_GOAL.seed.maxP99Ms,
    aimMet:
      clean && stats.reqPerSec >= HTTP_GOAL.aim.minReqPerSec && stats.latencyP99Ms <= HTTP_GOAL.aim.maxP99Ms,
  };
}

export function printHttp(r: HttpResult, o: HttpOptions): void {
  const s = r.stats;
  const mark = (ok: boolean) => (ok ? "PASS" : "MISS");
  console.log("(3) POST /api/documents/{id}/update — autocannon, service in a child process");
  console.log(
    `  ${o.connections} connections (closed loop), ${o.durationSec} s measured after ${o.warmupSec} s warm-up; ` +
      `body {v: newest version seen, op: ["x"]} (insert at 0)`,
  );
  console.log(
    `  ${fmt(s.reqPerSec)} req/s   latency p50 ${fmt(s.latencyP50Ms, 2)} ms, p99 ${fmt(s.latencyP99Ms, 2)} ms, ` +
      `max ${fmt(s.latencyMaxMs, 2)} ms   ${fmt(s.responses)} responses` +
      (s.serverCpuUsPerReq === null ? "" : `, server CPU ${fmt(s.serverCpuUsPerReq)} µs/req`),
  );
  console.log(
    `  status codes: ${JSON.stringify(s.statusCodes)}; errors (non-200, timeouts, resets): ${s.errors}`,
  );
  if (s.errors > 0) {
    console.log(
      `  !!! ${fmt(s.errors)} REQUESTS FAILED: the figures above include failures; do not quote them as is`,
    );
  }
  console.log(
    (r.finalVersion === null || r.finalChars === null
      ? "  document after the run: COULD NOT BE READ, "
      : `  document after the run: version ${fmt(r.finalVersion)}, ${fmt(r.finalChars)} code points, `) +
      `${fmt(s.okTotal)} updates answered 200 (incl. warm-up) — ${r.consistent ? "consistent" : "!!! INCONSISTENT"}`,
  );
  console.log(
    `  seed goal >= ${HTTP_GOAL.seed.minReqPerSec} req/s with p99 < ${HTTP_GOAL.seed.maxP99Ms} ms: ${mark(r.seedMet)}; ` +
      `aim >= ${fmt(HTTP_GOAL.aim.minReqPerSec)} req/s with p99 <= ${HTTP_GOAL.aim.maxP99Ms} ms: ${mark(r.aimMet)}` +
      (r.stats.errors > 0 || !r.consistent ? " (no goal is met by a run with failures)" : ""),
  );
}

export function httpJson(r: HttpResult, o: HttpOptions) {
  const s = r.stats;
  return {
    ...o,
    reqPerSec: s.reqPerSec,
    latencyP50Ms: s.latencyP50Ms,
    latencyP99Ms: s.latencyP99Ms,
    latencyMaxMs: s.latencyMaxMs,
    responses: s.responses,
    errors: s.errors,
    statusCodes: s.statusCodes,
    serverCpuUsPerReq: s.serverCpuUsPerReq,
    finalVersion: r.finalVersion,
    consistent: r.consistent,
    goal: { ...HTTP_GOAL, seedMet: r.seedMet, aimMet: r.aimMet },
  };
}
