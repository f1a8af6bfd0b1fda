/**
 * Real editing traces (josephg/editing-traces format) from the shared folder: `CANARY_SHARED`, default
 * `../shared` relative to the repository root. Used by the rope's replay tests and `npm run bench -- docs`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { TextOp, TextOpComponent } from "../op.ts";

/** `[pos, deleted, inserted]`: at code point `pos`, delete `deleted` code points, then insert the text. */
export type Patch = [number, number, string];

export interface EditingTrace {
  startContent: string;
  endContent: string;
  txns: { patches: Patch[] }[];
}

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../../..");

export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.CANARY_SHARED ?? "../shared");
}

export function tracePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(sharedDir(env), "data/editing-traces", `${name}.json.gz`);
}

/** True when a trace test should be skipped: file missing and not under CI=true. Says so loudly. */
export function skipWithoutTrace(name: string): boolean {
  const path = tracePath(name);
  if (existsSync(path) || process.env.CI === "true") return false;
  const bar = "!".repeat(78);
  console.warn(`\n${bar}\n!! SKIPPING trace "${name}": ${path} is missing (set CANARY_SHARED)\n`);
  console.warn(`!! Under CI=true this is a failure.\n${bar}\n`);
  return true;
}

export function loadTrace(name: string): EditingTrace {
  const path = tracePath(name);
  if (!existsSync(path)) throw new Error(`editing trace ${name} not found at ${path} (set CANARY_SHARED)`);
  return JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as EditingTrace;
}

/** A patch as an op: `[pos, {d: deleted}, inserted]` with zero parts left out (normalized). */
export function patchToOp([pos, deleted, inserted]: Patch): TextOp {
  const op: TextOpComponent[] = [];
  if (pos > 0) op.push(pos);
  if (deleted > 0) op.push({ d: deleted });
  if (inserted.length > 0) op.push(inserted);
  return op;
}

/** Every patch of the trace, in order, as an op (patches of one transaction apply one after another). */
export function traceOps(trace: EditingTrace): TextOp[] {
  return trace.txns.flatMap((txn) => txn.patches.map(patchToOp));
}
