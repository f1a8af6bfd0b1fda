import type { Hono } from "hono";
import type { AppEnv } from "./context.ts";

/** A named dependency check for `/readyz`; it throws (or rejects) when the dependency is unreachable. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return "ok";
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: every dependency answers (503 naming the ones that do not). */
export function mountHealth(
  app: Hono<AppEnv>,
  service: string,
  checks: Record<string, ReadinessCheck>,
): void {
  app.get("/healthz", (c) => c.json({ status: "ok", service }));
  app.get("/readyz", async (c) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => runCheck(checks[n]!)));
    const detail = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const ready = results.every((r) => r === "ok");
    return c.json({ status: ready ? "ready" : "not_ready", service, checks: detail }, ready ? 200 : 503);
  });
}
